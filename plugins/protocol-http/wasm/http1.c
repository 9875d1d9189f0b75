/*
 * HTTP/1 message parser for the agent's hot path, compiled to WebAssembly (wasm32, no libc).
 *
 * It does what src/parse.ts does for the common message, in one call and about a third of the time of the JS
 * byte loops: the first line, the header fields (framing and content fields noted, the fields written as a
 * JSON object), the body framing (Content-Length, chunked, to the end) and the text an HttpMessage holds:
 * path or reason (latin1 as UTF-8), headers JSON, body cut at the limit. Whatever it does not handle the same
 * way, bit for bit, it hands back as FALLBACK and the JS parser takes the whole message: repeated header names,
 * more than MAX_FIELDS fields, headers JSON over the limit, compressed text bodies, a message longer than the
 * bytes copied in. test/wasm.test.ts checks the two agree on every outcome.
 *
 * Memory: imported, the agent's byte heap (@nixie/core heap.ts); this module's static data and stack sit in
 * the low slot the build gives it. parse_message reads the message where it lies in that memory (a stream's
 * buffer in the heap) and writes the text to `out` (the decoder's arena, in the heap), so nothing is copied in
 * or out. Its other results go to `res`.
 */
#include <wasm_simd128.h>

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;

#define MAX_FIELDS 96
#define MAX_HEADER_BYTES (64 * 1024)
#define MAX_CHUNK_LINE 1024
#define MAX_HEX_DIGITS 8

/*
 * R_WIDER: the answer lies beyond the bytes handed in (avail < len: the caller copied part of a stream that is
 * not in the heap); hand in more and call again. R_ROOM: the text may not fit in out_cap bytes; call again
 * with at least res[S_NEED].
 */
enum { R_SUCCESS = 0, R_NEEDS_MORE = 1, R_INVALID = 2, R_IGNORED = 3, R_FALLBACK = 4, R_WIDER = 5, R_ROOM = 6 };
/* What the request a response answers was, as far as framing cares. */
enum { M_OTHER = 0, M_HEAD = 1, M_CONNECT = 2 };

/* Result slots (i32), read by JS through an Int32Array. */
enum {
	S_KIND, S_CONSUMED, S_METHOD, S_STATUS, S_MINOR, S_JSON, S_BODY_SIZE, S_TEXT_END, S_HEADERS_END, S_OUT_END,
	S_UPGRADE, S_NEED, S_COUNT
};

static i32 res[16];

__attribute__((export_name("res_ptr"))) i32 *res_ptr(void) { return res; }

/* The methods of methods.ts, in its order: index + 1 is what S_METHOD holds (JS maps it back to the string). */
static const char *const METHODS[] = {
	"GET", "PUT", "POST", "HEAD", "PATCH", "TRACE", "DELETE", "OPTIONS", "CONNECT",
	"COPY", "LOCK", "MOVE", "MKCOL", "UNLOCK", "SEARCH", "PROPFIND", "PROPPATCH",
};
#define N_METHODS ((i32)(sizeof(METHODS) / sizeof(METHODS[0])))
#define MAX_METHOD_LENGTH 9
#define METHOD_CONNECT 9

/*
 * Bytes of the message that may be loaded 16 at a time: b[0..in_lim). A copy loads whole vectors while they lie
 * inside, and stores whole vectors: up to 15 bytes past what it writes, which `need` leaves room for.
 */
static i32 in_lim;

/* Lanes [0, n) of a 16-lane mask. */
static u32 first_lanes(i32 n) { return n >= 16 ? 0xffff : (1u << n) - 1; }

static i32 slen(const char *s)
{
	i32 n = 0;
	while (s[n])
		n++;
	return n;
}

/* The length of each of METHODS (init_class). */
static u8 METHOD_LENGTH[N_METHODS];

/* Index + 1 of the method spelled by b[0..len), or 0. */
static i32 method_at(const u8 *b, i32 len)
{
	for (i32 m = 0; m < N_METHODS; m++) {
		const char *s = METHODS[m];
		if (METHOD_LENGTH[m] != len)
			continue;
		i32 i = 0;
		while (i < len && b[i] == (u8)s[i])
			i++;
		if (i == len)
			return m + 1;
	}
	return 0;
}

/* couldBeMethodPrefix of methods.ts. */
static i32 could_be_method_prefix(const u8 *b, i32 end)
{
	i32 n = end < MAX_METHOD_LENGTH + 1 ? end : MAX_METHOD_LENGTH + 1;
	for (i32 m = 0; m < N_METHODS; m++) {
		const char *s = METHODS[m];
		i32 ml = slen(s);
		i32 ok = 1;
		for (i32 i = 0; i < n; i++) {
			u8 c = b[i];
			if (i == ml) {
				if (c == ' ')
					return 1;
				ok = 0;
				break;
			}
			if (c != (u8)s[i]) {
				ok = 0;
				break;
			}
		}
		if (ok)
			return 1;
	}
	return 0;
}

static const u8 HTTP1[7] = { 'H', 'T', 'T', 'P', '/', '1', '.' };

/* Minor version of "HTTP/1.x" at b[0..], or -1 (b has at least 8 bytes before its limit: checked by callers). */
static i32 version(const u8 *b)
{
	/* "HTTP/1." as one 8-byte load (little-endian: b[7] in the top byte, left out). */
	unsigned long long w;
	__builtin_memcpy(&w, b, 8);
	if ((w & 0x00ffffffffffffffull) != 0x002e312f50545448ull)
		return -1;
	i32 m = (i32)b[7] - '0';
	return m == 0 || m == 1 ? m : -1;
}

/* 1 token byte (may be in a field name), 2 CR, 4 needs a JSON escape, 0 other; as CLASS in parse.ts. */
static u8 CLASS[256];
static i32 class_ready;

static i32 is_token(u32 c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c == '-' || c == '_' || c == '.' || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' ||
	       c == '\'' || c == '*' || c == '+' || c == '^' || c == '`' || c == '|' || c == '~';
}

/*
 * Token bytes for 16 at a time: byte c is a token iff TOKEN_LO[c & 15] & TOKEN_HI[c >> 4] (TOKEN_LO has bit h
 * for each high nibble h < 8 that makes a token with that low nibble; TOKEN_HI[h] is 1 << h, 0 for bytes >= 0x80).
 */
static u8 TOKEN_LO[16] __attribute__((aligned(16)));
static u8 TOKEN_HI[16] __attribute__((aligned(16)));

static void init_class(void)
{
	for (i32 m = 0; m < N_METHODS; m++)
		METHOD_LENGTH[m] = (u8)slen(METHODS[m]);
	for (u32 c = 0; c < 128; c++)
		if (is_token(c))
			TOKEN_LO[c & 15] |= (u8)(1u << (c >> 4));
	for (u32 h = 0; h < 8; h++)
		TOKEN_HI[h] = (u8)(1u << h);
	for (u32 c = 0; c < 256; c++) {
		if (is_token(c))
			CLASS[c] = 1;
		else if (c == '\r')
			CLASS[c] = 2;
		else if (c == '"' || c == '\\' || c < 0x20)
			CLASS[c] = 4;
		else
			CLASS[c] = 0;
	}
	class_ready = 1;
}

static u8 lower(u8 c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }

/* v with A-Z made a-z, as lower() makes each byte. */
static v128_t lower_lanes(v128_t v)
{
	v128_t upper = wasm_u8x16_lt(wasm_i8x16_sub(v, wasm_i8x16_splat('A')), wasm_i8x16_splat(26));
	return wasm_v128_or(v, wasm_v128_and(upper, wasm_i8x16_splat(0x20)));
}

/*
 * Whether b[a..e), A-Z made a-z, is s (lower case, up to 32 bytes; padded to 32 so that 16 bytes load from any
 * offset below its length): one or two vectors when they lie in b[0..in_lim), the second ending at e.
 */
static i32 eq_lower(const u8 *b, i32 a, i32 e, const char s[32])
{
	i32 n = slen(s);
	if (e - a != n)
		return 0;
	if (n <= 16 && a + 16 <= in_lim) {
		u32 m = wasm_i8x16_bitmask(wasm_i8x16_eq(lower_lanes(wasm_v128_load(b + a)), wasm_v128_load(s)));
		return (m & first_lanes(n)) == first_lanes(n);
	}
	if (n > 16) {
		v128_t x = wasm_i8x16_eq(lower_lanes(wasm_v128_load(b + a)), wasm_v128_load(s));
		v128_t y = wasm_i8x16_eq(lower_lanes(wasm_v128_load(b + e - 16)), wasm_v128_load(s + n - 16));
		return wasm_i8x16_all_true(wasm_v128_and(x, y));
	}
	for (i32 i = 0; i < n; i++)
		if (lower(b[a + i]) != (u8)s[i])
			return 0;
	return 1;
}

/* Whether b[a..e), A-Z made a-z, starts with s (lower case, 16 bytes): one vector if it lies in b[0..in_lim). */
static i32 starts_lower(const u8 *b, i32 a, i32 e, const char s[32])
{
	if (e - a < 16 || a + 16 > in_lim)
		return 0;
	return wasm_i8x16_all_true(wasm_i8x16_eq(lower_lanes(wasm_v128_load(b + a)), wasm_v128_load(s)));
}

/* Whether b[a..a + n), A-Z made a-z, is s (of n bytes). */
static i32 at_lower(const u8 *b, i32 a, const char *s, i32 n)
{
	for (i32 j = 0; j < n; j++)
		if (lower(b[a + j]) != (u8)s[j])
			return 0;
	return 1;
}

/*
 * Whether b[a..e), A-Z made a-z, contains s (lower case, 2 bytes or more): 16 starts a step while the vectors
 * lie in b[0..in_lim), where the first and last bytes of s match first, then byte by byte.
 */
static i32 contains_lower(const u8 *b, i32 a, i32 e, const char *s)
{
	i32 n = slen(s);
	i32 i = a, last = e - n;
	const v128_t first = wasm_i8x16_splat(s[0]), end = wasm_i8x16_splat(s[n - 1]);
	for (; i <= last && i + n - 1 + 16 <= in_lim; i += 16) {
		v128_t x = wasm_i8x16_eq(lower_lanes(wasm_v128_load(b + i)), first);
		v128_t y = wasm_i8x16_eq(lower_lanes(wasm_v128_load(b + i + n - 1)), end);
		for (u32 m = wasm_i8x16_bitmask(wasm_v128_and(x, y)) & first_lanes(last - i + 1); m; m &= m - 1)
			if (at_lower(b, i + __builtin_ctz(m), s, n))
				return 1;
	}
	for (; i <= last; i++)
		if (at_lower(b, i, s, n))
			return 1;
	return 0;
}

/* parseDecimal of bytes.ts: value < 2^53 or -1. */
static double parse_decimal(const u8 *b, i32 a, i32 e)
{
	while (a < e && (b[a] == ' ' || b[a] == '\t'))
		a++;
	while (e > a && (b[e - 1] == ' ' || b[e - 1] == '\t'))
		e--;
	if (a == e || e - a > 15)
		return -1;
	double n = 0;
	for (i32 i = a; i < e; i++) {
		i32 d = (i32)b[i] - '0';
		if (d < 0 || d > 9)
			return -1;
		n = n * 10 + d;
	}
	return n;
}

static i32 hex_value(u32 c)
{
	if (c >= '0' && c <= '9')
		return (i32)c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return (i32)c - 'a' + 10;
	return -1;
}

/* What the header fields say; reset per message. */
static struct {
	double content_length;
	i32 chunked, json, text, encoded, upgrade, connection_upgrade;
} f;

static i32 ns_[MAX_FIELDS], ne_[MAX_FIELDS];

/* The field names note_field looks for, padded for eq_lower. */
static const char NAME_CONTENT_LENGTH[32] __attribute__((aligned(16))) = "content-length";
static const char NAME_TRANSFER_ENCODING[32] __attribute__((aligned(16))) = "transfer-encoding";
static const char NAME_CONTENT_TYPE[32] __attribute__((aligned(16))) = "content-type";
static const char NAME_CONTENT_ENCODING[32] __attribute__((aligned(16))) = "content-encoding";
static const char NAME_UPGRADE[32] __attribute__((aligned(16))) = "upgrade";
static const char NAME_CONNECTION[32] __attribute__((aligned(16))) = "connection";

/* Common values note_field tells at once, padded likewise. */
static const char VALUE_APPLICATION_JSON[32] __attribute__((aligned(16))) = "application/json";
static const char VALUE_KEEP_ALIVE[32] __attribute__((aligned(16))) = "keep-alive";

static i32 note_field(const u8 *b, i32 ns, i32 ne, i32 vs, i32 ve)
{
	switch (ne - ns) {
	case 14:
		if (eq_lower(b, ns, ne, NAME_CONTENT_LENGTH)) {
			double n = parse_decimal(b, vs, ve);
			if (n < 0 || (f.content_length >= 0 && f.content_length != n))
				return 0;
			f.content_length = n;
		}
		return 1;
	case 17:
		if (eq_lower(b, ns, ne, NAME_TRANSFER_ENCODING))
			f.chunked = contains_lower(b, vs, ve, "chunked");
		return 1;
	case 12:
		if (eq_lower(b, ns, ne, NAME_CONTENT_TYPE)) {
			/* The common value, told by one vector: it contains "json". */
			if (starts_lower(b, vs, ve, VALUE_APPLICATION_JSON)) {
				f.json = f.text = 1;
				return 1;
			}
			f.json = contains_lower(b, vs, ve, "json");
			f.text = f.json || contains_lower(b, vs, ve, "text/") || contains_lower(b, vs, ve, "xml") ||
				 contains_lower(b, vs, ve, "javascript") || contains_lower(b, vs, ve, "x-www-form-urlencoded");
		}
		return 1;
	case 16:
		if (eq_lower(b, ns, ne, NAME_CONTENT_ENCODING))
			f.encoded = contains_lower(b, vs, ve, "gzip") || contains_lower(b, vs, ve, "deflate");
		return 1;
	case 7:
		if (eq_lower(b, ns, ne, NAME_UPGRADE))
			f.upgrade = 1;
		return 1;
	case 10:
		if (eq_lower(b, ns, ne, NAME_CONNECTION))
			/* The common value, told by one vector: it does not contain "upgrade". */
			f.connection_upgrade = !eq_lower(b, vs, ve, VALUE_KEEP_ALIVE) && contains_lower(b, vs, ve, "upgrade");
		return 1;
	default:
		return 1;
	}
}

/* Bytes JSON must escape in a header value (CR ends the value), a bit per lane. */
static u32 escape_lanes(v128_t v)
{
	v128_t ctrl = wasm_u8x16_lt(v, wasm_i8x16_splat(0x20));
	v128_t q = wasm_i8x16_eq(v, wasm_i8x16_splat('"'));
	v128_t bs = wasm_i8x16_eq(v, wasm_i8x16_splat('\\'));
	return wasm_i8x16_bitmask(wasm_v128_or(ctrl, wasm_v128_or(q, bs)));
}

/* Bytes that are not token bytes, a bit per lane. */
static u32 non_token_lanes(v128_t v)
{
	v128_t lo = wasm_i8x16_swizzle(wasm_v128_load(TOKEN_LO), wasm_v128_and(v, wasm_i8x16_splat(15)));
	v128_t hi = wasm_i8x16_swizzle(wasm_v128_load(TOKEN_HI), wasm_u8x16_shr(v, 4));
	return wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_and(lo, hi), wasm_i8x16_splat(0)));
}

/*
 * The first byte of b[p..end) that is not a token byte, or end; 16 bytes a step while whole vectors lie in
 * b[0..in_lim) (the caller knows a CR lies before end, so the vectors stop before it), then byte by byte.
 */
static i32 name_end(const u8 *b, i32 p, i32 end)
{
	while (p + 16 <= in_lim) {
		u32 stop = non_token_lanes(wasm_v128_load(b + p));
		if (stop)
			return p + __builtin_ctz(stop);
		p += 16;
	}
	while (p < end && CLASS[b[p]] == 1)
		p++;
	return p;
}

/*
 * The CR ending the value that starts at b[p] (or end), 16 bytes a step while whole vectors lie in b[0..in_lim)
 * (a CR lies before end: the head's last), then byte by byte; *esc gets 4 (CLASS's escape bit) if a byte before
 * it needs a JSON escape.
 */
static i32 value_end(const u8 *b, i32 p, i32 end, i32 *esc)
{
	const v128_t cr = wasm_i8x16_splat('\r');
	while (p + 16 <= in_lim) {
		v128_t v = wasm_v128_load(b + p);
		u32 at = wasm_i8x16_bitmask(wasm_i8x16_eq(v, cr));
		u32 before = at ? (at & -at) - 1 : 0xffff;
		if (escape_lanes(v) & before)
			*esc |= 4;
		if (at)
			return p + __builtin_ctz(at);
		p += 16;
	}
	while (p < end) {
		u8 k = CLASS[b[p]];
		if (k == 2)
			break;
		*esc |= k & 4;
		p++;
	}
	return p;
}

static i32 high;

/*
 * Whether two names written by the last write_fields may be the same: a bit per name of a 64-bit set, by its
 * length and last byte (different for the common names), so that most messages need no pairwise comparison.
 */
static i32 names_may_repeat;

/*
 * Copies b[a..e) to *o as it is, 16 bytes at a time, the last vector too, while every byte is ASCII (and, if
 * escaping, needs no JSON escape); returns where it stopped (e when done), *o advanced past what it wrote.
 */
static inline __attribute__((always_inline)) i32 copy_vectors(const u8 *b, i32 a, i32 e, u8 **out, i32 escaping)
{
	u8 *o = *out;
	while (a < e && a + 16 <= in_lim) {
		v128_t v = wasm_v128_load(b + a);
		i32 n = e - a;
		u32 stop = wasm_i8x16_bitmask(v) | (escaping ? escape_lanes(v) : 0);
		if (stop & first_lanes(n))
			break;
		wasm_v128_store(o, v);
		if (n <= 16) {
			o += n;
			a = e;
			break;
		}
		o += 16;
		a += 16;
	}
	*out = o;
	return a;
}

static u8 *latin1_into(const u8 *b, i32 a, i32 e, u8 *o)
{
	a = copy_vectors(b, a, e, &o, 0);
	for (i32 i = a; i < e; i++) {
		u8 c = b[i];
		if (c < 0x80) {
			*o++ = c;
		} else {
			*o++ = 0xc0 | (c >> 6);
			*o++ = 0x80 | (c & 0x3f);
			high++;
		}
	}
	return o;
}

static const char HEX[] = "0123456789abcdef";

static u8 *escape_into(const u8 *b, i32 a, i32 e, u8 *o)
{
	a = copy_vectors(b, a, e, &o, 1);
	for (i32 i = a; i < e; i++) {
		u8 c = b[i];
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = c;
		} else if (c < 0x20) {
			*o++ = '\\';
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = HEX[c >> 4];
			*o++ = HEX[c & 15];
		} else if (c >= 0x80) {
			*o++ = 0xc0 | (c >> 6);
			*o++ = 0x80 | (c & 0x3f);
			high++;
		} else {
			*o++ = c;
		}
	}
	return o;
}

static i32 same_name(const u8 *b, i32 i, i32 j)
{
	i32 len = ne_[i] - ns_[i];
	if (ne_[j] - ns_[j] != len)
		return 0;
	for (i32 k = 0; k < len; k++)
		if (b[ns_[i] + k] != b[ns_[j] + k])
			return 0;
	return 1;
}

/*
 * Bytes of a header value that cannot go into the JSON as they are, a bit per lane: those JSON escapes, and
 * those >= 0x80 (two bytes in UTF-8); the signed compare with 0x20 takes both controls (CR too) and those.
 */
static u32 care_lanes(v128_t v)
{
	v128_t low = wasm_i8x16_lt(v, wasm_i8x16_splat(0x20));
	v128_t q = wasm_i8x16_eq(v, wasm_i8x16_splat('"'));
	v128_t bs = wasm_i8x16_eq(v, wasm_i8x16_splat('\\'));
	return wasm_i8x16_bitmask(wasm_v128_or(low, wasm_v128_or(q, bs)));
}

/*
 * Header lines in b[p..end): fields noted; -1 malformed, else the number of fields. If `write` (a constant:
 * two copies are compiled), the fields are also written at *out as the JSON object's members, each `,"name":
 * "value"` (the caller makes the first comma the brace), while they are read: a name's bytes are tokens and
 * need no escape, so its vectors are stored as they are loaded, and so are a value's until a byte needs care;
 * such a value is written again by escape_into once its end is known (escape_into writes a value with no byte
 * to escape as latin1_into would, so this is spansJsonInto's output whatever the other values hold). The caller
 * has room for the worst case of the whole head, so nothing is checked per byte; it uses the text only if no
 * later answer comes first. Writing stops after MAX_FIELDS fields with *stop where it did (the JS parser takes
 * such a message); names' spans are kept for the repeated-name check.
 *
 * `open` (a constant, with write): the head's end is not known; end is avail, and the fields end at the first
 * line that is empty (CRLF), *stop its CR. Here -1 also means: no empty line, MAX_FIELDS fields, or a field the
 * general path must answer for; the caller starts again on that path.
 */
static inline __attribute__((always_inline)) i32 fields(const u8 *b, i32 p, i32 end, i32 write, i32 open, u8 **out, i32 *stop)
{
	const v128_t cr = wasm_i8x16_splat('\r');
	i32 n = 0, esc = 0;
	u8 *o = write ? *out : 0;
	unsigned long long seen = 0, again = 0;
	while (open || p < end) {
		if (open) {
			/*
			 * Every line before it a field's, whose only CR ends it, the first empty line is where the head's
			 * first CRLFCRLF ends, the end find_head_end finds.
			 */
			if (p + 1 >= end || n == MAX_FIELDS)
				return -1;
			if (b[p] == '\r') {
				if (b[p + 1] != '\n')
					return -1;
				break;
			}
		} else if (write && n == MAX_FIELDS) {
			break;
		}
		i32 colon;
		if (write) {
			o[0] = ',';
			o[1] = '"';
			u8 *w = o + 2;
			colon = p;
			while (colon + 16 <= in_lim) {
				v128_t v = wasm_v128_load(b + colon);
				u32 non = non_token_lanes(v);
				wasm_v128_store(w + (colon - p), v);
				if (non) {
					colon += __builtin_ctz(non);
					goto named;
				}
				colon += 16;
			}
			while (colon < end && CLASS[b[colon]] == 1) {
				w[colon - p] = b[colon];
				colon++;
			}
		named:;
		} else {
			colon = name_end(b, p, end);
		}
		if (colon == p || colon >= end || b[colon] != ':')
			return -1;
		/* Leading blanks: a CR, the line's end at the latest, stops them (end too, when open). */
		i32 vs = colon + 1;
		while (vs < end && (b[vs] == ' ' || b[vs] == '\t'))
			vs++;
		i32 le, plain = 1;
		u8 *w = 0;
		if (write) {
			w = o + 2 + (colon - p);
			w[0] = '"';
			w[1] = ':';
			w[2] = '"';
			w += 3;
			le = vs;
			for (;;) {
				if (le + 16 > in_lim) {
					while (le < end && b[le] != '\r') {
						u8 c = b[le];
						plain &= CLASS[c] != 4 && c < 0x80;
						w[le - vs] = c;
						le++;
					}
					break;
				}
				v128_t v = wasm_v128_load(b + le);
				u32 at = wasm_i8x16_bitmask(wasm_i8x16_eq(v, cr));
				u32 before = at ? (at & -at) - 1 : 0xffff;
				if (care_lanes(v) & before) {
					plain = 0;
					le = value_end(b, le, end, &esc);
					break;
				}
				wasm_v128_store(w + (le - vs), v);
				if (at) {
					le += __builtin_ctz(at);
					break;
				}
				le += 16;
			}
		} else {
			le = value_end(b, vs, end, &esc);
		}
		if (le + 1 >= end || b[le + 1] != '\n')
			return -1;
		i32 ve = le;
		while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t'))
			ve--;
		if (!note_field(b, p, colon, vs, ve))
			return -1;
		if (write) {
			ns_[n] = p;
			ne_[n] = colon;
			unsigned long long bit = 1ull << (((colon - p) * 5 + b[colon - 1]) & 63);
			again |= seen & bit;
			seen |= bit;
			w = plain ? w + (ve - vs) : escape_into(b, vs, ve, w);
			*w++ = '"';
			o = w;
		}
		n++;
		p = le + 2;
	}
	if (write) {
		*out = o;
		*stop = p;
		names_may_repeat = again != 0;
	}
	return n;
}

/* The fields of b[p..end) read, not written (no room for their text: the answer is ROOM, or one before it). */
static i32 check_fields(const u8 *b, i32 p, i32 end)
{
	return fields(b, p, end, 0, 0, 0, 0);
}

/* The fields of b[p..end) read and written at *o (see fields); past MAX_FIELDS, read only. */
static i32 write_fields(const u8 *b, i32 p, i32 end, u8 **o)
{
	i32 stop;
	i32 n = fields(b, p, end, 1, 0, o, &stop);
	if (n < 0 || stop >= end)
		return n;
	i32 more = check_fields(b, stop, end);
	return more < 0 ? -1 : n + more;
}

/* The fields up to the head's first empty line, read and written at *o; its CR at *blank. See fields. */
static i32 write_open_fields(const u8 *b, i32 p, i32 end, u8 **o, i32 *blank)
{
	return fields(b, p, end, 1, 1, o, blank);
}

/* Whether two of the first n fields' names are the same bytes (spansJsonInto leaves such to the JS parser). */
static i32 repeated_name(const u8 *b, i32 n)
{
	for (i32 i = 1; i < n; i++)
		for (i32 j = 0; j < i; j++)
			if (same_name(b, i, j))
				return 1;
	return 0;
}

/* scanChunked of body.ts over b[from..end): sets *size; returns the end, -1 more data, -2 invalid. */
static i32 scan_chunked(const u8 *b, i32 from, i32 end, double *size)
{
	i32 p = from;
	double total = 0;
	for (;;) {
		double n = 0;
		i32 digits = 0;
		while (p < end) {
			i32 v = hex_value(b[p]);
			if (v < 0)
				break;
			if (++digits > MAX_HEX_DIGITS)
				return -2;
			n = n * 16 + v;
			p++;
		}
		if (p >= end)
			return -1;
		if (digits == 0)
			return -2;
		i32 line_start = p;
		while (p < end && b[p] != '\n') {
			if (p - line_start > MAX_CHUNK_LINE)
				return -2;
			p++;
		}
		if (p >= end)
			return -1;
		if (b[p - 1] != '\r')
			return -2;
		p++;
		if (n == 0) {
			for (;;) {
				i32 ls = p;
				while (p < end && b[p] != '\n') {
					if (p - ls > 16 * 1024)
						return -2;
					p++;
				}
				if (p >= end)
					return -1;
				if (b[p - 1] != '\r' || p - 1 < ls)
					return -2;
				p++;
				if (p - ls == 2) {
					*size = total;
					return p;
				}
			}
		}
		if ((double)p + n + 2 > end)
			return -1;
		i32 c = (i32)n;
		if (b[p + c] != '\r' || b[p + c + 1] != '\n')
			return -2;
		total += n;
		p += c + 2;
	}
}

/* gatherChunked of body.ts: the de-chunked body of a well-formed section, up to limit bytes, to o. */
static u8 *gather_chunked(const u8 *b, i32 p, i32 limit, u8 *o)
{
	i32 have = 0;
	while (have < limit) {
		i32 n = 0;
		while (hex_value(b[p]) >= 0)
			n = n * 16 + hex_value(b[p++]);
		while (b[p] != '\n')
			p++;
		p++;
		if (n == 0)
			break;
		i32 take = n < limit - have ? n : limit - have;
		__builtin_memcpy(o, b + p, (unsigned long)take);
		o += take;
		have += take;
		p += n + 2;
	}
	return o;
}

/*
 * The first i with b[i..i+4) == CRLFCRLF and i + 3 < avail, or -1: 16 starts a step where b[i] and b[i + 2] are
 * both CR (rare but at the end of the head), then the LFs checked.
 */
static i32 find_head_end(const u8 *b, i32 avail)
{
	const v128_t cr = wasm_i8x16_splat('\r');
	i32 i = 0;
	for (; i + 19 <= avail; i += 16) {
		v128_t both = wasm_v128_and(wasm_i8x16_eq(wasm_v128_load(b + i), cr), wasm_i8x16_eq(wasm_v128_load(b + i + 2), cr));
		for (u32 m = wasm_i8x16_bitmask(both); m; m &= m - 1) {
			i32 k = i + __builtin_ctz(m);
			if (b[k + 1] == '\n' && b[k + 3] == '\n')
				return k;
		}
	}
	for (; i + 3 < avail; i++)
		if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n')
			return i;
	return -1;
}

/*
 * The first LF of b[0..limit), or limit: 16 bytes a step while whole vectors lie in b[0..in_lim) (an LF past
 * limit found that way is as good as none), then byte by byte.
 */
static i32 find_lf(const u8 *b, i32 limit)
{
	const v128_t lf = wasm_i8x16_splat('\n');
	i32 i = 0;
	for (; i < limit && i + 16 <= in_lim; i += 16) {
		u32 m = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(b + i), lf));
		if (m) {
			i += __builtin_ctz(m);
			return i < limit ? i : limit;
		}
	}
	while (i < limit && b[i] != '\n')
		i++;
	return i;
}

static i32 done(i32 kind)
{
	res[S_KIND] = kind;
	return kind;
}

/*
 * startLine within b[0..limit): -1 invalid, else the minor version, with the path or reason at b[*ts..*te), the
 * status (responses) at *status and the first field's line at *next. method and sp: plausibleStart's.
 */
static i32 start_line(i32 type, const u8 *b, i32 limit, i32 method, i32 sp, i32 *ts, i32 *te, i32 *status_, i32 *next)
{
	i32 lf = find_lf(b, limit);
	if (lf < 1 || lf >= limit || b[lf - 1] != '\r')
		return -1;
	i32 end = lf - 1, minor, status = 0;
	*next = lf + 1;
	if (type == 0) {
		/* No known method before the first space, or that space is past the line's CR. */
		if (method == 0 || sp >= end)
			return -1;
		i32 ps = sp + 1, pe = ps;
		/* The target: no byte < 0x21 or DEL before the space ending it; 16 bytes a step, then byte by byte. */
		while (pe + 16 <= end) {
			v128_t v = wasm_v128_load(b + pe);
			u32 sp_at = wasm_i8x16_bitmask(wasm_i8x16_eq(v, wasm_i8x16_splat(' ')));
			u32 bad = wasm_i8x16_bitmask(wasm_v128_or(wasm_u8x16_lt(v, wasm_i8x16_splat(0x21)), wasm_i8x16_eq(v, wasm_i8x16_splat(0x7f))));
			u32 before = sp_at ? (sp_at & -sp_at) - 1 : 0xffff;
			if (bad & before)
				return -1;
			if (sp_at) {
				pe += __builtin_ctz(sp_at);
				break;
			}
			pe += 16;
		}
		while (pe < end && b[pe] != ' ') {
			if (b[pe] < 0x21 || b[pe] == 0x7f)
				return -1;
			pe++;
		}
		if (pe == ps || pe + 9 != end)
			return -1;
		minor = version(b + pe + 1);
		if (minor < 0)
			return -1;
		*ts = ps;
		*te = pe;
	} else {
		if (end < 12)
			return -1;
		minor = version(b);
		if (minor < 0 || b[8] != ' ')
			return -1;
		for (i32 i = 9; i < 12; i++) {
			i32 d = (i32)b[i] - '0';
			if (d < 0 || d > 9)
				return -1;
			status = status * 10 + d;
		}
		if (status < 100)
			return -1;
		if (end > 12 && b[12] != ' ')
			return -1;
		*ts = 13 < end ? 13 : end;
		*te = end;
	}
	*status_ = status;
	return minor;
}

/*
 * Parses the message at b[0..avail), of which the stream holds len bytes in all (avail <= len: the rest was
 * not handed in), and writes its text to out[0..out_cap). type 0 request, 1 response; answered: M_* of the
 * oldest unanswered request (responses).
 */
__attribute__((export_name("parse_message"))) i32 parse_message(i32 type, const u8 *b, i32 avail, i32 len, i32 answered,
								  i32 headers_limit, i32 body_limit, u8 *out, i32 out_cap)
{
	if (!class_ready)
		init_class();
	if (avail <= 0 || avail > len)
		return done(R_FALLBACK);
	in_lim = avail;
	/*
	 * plausibleStart. A request whose first space (within MAX_METHOD_LENGTH + 1 bytes) ends a known method is
	 * plausible, and that is its method; else only the prefix check can tell, and its first line is invalid.
	 */
	i32 method = 0, sp = 0;
	if (type == 0) {
		i32 n = avail < MAX_METHOD_LENGTH + 1 ? avail : MAX_METHOD_LENGTH + 1;
		while (sp < n && b[sp] != ' ')
			sp++;
		if (sp < n)
			method = method_at(b, sp);
		if (method == 0 && !could_be_method_prefix(b, avail))
			return done(R_INVALID);
	} else {
		i32 n = avail < 7 ? avail : 7;
		for (i32 i = 0; i < n; i++)
			if (b[i] != HTTP1[i])
				return done(R_INVALID);
	}
	i32 hdr_end = -1, ts = 0, te = 0, minor = 0, status = 0, next = 0, nfields = -1;
	u8 *o = out, *json = 0;
	/*
	 * The common message, read once: with room for the worst case of the text of all that was handed in, the
	 * first line and the fields are read, and written, up to the empty line ending the head, with no search
	 * for that end first. If anything there is not as it should be, the general path below answers, from the
	 * start, in its order (a partial head before an invalid line, ROOM before the JSON's FALLBACK cases).
	 */
	f.content_length = -1;
	f.chunked = f.json = f.text = f.encoded = f.upgrade = f.connection_upgrade = 0;
	if (6.0 * avail + 2 + 16 <= out_cap) {
		minor = start_line(type, b, avail, method, sp, &ts, &te, &status, &next);
		if (minor >= 0) {
			o = latin1_into(b, ts, te, out);
			json = o;
			high = 0;
			i32 blank;
			nfields = write_open_fields(b, next, avail, &o, &blank);
			hdr_end = blank - 2;
		}
	}
	if (nfields < 0) {
		hdr_end = find_head_end(b, avail);
		/* A partial head (the JS parser checks its first line), or one longer than what was copied. */
		if (hdr_end < 0)
			return done(avail < len ? R_WIDER : R_FALLBACK);
		minor = start_line(type, b, hdr_end + 2, method, sp, &ts, &te, &status, &next);
		if (minor < 0)
			return done(R_INVALID);
		f.content_length = -1;
		f.chunked = f.json = f.text = f.encoded = f.upgrade = f.connection_upgrade = 0;
		/*
		 * With room for the worst case of the path or reason and of the whole head's JSON (6 bytes a head byte
		 * bound a field's members, quotes and comma; need's 6 a field is more than that), the text is written
		 * while the fields are read, at the place it has in the end; else they are only read and the answer is
		 * ROOM, or an earlier one, as need is larger still.
		 */
		o = out;
		json = 0;
		if (2.0 * (te - ts) + 6.0 * (hdr_end + 2 - next) + 2 + 16 <= out_cap) {
			o = latin1_into(b, ts, te, out);
			json = o;
			high = 0;
			nfields = write_fields(b, next, hdr_end + 2, &o);
		} else {
			nfields = check_fields(b, next, hdr_end + 2);
		}
		if (nfields < 0)
			return done(R_INVALID);
	}
	i32 start = hdr_end + 4;

	/* Body framing (frameBody, and the bodiless responses of finishResponse). */
	double body_size = 0;
	i32 body_end = start;
	i32 to_end = 0;
	if (type == 1) {
		if (status < 200 && status != 101) {
			res[S_CONSUMED] = start;
			return done(R_IGNORED);
		}
		if (status == 101 || status == 204 || status == 304 || answered == M_HEAD ||
		    (answered == M_CONNECT && status < 300))
			goto framed;
		to_end = 1;
	}
	if (f.chunked) {
		i32 e = scan_chunked(b, start, avail, &body_size);
		if (e == -1)
			return done(avail < len ? R_WIDER : R_NEEDS_MORE);
		if (e < 0)
			return done(R_INVALID);
		body_end = e;
	} else if (f.content_length >= 0) {
		if ((double)start + f.content_length > len)
			return done(R_NEEDS_MORE);
		body_size = f.content_length;
		body_end = start + (i32)f.content_length;
	} else if (to_end) {
		body_end = len;
		body_size = len - start;
	}
framed:;
	/* Compressed text is inflated by the JS parser (zlib). */
	if (body_size > 0 && body_limit > 0 && f.encoded && f.text)
		return done(R_FALLBACK);
	i32 body_take = body_size < body_limit ? (i32)body_size : body_limit;
	if (!f.chunked && body_take > 0 && start + body_take > avail)
		return done(R_WIDER);
	/* Worst case of what is written (text doubled, JSON bound as spansJsonBound, the body), and the vector copies' overshoot. */
	double need = 2.0 * (te - ts) + 6.0 * (hdr_end + 2 - next) + 6.0 * nfields + 2 + body_take + 16;
	if (need > out_cap) {
		res[S_NEED] = (i32)need;
		return done(R_ROOM);
	}

	/* need >= the bound above: json is set. spansJsonInto's cases for the JS parser. */
	res[S_TEXT_END] = (i32)(json - out);
	if (nfields > MAX_FIELDS || (names_may_repeat && repeated_name(b, nfields)))
		return done(R_FALLBACK);
	if (nfields == 0)
		o = json + 1;
	*json = '{';
	*o++ = '}';
	if ((o - json) - high > headers_limit)
		return done(R_FALLBACK);
	res[S_HEADERS_END] = (i32)(o - out);
	if (body_size > 0 && body_limit > 0) {
		if (f.chunked) {
			o = gather_chunked(b, start, body_limit, o);
		} else {
			__builtin_memcpy(o, b + start, (unsigned long)body_take);
			o += body_take;
		}
	}
	res[S_OUT_END] = (i32)(o - out);
	res[S_CONSUMED] = body_end;
	res[S_METHOD] = method;
	res[S_STATUS] = status;
	res[S_MINOR] = minor;
	res[S_JSON] = f.json;
	res[S_BODY_SIZE] = (i32)body_size;
	res[S_UPGRADE] = type == 0 && (method == METHOD_CONNECT || (f.upgrade && f.connection_upgrade));
	return done(R_SUCCESS);
}
