// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Socket tracing at the exit of the socket syscalls (no kprobes), in three variants of the same handlers:
 * - fexit programs on the syscall functions themselves (__x64_sys_read(const struct pt_regs *regs) ...,
 *   BPF trampolines): only the hooked syscalls pay, one trampoline call each. Preferred.
 * - raw tracepoint (x86_64): one program on the sys_exit raw tracepoint (tp_btf: called directly by the
 *   tracepoint, no perf record) that switches on the syscall's number to the handlers; any other syscall
 *   returns at once. Attaching it sets TIF_SYSCALL_TRACEPOINT on every task (every syscall takes the slow
 *   syscall path and runs the program), but the hooked syscalls skip the perf record of the syscall
 *   tracepoints. The fallback for kernels without trampolines.
 * - sys_exit_* tracepoints, the last resort. Enabling any syscall tracepoint sets TIF_SYSCALL_TRACEPOINT on
 *   every task too, and each hooked syscall then builds a perf trace record before the program runs.
 * User space loads one variant (autoload) and attaches it; never two.
 * Only exit programs: at a syscall's exit its arguments are still in the registers user space passed them in
 * (the task's saved pt_regs, which these syscalls leave alone; fexit gets that same pt_regs as its argument),
 * so nothing is stashed at entry: half the program runs and no per-thread map write.
 * Only IPv4/IPv6 sockets are traced; the fd's file is checked in the kernel (files and pipes give nothing).
 */
#include "common.bpf.h"
#include "infer.bpf.h"
#include <bpf/bpf_tracing.h>

/* Load-time settings (user space sets them in .rodata before load). */
const volatile __u32 data_cap = NIXIE_DEFAULT_DATA_CAP;
const volatile bool capture_unknown = false;
const volatile __u32 stats_threshold = NIXIE_DEFAULT_STATS_THRESHOLD;
const volatile __u32 chunk_limit = NIXIE_DEFAULT_CHUNK_LIMIT;

/*
 * Which sides of a connection get data events (the agent's role policy, applied before any byte is copied):
 * a side not captured still has its positions, stats, open and close. By default everything is captured.
 */
enum capture_mode {
	CAPTURE_ALL = 0,
	CAPTURE_NOT_LOOPBACK = 1, /* not when the peer is a loopback address (the other side records it) */
	CAPTURE_NONE = 2,
};
const volatile __u8 client_capture = CAPTURE_ALL;
const volatile __u8 server_capture = CAPTURE_ALL;

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EINPROGRESS 115
#define MAX_STEPS 8192

/*
 * The symbol of a syscall's function: the arch's wrapper that takes the user's registers as a pt_regs
 * (CONFIG_ARCH_HAS_SYSCALL_WRAPPER; every arch libbpf has syscall-argument macros for).
 */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_FN(name) "__x64_sys_" #name
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_FN(name) "__arm64_sys_" #name
#elif defined(__TARGET_ARCH_s390)
#define SYSCALL_FN(name) "__s390x_sys_" #name
#elif defined(__TARGET_ARCH_riscv)
#define SYSCALL_FN(name) "__riscv_sys_" #name
#else
#error "socket_trace: no syscall wrapper symbol known for this arch (set SYSCALL_FN)"
#endif

#if defined(__TARGET_ARCH_x86)
/* x86_64 syscall numbers of the hooked syscalls (arch/x86/entry/syscalls/syscall_64.tbl): the ABI. */
enum {
	NR_read = 0, NR_write = 1, NR_close = 3, NR_readv = 19, NR_writev = 20, NR_sendfile64 = 40,
	NR_connect = 42, NR_accept = 43, NR_sendto = 44, NR_recvfrom = 45, NR_sendmsg = 46, NR_recvmsg = 47,
	NR_accept4 = 288, NR_recvmmsg = 299, NR_sendmmsg = 307,
};
/* The raw tracepoint variant (see the top) dispatches on these numbers. */
#define NIXIE_SYS_EXIT_RAW 1
#endif

#ifdef NIXIE_FEXIT_ON_SYS_EXIT
/*
 * Test build (build/socket_trace_sys_exit.bpf.o, x86_64): the fexit programs attach to the sys_exit raw
 * tracepoint instead, whose BTF context is the same (regs, ret), and keep to their own syscall by its
 * number. The fexit variant's code then runs, and is tested, on kernels that refuse trampolines.
 */
#define FEXIT_SEC(name) SEC("tp_btf/sys_exit")
#define FEXIT_ONLY(name)                    \
	if (regs->orig_ax != NR_##name) \
		return 0;
#else
#define FEXIT_SEC(name) SEC("fexit/" SYSCALL_FN(name))
#define FEXIT_ONLY(name)
#endif

/* How the exit handler finds the bytes of a syscall. */
enum buf_mode {
	MODE_BUF = 0,  /* one buffer: read, write, sendto, recvfrom */
	MODE_IOV = 1,  /* an iovec array: readv, writev */
	MODE_MSG = 2,  /* a user_msghdr: sendmsg, recvmsg */
	MODE_MMSG = 3, /* an mmsghdr array: sendmmsg, recvmmsg */
	MODE_NONE = 4, /* no bytes to read: sendfile */
};

struct syscall_args {
	__u8 sys;  /* enum nixie_syscall */
	__u8 dir;  /* enum nixie_direction */
	__u8 mode; /* enum buf_mode */
	__u8 _pad;
	__s32 fd;
	__u64 buf;   /* buffer, iovec array, msghdr or mmsghdr array */
	__u64 count; /* buffer length or iovec count */
	__u64 addr;  /* sockaddr (sendto/recvfrom/connect) */
};

struct conn_state {
	__u64 start_time_ns;
	__u64 generation;
	__u64 pos[2];       /* by direction */
	__u64 stats_total;  /* pos[0] + pos[1] at the last stats event */
	__u8 protocol;
	__u8 role;
	__u8 flags;
	__u8 peer_loopback; /* the peer is 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104 */
	__u16 sock_type;
	__u16 family;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NIXIE_MAX_CONNS);
	__type(key, __u64); /* tgid << 32 | fd */
	__type(value, struct conn_state);
} conns SEC(".maps");

/* Scratch space for one data event (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nixie_data_event);
} data_scratch SEC(".maps");

static __always_inline __u64 conn_key(__u32 tgid, __s32 fd)
{
	return ((__u64)tgid << 32) | (__u32)fd;
}

/*
 * The struct sock behind `fd` if it is an IPv4/IPv6 socket, else NULL. Every hooked syscall on an fd that is not
 * a known connection comes here (files, pipes, eventfds, unix sockets), so the walk to the fd's file reads the
 * task's fields as BTF pointers (plain loads; a fault reads 0, as a failed probe read does) rather than one
 * probe-read helper call per field (bpf/README.md has the cost). The file pointer (an element of an array of
 * pointers, which BTF types as a scalar) and the fields behind it still take probe reads: loads there need
 * bpf_rdonly_cast, a kfunc of kernel 6.2+.
 * No cache of "not a socket" verdicts: an fd number can turn into a socket with no hooked syscall seeing it
 * (dup2/dup3 onto it, close_range or exec closing it and socket() reusing it), and a stale verdict would lose
 * that connection's data.
 */
static __always_inline struct sock *inet_sock_of_fd(__s32 fd)
{
	if (fd < 0)
		return NULL;
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = t->files->fdt;
	if (!fdt || (__u32)fd >= fdt->max_fds)
		return NULL;
	struct file **fds = fdt->fd;
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	return sk;
}

static __always_inline void sock_addrs(struct sock *sk, struct nixie_sockaddr *local, struct nixie_sockaddr *remote)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	local->family = family;
	remote->family = family;
	local->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	remote->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		bpf_core_read(local->addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(remote->addr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(local->addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(remote->addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

/* Reads an IPv4/IPv6 sockaddr from user memory; leaves `out` zeroed for anything else. */
static __always_inline void user_sockaddr(__u64 uaddr, struct nixie_sockaddr *out)
{
	if (!uaddr)
		return;
	struct sockaddr_in6 sa = {};
	if (bpf_probe_read_user(&sa, sizeof(sa.sin6_family) + sizeof(sa.sin6_port) + sizeof(sa.sin6_flowinfo), (void *)uaddr))
		return;
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&sa;
		out->family = AF_INET;
		out->port = bpf_ntohs(sin->sin_port);
		__builtin_memcpy(out->addr, &sin->sin_addr, 4);
	} else if (sa.sin6_family == AF_INET6) {
		if (bpf_probe_read_user(&sa, sizeof(sa), (void *)uaddr))
			return;
		out->family = AF_INET6;
		out->port = bpf_ntohs(sa.sin6_port);
		__builtin_memcpy(out->addr, &sa.sin6_addr, 16);
	}
}

/* Whether the connection's peer (its destination address) is a loopback address. */
static __always_inline bool peer_is_loopback(struct sock *sk, __u16 family)
{
	if (family == AF_INET) {
		__u8 a0 = 0;
		bpf_core_read(&a0, 1, &sk->__sk_common.skc_daddr);
		return a0 == 127;
	}
	__u32 a[4] = {};
	bpf_core_read(a, 16, &sk->__sk_common.skc_v6_daddr);
	if (a[0] != 0 || a[1] != 0)
		return false;
	if (a[2] == 0)
		return a[3] == bpf_htonl(1);
	return a[2] == bpf_htonl(0xffff) && (a[3] & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000);
}

/* Whether this side of the connection gets data events (client_capture / server_capture). */
static __always_inline bool role_captured(const struct conn_state *c)
{
	__u8 mode = c->role == NIXIE_ROLE_CLIENT ? client_capture : c->role == NIXIE_ROLE_SERVER ? server_capture : CAPTURE_ALL;
	return mode == CAPTURE_ALL || (mode == CAPTURE_NOT_LOOPBACK && !c->peer_loopback);
}

static __always_inline void fill_header(struct nixie_event_header *h, __u8 kind, __u32 tgid, __s32 fd,
					const struct conn_state *c)
{
	h->kind = kind;
	h->protocol = c->protocol;
	h->role = c->role;
	h->flags = c->flags;
	h->cpu = bpf_get_smp_processor_id();
	h->timestamp_ns = bpf_ktime_get_ns();
	h->conn.start_time_ns = c->start_time_ns;
	h->conn.pid = tgid;
	h->conn.fd = fd;
	h->conn.generation = c->generation;
}

/* Starts tracking a connection and sends its open event; returns the map's copy. */
static __always_inline struct conn_state *open_conn(__u32 tgid, __s32 fd, struct sock *sk, __u8 role, __u8 sys)
{
	__u64 key = conn_key(tgid, fd);
	struct conn_state c = {};
	c.start_time_ns = current_start_time();
	c.generation = bpf_ktime_get_ns();
	c.role = role;
	c.sock_type = BPF_CORE_READ(sk, sk_type);
	c.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	c.peer_loopback = peer_is_loopback(sk, c.family);
	bpf_map_update_elem(&conns, &key, &c, BPF_ANY);

	struct nixie_conn_open_event ev = {};
	fill_header(&ev.hdr, NIXIE_EV_CONN_OPEN, tgid, fd, &c);
	sock_addrs(sk, &ev.local, &ev.remote);
	ev.sock_type = c.sock_type;
	ev.syscall = sys;
	submit(&ev, sizeof(ev), NIXIE_EV_CONN_OPEN);
	return bpf_map_lookup_elem(&conns, &key);
}

static __always_inline void send_totals(__u8 kind, __u32 tgid, __s32 fd, const struct conn_state *c)
{
	struct nixie_conn_close_event ev = {};
	fill_header(&ev.hdr, kind, tgid, fd, c);
	ev.bytes_sent = c->pos[NIXIE_DIR_EGRESS];
	ev.bytes_recv = c->pos[NIXIE_DIR_INGRESS];
	submit(&ev, sizeof(ev), kind);
}

/* ---------- exit: produce events ---------- */

/*
 * A syscall's arguments, read at its exit from the registers user space passed them in: `regs`, the pt_regs
 * an fexit program gets as its argument, or NULL for the task's saved ones (tracepoints; the same registers).
 * False when the calling process is not traced.
 */
static __always_inline bool exit_args(struct syscall_args *a, __u32 tgid, const struct pt_regs *regs, __u8 sys, __u8 dir,
				      __u8 mode)
{
	if (!pid_traced(tgid))
		return false;
	if (!regs)
		regs = (const struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	a->sys = sys;
	a->dir = dir;
	a->mode = mode;
	a->fd = PT_REGS_PARM1_SYSCALL(regs);
	a->buf = mode == MODE_NONE ? 0 : PT_REGS_PARM2_SYSCALL(regs);
	/* sendmsg/recvmsg: one message; the third argument is flags. */
	a->count = mode == MODE_BUF || mode == MODE_IOV || mode == MODE_MMSG ? PT_REGS_PARM3_SYSCALL(regs) : 1;
	/* sendto/recvfrom(fd, buf, len, flags, addr, addrlen) */
	a->addr = sys == NIXIE_SYS_SENDTO || sys == NIXIE_SYS_RECVFROM ? PT_REGS_PARM5_SYSCALL(regs) : 0;
	return true;
}

#ifdef NIXIE_SYS_EXIT_RAW
/* The raw tracepoint variant's handler of one syscall, inlined in its dispatcher (nixie_raw_sys_exit, at the end). */
#define RAW_HANDLER(name, call)                                                        \
	static __always_inline int raw_##name(const struct pt_regs *regs, long ret)    \
	{                                                                              \
		return call;                                                           \
	}
#else
#define RAW_HANDLER(name, call)
#endif

/*
 * The handlers, shared by every variant: `regs` as for exit_args, `ret` the syscall's return value.
 * Each hook gets one program per variant: SEC("tracepoint/syscalls/sys_exit_<name>") nixie_exit_<name> and
 * SEC("fexit/<arch>_sys_<name>") nixie_fexit_<name>, and (x86_64) a case in nixie_raw_sys_exit.
 */
#define SYSCALL_EXIT(name, call)                                                       \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                     \
	int nixie_exit_##name(struct trace_event_raw_sys_exit *ctx)                    \
	{                                                                              \
		const struct pt_regs *regs = NULL;                                     \
		long ret = ctx->ret;                                                   \
		return call;                                                           \
	}                                                                              \
	FEXIT_SEC(name)                                                                \
	int BPF_PROG(nixie_fexit_##name, const struct pt_regs *regs, long ret)         \
	{                                                                              \
		FEXIT_ONLY(name)                                                       \
		return call;                                                           \
	}                                                                              \
	RAW_HANDLER(name, call)

static __always_inline int exit_open(const struct pt_regs *regs, long ret, __u8 sys, __u8 role)
{
	if (role == NIXIE_ROLE_CLIENT ? ret != 0 && ret != -EINPROGRESS : ret < 0)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct syscall_args a;
	if (!exit_args(&a, tgid, regs, sys, 0, MODE_NONE))
		return 0;
	__s32 fd = role == NIXIE_ROLE_CLIENT ? a.fd : ret;
	struct sock *sk = inet_sock_of_fd(fd);
	if (!sk)
		return 0;
	open_conn(tgid, fd, sk, role, sys);
	return 0;
}

static __always_inline int exit_close(const struct pt_regs *regs, long ret)
{
	if (ret != 0)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct syscall_args a;
	if (!exit_args(&a, tgid, regs, NIXIE_SYS_CLOSE, 0, MODE_NONE))
		return 0;
	__u64 key = conn_key(tgid, a.fd);
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return 0;
	send_totals(NIXIE_EV_CONN_CLOSE, tgid, a.fd, c);
	bpf_map_delete_elem(&conns, &key);
	return 0;
}

SYSCALL_EXIT(connect, exit_open(regs, ret, NIXIE_SYS_CONNECT, NIXIE_ROLE_CLIENT))
SYSCALL_EXIT(accept, exit_open(regs, ret, NIXIE_SYS_ACCEPT, NIXIE_ROLE_SERVER))
SYSCALL_EXIT(accept4, exit_open(regs, ret, NIXIE_SYS_ACCEPT4, NIXIE_ROLE_SERVER))
SYSCALL_EXIT(close, exit_close(regs, ret))

/* Walks the bytes of one syscall (buffers, iovecs, messages) one step per bpf_loop iteration. */
struct walk {
	struct nixie_event_header hdr; /* template for data events */
	struct nixie_sockaddr remote;
	__u64 pos;      /* stream position of the next byte */
	__u64 buf;      /* current segment */
	__u64 buf_len;  /* bytes left in the current segment */
	__u64 iov;      /* current iovec array */
	__u64 iovcnt;
	__u64 iov_idx;
	__u64 msgvec;   /* mmsghdr array */
	__u32 nmsgs;
	__u32 msg_idx;
	__u64 msg_left; /* bytes of the current message not walked yet */
	__u32 msg_size;
	__u32 msg_off;
	__u32 chunks;   /* data events sent for the current message */
	__u8 dir;
	__u8 sys;
	__u8 emit;      /* send data events (else only count positions) */
	__u8 mode;
};

/*
 * The walk lives in a per-CPU map, not on the stack: the verifier then sees its fields as unknown
 * scalars, so the bpf_loop callback's states converge instead of being explored once per iteration.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk);
} walk_scratch SEC(".maps");

static __always_inline void emit_chunk(struct walk *w, __u32 n)
{
	__u32 zero = 0;
	struct nixie_data_event *e = bpf_map_lookup_elem(&data_scratch, &zero);
	if (!e)
		return;
	e->hdr = w->hdr;
	e->hdr.timestamp_ns = bpf_ktime_get_ns();
	e->pos = w->pos;
	e->msg_size = w->msg_size;
	e->chunk_offset = w->msg_off;
	e->direction = w->dir;
	e->syscall = w->sys;
	e->remote = w->remote;
	if (n > NIXIE_MAX_DATA_SIZE)
		n = NIXIE_MAX_DATA_SIZE;
	if (w->msg_left > n)
		e->hdr.flags |= NIXIE_FLAG_TRUNCATED;
	e->data_len = n;
	if (n > 0 && bpf_probe_read_user(e->data, n, (void *)w->buf) != 0)
		e->data_len = n = 0;
	if (n > NIXIE_MAX_DATA_SIZE)
		return;
	submit(e, offsetof(struct nixie_data_event, data) + n, NIXIE_EV_DATA);
}

/* Loads the next message of an mmsghdr array; returns false when there is none. */
static __always_inline bool next_mmsg(struct walk *w)
{
	if (w->msg_idx >= w->nmsgs)
		return false;
	struct mmsghdr m = {};
	bpf_probe_read_user(&m, sizeof(m), (void *)(w->msgvec + (__u64)w->msg_idx * sizeof(struct mmsghdr)));
	w->msg_idx++;
	w->iov = (__u64)m.msg_hdr.msg_iov;
	w->iovcnt = m.msg_hdr.msg_iovlen;
	w->iov_idx = 0;
	w->msg_left = m.msg_len;
	w->msg_size = m.msg_len;
	w->msg_off = 0;
	w->chunks = 0;
	__builtin_memset(&w->remote, 0, sizeof(w->remote));
	if (m.msg_hdr.msg_namelen > 0)
		user_sockaddr((__u64)m.msg_hdr.msg_name, &w->remote);
	if (!w->emit) {
		w->pos += w->msg_left;
		w->msg_left = 0;
	}
	return true;
}

static long walk_step(__u32 i, void *ctx)
{
	__u32 zero = 0;
	struct walk *w = bpf_map_lookup_elem(&walk_scratch, &zero);
	if (!w)
		return 1;
	if (w->buf_len == 0) {
		if (w->msg_left > 0 && w->iov_idx < w->iovcnt) {
			struct iovec v = {};
			bpf_probe_read_user(&v, sizeof(v), (void *)(w->iov + w->iov_idx * sizeof(struct iovec)));
			w->iov_idx++;
			w->buf = (__u64)v.iov_base;
			w->buf_len = v.iov_len < w->msg_left ? v.iov_len : w->msg_left;
			return 0;
		}
		/* The message is done (bytes the iovecs did not cover are a gap). */
		w->pos += w->msg_left;
		w->msg_left = 0;
		if (w->mode == MODE_MMSG && next_mmsg(w))
			return 0;
		return 1;
	}
	__u32 cap = data_cap;
	__u32 n = w->buf_len < cap ? w->buf_len : cap;
	if (w->chunks >= chunk_limit) {
		/* Skip the rest of this message: user space sees a gap. */
		w->pos += w->msg_left;
		w->msg_left = 0;
		w->buf_len = 0;
		w->iov_idx = w->iovcnt;
		return 0;
	}
	emit_chunk(w, n);
	w->chunks++;
	w->buf += n;
	w->buf_len -= n;
	w->msg_left -= n;
	w->msg_off += n;
	w->pos += n;
	return 0;
}

/* Address of the first segment's bytes, and its length, for protocol inference. */
static __always_inline __u64 first_segment(struct syscall_args *a, __u64 *len)
{
	struct iovec v = {};
	__u64 iov = 0;
	if (a->mode == MODE_BUF) {
		*len = a->count;
		return a->buf;
	}
	if (a->mode == MODE_IOV) {
		iov = a->buf;
	} else if (a->mode == MODE_MSG) {
		struct user_msghdr m = {};
		bpf_probe_read_user(&m, sizeof(m), (void *)a->buf);
		iov = (__u64)m.msg_iov;
	} else if (a->mode == MODE_MMSG) {
		struct mmsghdr m = {};
		bpf_probe_read_user(&m, sizeof(m), (void *)a->buf);
		iov = (__u64)m.msg_hdr.msg_iov;
	}
	if (!iov)
		return 0;
	bpf_probe_read_user(&v, sizeof(v), (void *)iov);
	*len = v.iov_len;
	return (__u64)v.iov_base;
}

static __always_inline void maybe_infer(struct conn_state *c, struct syscall_args *a, __u64 msg_len)
{
	__u64 seg_len = 0;
	__u64 seg = first_segment(a, &seg_len);
	if (!seg)
		return;
	if (seg_len > msg_len)
		seg_len = msg_len;
	__u8 b[INFER_BYTES] = {};
	__u32 n = seg_len < INFER_BYTES ? seg_len : INFER_BYTES;
	if (n == 0 || bpf_probe_read_user(b, n, (void *)seg))
		return;
	struct infer_result r = infer_protocol(b, msg_len > 0xffffffff ? 0xffffffff : msg_len, c->sock_type);
	if (r.protocol == NIXIE_PROTO_UNKNOWN)
		return;
	c->protocol = r.protocol;
	if (c->role == NIXIE_ROLE_UNKNOWN && r.msg_type != MSG_UNKNOWN) {
		bool sent_request = (a->dir == NIXIE_DIR_EGRESS) == (r.msg_type == MSG_REQUEST);
		c->role = sent_request ? NIXIE_ROLE_CLIENT : NIXIE_ROLE_SERVER;
		c->flags |= NIXIE_FLAG_ROLE_INFERRED;
	}
}

/* Length of the first message of an mmsghdr array (for inference). */
static __always_inline __u64 first_mmsg_len(__u64 msgvec)
{
	struct mmsghdr m = {};
	bpf_probe_read_user(&m, sizeof(m), (void *)msgvec);
	return m.msg_len;
}

/* The fields of a single-segment data event, but its bytes. */
static __always_inline void fill_single(struct nixie_data_event *e, struct conn_state *c, __u32 tgid, struct syscall_args *a,
					__u8 dir, __u32 n)
{
	fill_header(&e->hdr, NIXIE_EV_DATA, tgid, a->fd, c);
	e->pos = c->pos[dir];
	e->msg_size = n;
	e->data_len = n;
	e->chunk_offset = 0;
	e->direction = dir;
	e->syscall = a->sys;
	e->_pad0 = 0;
	e->_pad1 = 0;
	__builtin_memset(&e->remote, 0, sizeof(e->remote));
	if (a->addr)
		user_sockaddr(a->addr, &e->remote);
}

/*
 * The common case in one event, without the walk: a single buffer (read, write, sendto, recvfrom) or an
 * iovec array whose first segment holds every byte (Node's writev), no larger than the cap. The event is
 * reserved in the ring in one of a few size classes (the verifier wants a constant size) and the bytes are
 * read from user memory straight into it: no scratch copy. The slack at the end of the record is never
 * read (data_len says where the bytes end) and costs at most a third of the record. Returns false when the
 * syscall needs the walk.
 */
static __always_inline bool emit_single(struct conn_state *c, __u32 tgid, struct syscall_args *a, __u8 dir, __u64 ret)
{
	if (ret > data_cap || ret > NIXIE_MAX_DATA_SIZE)
		return false;
	__u64 buf = a->buf;
	if (a->mode == MODE_IOV) {
		struct iovec v = {};
		if (a->count == 0 || bpf_probe_read_user(&v, sizeof(v), (void *)a->buf) || v.iov_len < ret)
			return false;
		buf = (__u64)v.iov_base;
	} else if (a->mode != MODE_BUF) {
		return false;
	}
	__u32 n = ret;
	struct nixie_data_event *e;
#define HEAD offsetof(struct nixie_data_event, data)
#define TRY_CLASS(room)                                                                        \
	if (n <= (room)) {                                                                     \
		e = bpf_ringbuf_reserve(&events, HEAD + (room), 0);                            \
		if (!e) {                                                                      \
			count_drop(NIXIE_EV_DATA);                                             \
			return true;                                                           \
		}                                                                              \
		fill_single(e, c, tgid, a, dir, n);                                            \
		__u64 len = n;                                                                 \
		/* Bound the length again where the verifier sees it (the compiler knows). */  \
		barrier_var(len);                                                              \
		if (len > (room) || bpf_probe_read_user(e->data, len, (void *)buf) != 0)       \
			e->data_len = 0;                                                       \
		bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);                                       \
		return true;                                                                   \
	}
	TRY_CLASS(64)
	TRY_CLASS(128)
	TRY_CLASS(192)
	TRY_CLASS(256)
	TRY_CLASS(384)
	TRY_CLASS(512)
	TRY_CLASS(768)
	TRY_CLASS(1024)
	TRY_CLASS(1536)
	TRY_CLASS(2048)
	TRY_CLASS(3072)
	TRY_CLASS(4096)
	TRY_CLASS(6144)
	TRY_CLASS(8192)
	TRY_CLASS(12288)
	TRY_CLASS(16384)
	TRY_CLASS(24576)
	TRY_CLASS(NIXIE_MAX_DATA_SIZE)
#undef TRY_CLASS
#undef HEAD
	return false;
}

/* Every other case: the bytes walked segment by segment, message by message, in chunks of at most the cap. */
static __always_inline void emit_walk(struct conn_state *c, __u32 tgid, struct syscall_args *a, __u8 dir, __u64 ret, bool emit)
{
	__u32 zero = 0;
	struct walk *wp = bpf_map_lookup_elem(&walk_scratch, &zero);
	if (!wp)
		return;
	__builtin_memset(wp, 0, sizeof(*wp));
#define w (*wp)
	fill_header(&w.hdr, NIXIE_EV_DATA, tgid, a->fd, c);
	w.pos = c->pos[dir];
	w.dir = dir;
	w.sys = a->sys;
	w.mode = a->mode;
	w.emit = emit;

	if (a->mode == MODE_MMSG) {
		w.msgvec = a->buf;
		w.nmsgs = ret;
	} else {
		w.msg_left = ret;
		w.msg_size = ret;
		if (a->mode == MODE_BUF) {
			w.buf = a->buf;
			w.buf_len = ret;
			if (a->addr)
				user_sockaddr(a->addr, &w.remote);
		} else if (a->mode == MODE_IOV) {
			w.iov = a->buf;
			w.iovcnt = a->count;
		} else if (a->mode == MODE_MSG) {
			struct user_msghdr m = {};
			bpf_probe_read_user(&m, sizeof(m), (void *)a->buf);
			w.iov = (__u64)m.msg_iov;
			w.iovcnt = m.msg_iovlen;
			if (m.msg_namelen > 0)
				user_sockaddr((__u64)m.msg_name, &w.remote);
		}
	}

	if (a->mode == MODE_NONE) {
		/* sendfile: the bytes come from a file; the position moves, the event carries none. */
		if (w.emit)
			emit_chunk(wp, 0);
		w.pos += ret;
	} else {
		bpf_loop(MAX_STEPS, walk_step, NULL, 0);
	}
	c->pos[dir] = w.pos;
#undef w
}

static __always_inline int exit_data(const struct pt_regs *regs, long ret, __u8 sys, __u8 dir, __u8 mode)
{
	if (ret <= 0)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct syscall_args a;
	if (!exit_args(&a, tgid, regs, sys, dir, mode))
		return 0;
	__u64 key = conn_key(tgid, a.fd);
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (!c) {
		struct sock *sk = inet_sock_of_fd(a.fd);
		if (!sk)
			return 0;
		c = open_conn(tgid, a.fd, sk, NIXIE_ROLE_UNKNOWN, a.sys);
		if (!c)
			return 0;
	}

	if (c->protocol == NIXIE_PROTO_UNKNOWN && a.mode != MODE_NONE)
		maybe_infer(c, &a, a.mode == MODE_MMSG ? first_mmsg_len(a.buf) : (__u64)ret);

	bool emit = (c->protocol != NIXIE_PROTO_UNKNOWN || capture_unknown) && role_captured(c);
	if (!emit && a.mode != MODE_MMSG) {
		/* Not captured: only the position moves (user space sees a gap). */
		c->pos[dir] += ret;
	} else if (emit && emit_single(c, tgid, &a, dir, ret)) {
		c->pos[dir] += ret;
	} else {
		emit_walk(c, tgid, &a, dir, ret, emit);
	}

	__u64 total = c->pos[0] + c->pos[1];
	if (total - c->stats_total >= stats_threshold) {
		c->stats_total = total;
		send_totals(NIXIE_EV_CONN_STATS, tgid, a.fd, c);
	}
	return 0;
}

#define EXIT_DATA(name, sys, dir, mode) SYSCALL_EXIT(name, exit_data(regs, ret, sys, dir, mode))

EXIT_DATA(write, NIXIE_SYS_WRITE, NIXIE_DIR_EGRESS, MODE_BUF)
EXIT_DATA(read, NIXIE_SYS_READ, NIXIE_DIR_INGRESS, MODE_BUF)
EXIT_DATA(writev, NIXIE_SYS_WRITEV, NIXIE_DIR_EGRESS, MODE_IOV)
EXIT_DATA(readv, NIXIE_SYS_READV, NIXIE_DIR_INGRESS, MODE_IOV)
EXIT_DATA(sendto, NIXIE_SYS_SENDTO, NIXIE_DIR_EGRESS, MODE_BUF)
EXIT_DATA(recvfrom, NIXIE_SYS_RECVFROM, NIXIE_DIR_INGRESS, MODE_BUF)
EXIT_DATA(sendmsg, NIXIE_SYS_SENDMSG, NIXIE_DIR_EGRESS, MODE_MSG)
EXIT_DATA(recvmsg, NIXIE_SYS_RECVMSG, NIXIE_DIR_INGRESS, MODE_MSG)
EXIT_DATA(sendmmsg, NIXIE_SYS_SENDMMSG, NIXIE_DIR_EGRESS, MODE_MMSG)
EXIT_DATA(recvmmsg, NIXIE_SYS_RECVMMSG, NIXIE_DIR_INGRESS, MODE_MMSG)
EXIT_DATA(sendfile64, NIXIE_SYS_SENDFILE, NIXIE_DIR_EGRESS, MODE_NONE)

#ifdef NIXIE_SYS_EXIT_RAW
/*
 * The raw tracepoint variant's one program: every syscall's exit on the host runs it, and a syscall not
 * hooked leaves at the switch. A switch, not a tail call through a prog array indexed by the number: both
 * verify, the switch costs a hooked syscall ~15 ns less and an unhooked one no more (its compares against
 * the program's invocation), and user space has no table to fill.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(nixie_raw_sys_exit, const struct pt_regs *regs, long ret)
{
	switch (regs->orig_ax) {
#define RAW_CASE(name) case NR_##name: return raw_##name(regs, ret);
	RAW_CASE(read) RAW_CASE(write) RAW_CASE(readv) RAW_CASE(writev) RAW_CASE(sendto) RAW_CASE(recvfrom)
	RAW_CASE(sendmsg) RAW_CASE(recvmsg) RAW_CASE(sendmmsg) RAW_CASE(recvmmsg) RAW_CASE(sendfile64)
	RAW_CASE(connect) RAW_CASE(accept) RAW_CASE(accept4) RAW_CASE(close)
#undef RAW_CASE
	}
	return 0;
}
#endif
