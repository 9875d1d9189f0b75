/** The calling thread's CPU scheduling policy (libc sched_setscheduler through koffi, as the rest of this package). */
import { readFileSync } from 'node:fs';
import koffi from 'koffi';

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

export type SchedPolicy = 'other' | 'batch';

let setScheduler: ((pid: number, policy: number, param: Int32Array) => number) | undefined;

/**
 * Sets the calling thread's policy: `batch` (SCHED_BATCH) never preempts a running task when it wakes, yet keeps
 * its fair share of CPU time; `other` is the default. Processes the thread spawns afterwards inherit the policy
 * (SCHED_RESET_ON_FORK resets only real-time ones). Returns '' or why it failed (errno text); never throws.
 */
export function setThreadSchedPolicy(policy: SchedPolicy): string {
  try {
    setScheduler ??= koffi.load('libc.so.6').func('int sched_setscheduler(int pid, int policy, const int *param)') as unknown as typeof setScheduler;
    const rc = setScheduler!(0, policy === 'batch' ? SCHED_BATCH : SCHED_OTHER, new Int32Array(1));
    return rc === 0 ? '' : `sched_setscheduler: errno ${koffi.errno()}`;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The calling thread's policy number as /proc reports it (field 41 of its stat), e.g. 3 for SCHED_BATCH. */
export function threadSchedPolicy(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'latin1');
  // Fields after the command (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[41 - 3]);
}
