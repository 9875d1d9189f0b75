// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Process lifetimes: exec (with start time, so user space can form the upid) and exit (to clean up). */
#include "common.bpf.h"

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
	return 0;
}
