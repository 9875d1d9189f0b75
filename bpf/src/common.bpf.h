/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What socket_trace and proc_trace share: the ring buffer, the drop counters and the pid filter (user space
 * makes proc_trace reuse socket_trace's maps, so their definitions must match), and the pid checks.
 * Map sizes live here, in one place.
 */
#ifndef NIXIE_COMMON_BPF_H
#define NIXIE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "socket_trace.h"

#define NIXIE_RINGBUF_BYTES (16 * 1024 * 1024) /* user space usually resizes it before load */
#define NIXIE_MAX_PID_FILTER 4096
#define NIXIE_MAX_CONNS 131072
#define NIXIE_DROP_SLOTS 8 /* indexed by enum nixie_event_kind */

char LICENSE[] SEC("license") = "GPL";

/* The agent's own pid: never traced (it would trace its own reads of the ring buffer's peers). */
const volatile __u32 exclude_pid = 0;
/* When set, only pids present in pid_filter are traced (tests). */
const volatile bool use_pid_filter = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NIXIE_RINGBUF_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NIXIE_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NIXIE_MAX_PID_FILTER);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps");

static __always_inline bool pid_traced(__u32 tgid)
{
	if (tgid == exclude_pid)
		return false;
	if (use_pid_filter && !bpf_map_lookup_elem(&pid_filter, &tgid))
		return false;
	return true;
}

static __always_inline void count_drop(__u32 kind)
{
	__u32 k = kind < NIXIE_DROP_SLOTS ? kind : 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &k);
	if (n)
		*n += 1;
}

/* Writes `size` bytes of `ev` to the ring buffer, counting a drop when it is full. No wakeup: user space polls. */
static __always_inline void submit(void *ev, __u64 size, __u32 kind)
{
	if (bpf_ringbuf_output(&events, ev, size, BPF_RB_NO_WAKEUP) != 0)
		count_drop(kind);
}

/* Start time of the current process (its thread-group leader), ns since boot. */
static __always_inline __u64 current_start_time(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, group_leader, start_boottime);
}

#endif /* NIXIE_COMMON_BPF_H */
