/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protocol inference from the first bytes of a message: a first guess that user space may confirm or
 * disable. Each rule is strict enough that arbitrary binary traffic rarely matches.
 */
#ifndef NIXIE_INFER_BPF_H
#define NIXIE_INFER_BPF_H

#include "common.bpf.h"

#define INFER_BYTES 16

enum msg_type { MSG_UNKNOWN = 0, MSG_REQUEST = 1, MSG_RESPONSE = 2 };

struct infer_result {
	__u8 protocol;
	__u8 msg_type;
};

static __always_inline bool is4(const __u8 *b, char c0, char c1, char c2, char c3)
{
	return b[0] == c0 && b[1] == c1 && b[2] == c2 && b[3] == c3;
}

static __always_inline __u8 infer_http1(const __u8 *b, __u32 len)
{
	if (len < 8)
		return MSG_UNKNOWN;
	if (is4(b, 'H', 'T', 'T', 'P') && b[4] == '/' && b[5] == '1' && b[6] == '.')
		return MSG_RESPONSE;
	if (is4(b, 'G', 'E', 'T', ' ') || is4(b, 'P', 'O', 'S', 'T') || is4(b, 'P', 'U', 'T', ' ') ||
	    is4(b, 'H', 'E', 'A', 'D') || is4(b, 'D', 'E', 'L', 'E') || is4(b, 'P', 'A', 'T', 'C') ||
	    is4(b, 'O', 'P', 'T', 'I') || is4(b, 'C', 'O', 'N', 'N'))
		return MSG_REQUEST;
	return MSG_UNKNOWN;
}

/* HTTP/2: the client preface, or a SETTINGS frame on stream 0 (the first frame either side sends). */
static __always_inline __u8 infer_http2(const __u8 *b, __u32 len, bool *matched)
{
	*matched = false;
	if (len >= 16 && is4(b, 'P', 'R', 'I', ' ') && is4(b + 4, '*', ' ', 'H', 'T') && is4(b + 8, 'T', 'P', '/', '2')) {
		*matched = true;
		return MSG_REQUEST;
	}
	if (len >= 9) {
		__u32 flen = ((__u32)b[0] << 16) | ((__u32)b[1] << 8) | b[2];
		__u32 stream = (((__u32)b[5] & 0x7f) << 24) | ((__u32)b[6] << 16) | ((__u32)b[7] << 8) | b[8];
		/* SETTINGS (type 4): flags 0 or ACK (1), stream 0, payload a multiple of 6, whole frame present. */
		if (b[3] == 4 && b[4] <= 1 && stream == 0 && flen % 6 == 0 && flen <= 6 * 10 && flen + 9 <= len)
			*matched = true;
	}
	return MSG_UNKNOWN;
}

static __always_inline __u8 infer_mysql(const __u8 *b, __u32 len)
{
	if (len < 5)
		return MSG_UNKNOWN;
	__u32 plen = (__u32)b[0] | ((__u32)b[1] << 8) | ((__u32)b[2] << 16);
	__u8 seq = b[3];
	if (seq != 0 || plen == 0 || plen + 4 != len)
		return MSG_UNKNOWN;
	__u8 cmd = b[4];
	/* COM_INIT_DB 0x02, COM_QUERY 0x03, COM_STMT_PREPARE 0x16, COM_STMT_EXECUTE 0x17, COM_STMT_CLOSE 0x19 */
	if (cmd == 0x02 || cmd == 0x03 || cmd == 0x16 || cmd == 0x17 || cmd == 0x19)
		return MSG_REQUEST;
	/* Server greeting: protocol version 10, then a NUL-terminated version string. */
	if (cmd == 0x0a && len > 40)
		return MSG_RESPONSE;
	return MSG_UNKNOWN;
}

static __always_inline __u8 infer_pgsql(const __u8 *b, __u32 len)
{
	if (len >= 8) {
		__u32 mlen = ((__u32)b[0] << 24) | ((__u32)b[1] << 16) | ((__u32)b[2] << 8) | b[3];
		/* StartupMessage, protocol 3.0. */
		if (mlen == len && b[4] == 0 && b[5] == 3 && b[6] == 0 && b[7] == 0)
			return MSG_REQUEST;
	}
	if (len >= 6 && b[0] == 'Q') {
		__u32 mlen = ((__u32)b[1] << 24) | ((__u32)b[2] << 16) | ((__u32)b[3] << 8) | b[4];
		/* Simple query: the length covers the whole message (less the tag). */
		if (mlen + 1 == len && mlen >= 5)
			return MSG_REQUEST;
	}
	return MSG_UNKNOWN;
}

/* Redis: a RESP array of bulk strings, "*<n>\r\n$<m>\r\n...". */
static __always_inline __u8 infer_redis(const __u8 *b, __u32 len)
{
	if (len < 8 || b[0] != '*' || b[1] < '1' || b[1] > '9')
		return MSG_UNKNOWN;
	if (b[2] == '\r' && b[3] == '\n' && b[4] == '$')
		return MSG_REQUEST;
	if (b[2] >= '0' && b[2] <= '9' && b[3] == '\r' && b[4] == '\n' && b[5] == '$')
		return MSG_REQUEST;
	return MSG_UNKNOWN;
}

/* A DNS header (12 bytes at h): opcode QUERY, Z clear, one question, and sane record counts. */
static __always_inline __u8 infer_dns_header(const __u8 *h)
{
	__u16 flags = ((__u16)h[2] << 8) | h[3];
	__u16 qd = ((__u16)h[4] << 8) | h[5];
	__u16 an = ((__u16)h[6] << 8) | h[7];
	__u16 ns = ((__u16)h[8] << 8) | h[9];
	__u16 ar = ((__u16)h[10] << 8) | h[11];
	if ((flags & 0x7800) != 0 /* opcode */ || (flags & 0x0040) != 0 /* Z */ || qd != 1)
		return MSG_UNKNOWN;
	if (an > 64 || ns > 64 || ar > 64)
		return MSG_UNKNOWN;
	bool qr = flags & 0x8000;
	if (!qr && (an != 0 || ns != 0))
		return MSG_UNKNOWN;
	return qr ? MSG_RESPONSE : MSG_REQUEST;
}

/* DNS over UDP: one message per datagram (up to 512 bytes: the classic limit). */
static __always_inline __u8 infer_dns(const __u8 *b, __u32 len, __u16 sock_type)
{
	if (sock_type != 2 /* SOCK_DGRAM */ || len < 12 || len > 512)
		return MSG_UNKNOWN;
	return infer_dns_header(b);
}

/*
 * DNS over TCP: a 2-byte length prefix, then the header. The prefix must cover at least a header and a root
 * question (17 bytes), and the whole message must be in this syscall (as resolvers and servers write and read
 * it), which keeps arbitrary binary streams from matching.
 */
static __always_inline __u8 infer_dns_tcp(const __u8 *b, __u32 len)
{
	if (len < 2 + 17)
		return MSG_UNKNOWN;
	__u32 mlen = ((__u32)b[0] << 8) | b[1];
	if (mlen < 17 || mlen + 2 > len)
		return MSG_UNKNOWN;
	return infer_dns_header(b + 2);
}

/* Guesses the protocol of a message whose first bytes are b[0..len) (len is the message's length). */
static __always_inline struct infer_result infer_protocol(const __u8 *b, __u32 len, __u16 sock_type)
{
	struct infer_result r = {};
	__u8 t;
	bool h2;
	if ((t = infer_http1(b, len))) {
		r.protocol = NIXIE_PROTO_HTTP;
		r.msg_type = t;
		return r;
	}
	t = infer_http2(b, len, &h2);
	if (h2) {
		r.protocol = NIXIE_PROTO_HTTP2;
		r.msg_type = t;
		return r;
	}
	if ((t = infer_dns(b, len, sock_type))) {
		r.protocol = NIXIE_PROTO_DNS;
		r.msg_type = t;
		return r;
	}
	if (sock_type != 1 /* SOCK_STREAM */)
		return r;
	if ((t = infer_redis(b, len))) {
		r.protocol = NIXIE_PROTO_REDIS;
		r.msg_type = t;
	} else if ((t = infer_pgsql(b, len))) {
		r.protocol = NIXIE_PROTO_PGSQL;
		r.msg_type = t;
	} else if ((t = infer_mysql(b, len))) {
		r.protocol = NIXIE_PROTO_MYSQL;
		r.msg_type = t;
	} else if ((t = infer_dns_tcp(b, len))) {
		r.protocol = NIXIE_PROTO_DNS;
		r.msg_type = t;
	}
	return r;
}

#endif /* NIXIE_INFER_BPF_H */
