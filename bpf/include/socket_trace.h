/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ABI between Nixie's BPF programs (socket_trace, proc_trace) and user space.
 *
 * Every record in the ring buffer starts with struct nixie_event_header; `kind` says which struct
 * follows. All integers are little-endian host order except addresses (network order, as on the wire).
 * Ports are host order. The TypeScript view (bpf/src/layout.ts) is checked against this file by a test
 * (bpf/test/layout.test.ts): change a field here and that test fails until layout.ts follows.
 * Changes must be additive: append fields, never move one.
 */
#ifndef NIXIE_SOCKET_TRACE_H
#define NIXIE_SOCKET_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Largest data payload one data event can carry; the run-time cap (data_cap) is at most this.
 * It makes sizeof(struct nixie_data_event) 32 KiB, the kernel's limit for a per-CPU map value.
 */
#define NIXIE_MAX_DATA_SIZE 32680
/* Default cap on the bytes carried by one data event (Pixie's 30 KiB). */
#define NIXIE_DEFAULT_DATA_CAP 30720
/* Default number of bytes of traffic between two stats events of one connection. */
#define NIXIE_DEFAULT_STATS_THRESHOLD 65536
/* Data events at most for one message of one syscall; the rest of a huge message is a gap. */
#define NIXIE_DEFAULT_CHUNK_LIMIT 64

/* Kinds of record in the ring buffer. */
enum nixie_event_kind {
	NIXIE_EV_CONN_OPEN = 1,  /* struct nixie_conn_open_event */
	NIXIE_EV_CONN_CLOSE = 2, /* struct nixie_conn_close_event */
	NIXIE_EV_DATA = 3,       /* struct nixie_data_event */
	NIXIE_EV_CONN_STATS = 4, /* struct nixie_conn_stats_event */
	NIXIE_EV_PROC_EXEC = 5,  /* struct nixie_proc_exec_event */
	NIXIE_EV_PROC_EXIT = 6,  /* struct nixie_proc_exit_event */
};

/* Protocol ids; the numbers are Pixie's traffic_protocol_t and @nixie/core's PROTOCOL table. */
enum nixie_protocol {
	NIXIE_PROTO_UNKNOWN = 0,
	NIXIE_PROTO_HTTP = 1,
	NIXIE_PROTO_HTTP2 = 2,
	NIXIE_PROTO_MYSQL = 3,
	NIXIE_PROTO_PGSQL = 5,
	NIXIE_PROTO_DNS = 6,
	NIXIE_PROTO_REDIS = 7,
};

/* Trace role, as Pixie's trace_role column. */
enum nixie_role {
	NIXIE_ROLE_UNKNOWN = 0,
	NIXIE_ROLE_CLIENT = 1, /* this process connected */
	NIXIE_ROLE_SERVER = 2, /* this process accepted */
};

/* Direction of data, from the traced process's point of view (Pixie's kEgress/kIngress). */
enum nixie_direction {
	NIXIE_DIR_EGRESS = 0,  /* sent: write, writev, send*, sendfile */
	NIXIE_DIR_INGRESS = 1, /* received: read, readv, recv* */
};

/* The syscall that produced a data event. */
enum nixie_syscall {
	NIXIE_SYS_UNKNOWN = 0,
	NIXIE_SYS_WRITE = 1,
	NIXIE_SYS_READ = 2,
	NIXIE_SYS_WRITEV = 3,
	NIXIE_SYS_READV = 4,
	NIXIE_SYS_SENDTO = 5,
	NIXIE_SYS_RECVFROM = 6,
	NIXIE_SYS_SENDMSG = 7,
	NIXIE_SYS_RECVMSG = 8,
	NIXIE_SYS_SENDMMSG = 9,
	NIXIE_SYS_RECVMMSG = 10,
	NIXIE_SYS_SENDFILE = 11,
	NIXIE_SYS_CONNECT = 12,
	NIXIE_SYS_ACCEPT = 13,
	NIXIE_SYS_ACCEPT4 = 14,
	NIXIE_SYS_CLOSE = 15,
};

/* Flags in nixie_event_header.flags. */
#define NIXIE_FLAG_ROLE_INFERRED 0x1 /* role came from protocol inference, not connect/accept */
#define NIXIE_FLAG_TRUNCATED 0x2     /* data event: the message had more bytes than were captured */

/*
 * A connection: (pid, process start time, fd, generation). `generation` is the boot-clock time (ns) at which
 * the tracer first saw the connection, so a reused fd number gives a new id.
 * Process events use pid and start_time_ns, with fd = -1 and generation = 0.
 */
struct nixie_conn_id {
	__u64 start_time_ns; /* task->group_leader->start_boottime: ns since boot; /proc/<pid>/stat field 22 = this / (1e9 / CLK_TCK) */
	__u32 pid;           /* tgid */
	__s32 fd;
	__u64 generation;
};

struct nixie_event_header {
	__u8 kind;     /* enum nixie_event_kind */
	__u8 protocol; /* enum nixie_protocol, as known when the event was sent */
	__u8 role;     /* enum nixie_role, as known when the event was sent */
	__u8 flags;    /* NIXIE_FLAG_* */
	__u32 cpu;     /* CPU that produced the event */
	__u64 timestamp_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	struct nixie_conn_id conn;
};

/* An IPv4 or IPv6 endpoint; family 0 means unknown. */
struct nixie_sockaddr {
	__u16 family; /* AF_INET (2) or AF_INET6 (10) */
	__u16 port;   /* host order */
	__u8 addr[16]; /* network order; IPv4 in the first 4 bytes */
};

struct nixie_conn_open_event {
	struct nixie_event_header hdr;
	struct nixie_sockaddr local;
	struct nixie_sockaddr remote;
	__u16 sock_type; /* SOCK_STREAM (1) or SOCK_DGRAM (2) */
	__u8 syscall;    /* enum nixie_syscall: connect, accept, accept4, or the data syscall that found it */
	__u8 _pad0;
	__u32 _pad1;
};

struct nixie_conn_close_event {
	struct nixie_event_header hdr;
	__u64 bytes_sent; /* egress stream position at close: total bytes written */
	__u64 bytes_recv; /* ingress stream position at close: total bytes read */
};

/* Sent for every connection each time stats_threshold more bytes have flowed, whatever the protocol. */
struct nixie_conn_stats_event {
	struct nixie_event_header hdr;
	__u64 bytes_sent;
	__u64 bytes_recv;
};

/*
 * Bytes of one syscall on a connection whose protocol is known (or any, with capture_unknown).
 * `pos` is the position of data[0] in this direction's byte stream: positions of consecutive events of
 * one direction are continuous, except where bytes were not captured (sendfile, unknown protocol,
 * chunk limit), which the consumer sees as a gap. A message larger than the cap comes as several
 * events with the same msg_size and increasing chunk_offset.
 */
struct nixie_data_event {
	struct nixie_event_header hdr;
	__u64 pos;          /* stream position of data[0] */
	__u32 msg_size;     /* bytes of the whole message (datagram, or syscall segment) */
	__u32 data_len;     /* bytes in data[] (0 for sendfile: position only) */
	__u32 chunk_offset; /* offset of data[0] within the message */
	__u8 direction;     /* enum nixie_direction */
	__u8 syscall;       /* enum nixie_syscall */
	__u16 _pad0;
	struct nixie_sockaddr remote; /* peer named by the syscall (sendto/recvfrom/msg_name); family 0 if none */
	__u32 _pad1;
	__u8 data[NIXIE_MAX_DATA_SIZE];
};

struct nixie_proc_exec_event {
	struct nixie_event_header hdr;
	__u32 ppid;
	__u32 _pad0;
	char comm[16];
};

struct nixie_proc_exit_event {
	struct nixie_event_header hdr;
	__u32 exit_code; /* task->exit_code: status << 8 | signal */
	__u32 _pad0;
};

#endif /* NIXIE_SOCKET_TRACE_H */
