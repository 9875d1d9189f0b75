// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * Process lifetimes: exec (with start time, so user space can form the upid) and exit (to clean up); and, with a
 * pid filter, fork: children of a filtered process are traced too (a test's curl, a server's workers).
 */
#include "common.bpf.h"
#include <bpf/bpf_tracing.h>

static __always_inline void fill_proc_header(struct nixie_event_header *h, __u8 kind, __u32 tgid, struct task_struct *t)
{
	h->kind = kind;
	h->cpu = bpf_get_smp_processor_id();
	h->timestamp_ns = bpf_ktime_get_ns();
	h->conn.pid = tgid;
	h->conn.fd = -1;
	h->conn.generation = 0;
	h->conn.start_time_ns = BPF_CORE_READ(t, group_leader, start_boottime);
}

SEC("tracepoint/sched/sched_process_exec")
int nixie_proc_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!pid_traced(tgid))
		return 0;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct nixie_proc_exec_event ev = {};
	fill_proc_header(&ev.hdr, NIXIE_EV_PROC_EXEC, tgid, t);
	ev.ppid = BPF_CORE_READ(t, real_parent, tgid);
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));
	submit(&ev, sizeof(ev), NIXIE_EV_PROC_EXEC);
	return 0;
}

/*
 * tp_btf gives the child's task_struct, so a new thread (same tgid) can be told from a new process. Runs before
 * the child is first scheduled, so none of its syscalls are missed.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(nixie_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!use_pid_filter)
		return 0;
	__u32 ptgid = parent->tgid;
	__u32 ctgid = child->tgid;
	if (ctgid == ptgid || !bpf_map_lookup_elem(&pid_filter, &ptgid))
		return 0;
	__u8 one = 1;
	bpf_map_update_elem(&pid_filter, &ctgid, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int nixie_proc_exit(struct trace_event_raw_sched_process_template *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	/* Only the thread-group leader's exit ends the process. */
	if ((__u32)id != tgid || !pid_traced(tgid))
		return 0;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct nixie_proc_exit_event ev = {};
	fill_proc_header(&ev.hdr, NIXIE_EV_PROC_EXIT, tgid, t);
	ev.exit_code = BPF_CORE_READ(t, exit_code);
	submit(&ev, sizeof(ev), NIXIE_EV_PROC_EXIT);
	/* A dead pid leaves the filter: the map stays bounded as children come and go, and a reused pid is not traced. */
	if (use_pid_filter)
		bpf_map_delete_elem(&pid_filter, &tgid);
	return 0;
}
