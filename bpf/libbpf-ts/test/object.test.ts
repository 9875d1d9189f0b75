import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, codec, enableRunStats, isNixieBpfError, openPerfEvent, RingBuffer, tracefsPath } from '../src/index.js';

// The socket tracer's object serves as a real-world fixture (built by bpf/Makefile before the tests).
const BUILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'build');
const OBJ = path.join(BUILD, 'proc_trace.bpf.o');

describe('libbpf-ts on the real kernel', function () {
  this.timeout(60_000);
  before(() => {
    if (!tracefsPath() && process.getuid?.() === 0) spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
  });

  it('opens, sets constants, sizes maps, loads, attaches, uses maps and a ring buffer, closes', () => {
    const obj = BpfObject.open(OBJ);
    try {
      assert.deepEqual(obj.constantNames().sort(), ['exclude_pid', 'use_pid_filter']);
      obj.setConstant('use_pid_filter', true);
      obj.setConstant('exclude_pid', 1);
      obj.map('events').setMaxEntries(1 << 16);
      assert.deepEqual(
        obj.programs().map((p) => p.section).sort(),
        ['tp_btf/sched_process_fork', 'tracepoint/sched/sched_process_exec', 'tracepoint/sched/sched_process_exit'],
      );
      obj.load();
      assert.throws(() => obj.setConstant('exclude_pid', 2), (e) => isNixieBpfError(e, 'NIXIE_ERR_BPF_STATE'));
      const links = obj.attachAll();
      assert.equal(links.length, 3);

      const filter = obj.map('pid_filter').typed(codec.u32, codec.u8);
      filter.set(process.pid, 1);
      filter.set(42, 1);
      assert.equal(filter.get(42), 1);
      assert.deepEqual([...filter.entries()].map(([k]) => k).sort((a, b) => a - b), [42, process.pid].sort((a, b) => a - b));
      assert.equal(filter.delete(42), true);
      assert.equal(filter.delete(42), false);
      assert.equal(filter.get(42), undefined);

      const drops = obj.map('drops').typed(codec.u32, codec.u64);
      assert.ok(drops.getPerCpu(0)!.every((v) => v === 0n));

      // A child forked by a filtered process joins the filter (sched_process_fork): its exec and exit arrive.
      const rb = new RingBuffer(obj.map('events'));
      assert.equal(rb.capacity, 1 << 16);
      const child = spawnSync('sh', ['-c', 'exit 3']);
      assert.equal(child.status, 3);
      let n = 0;
      rb.consume((b) => (n += b.count));
      assert.equal(n, 2, 'exec and exit of the forked child');
      rb.close();
      for (const l of links) l.destroy();
    } finally {
      obj.close();
    }
  });

  it('leaves a program out of the load (setAutoload): attachAll skips it; loaded programs have kernel ids', () => {
    const obj = BpfObject.open(OBJ);
    try {
      obj.map('events').setMaxEntries(1 << 16);
      const fork = obj.programs().find((p) => p.section === 'tp_btf/sched_process_fork')!;
      fork.setAutoload(false);
      obj.load();
      assert.equal(fork.loaded, false);
      assert.throws(() => fork.id, (e) => isNixieBpfError(e, 'NIXIE_ERR_BPF_STATE'));
      const links = obj.attachAll();
      assert.equal(links.length, 2, 'the two sched tracepoints, not the program left out');
      const ids = obj.programs().filter((p) => p.loaded).map((p) => p.id);
      assert.equal(new Set(ids).size, 2);
      const r = spawnSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8', maxBuffer: 16 << 20 });
      const kernelIds = new Set((JSON.parse(r.stdout) as { id: number }[]).map((p) => p.id));
      for (const id of ids) assert.ok(kernelIds.has(id), `bpftool lists program ${id}`);
    } finally {
      obj.close();
    }
  });

  it('counts a program\'s runs and run time while run statistics are on', () => {
    const obj = BpfObject.open(OBJ);
    try {
      obj.setConstant('use_pid_filter', false);
      obj.setConstant('exclude_pid', 0);
      obj.map('events').setMaxEntries(1 << 16);
      obj.load();
      obj.attachAll();
      const exec = obj.programs().find((p) => p.section === 'tracepoint/sched/sched_process_exec')!;
      assert.ok(exec.fd >= 0);
      const stats = enableRunStats();
      try {
        const before = exec.runStats();
        for (let i = 0; i < 3; i++) assert.equal(spawnSync('true').status, 0);
        const after = exec.runStats();
        assert.ok(after.runCount - before.runCount >= 3, `runs counted: ${after.runCount - before.runCount}`);
        assert.ok(after.runTimeNs > before.runTimeNs);
      } finally {
        stats.close();
      }
    } finally {
      obj.close();
    }
  });

  it('names what is missing: object file, map, program, constant', () => {
    assert.throws(() => BpfObject.open('/nonexistent.bpf.o'), (e) => isNixieBpfError(e, 'NIXIE_ERR_BPF_OBJECT_NOT_FOUND'));
    const obj = BpfObject.open(OBJ);
    try {
      assert.throws(() => obj.map('nope'), /has no map named nope \(has: .*events/);
      assert.throws(() => obj.program('nope'), (e) => isNixieBpfError(e, 'NIXIE_ERR_BPF_NOT_FOUND'));
      assert.throws(() => obj.setConstant('nope', 1), /constant named nope/);
    } finally {
      obj.close();
    }
  });

  it('opens a perf event for sampling', () => {
    const ev = openPerfEvent({ frequency: 99, pid: 0, cpu: -1 });
    assert.ok(ev.fd > 0);
    ev.close();
  });

  it('without privileges, loading says so and how to fix it', () => {
    const script = `import('${path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'index.js')}').then((m) => {
      try { const o = m.BpfObject.open(${JSON.stringify(OBJ)}); o.load(); console.log('LOADED'); }
      catch (e) { console.log(e.code + ': ' + e.message); }
    });`;
    // Root without capabilities (an empty bounding set) rather than another user, so that the child can
    // still read a checkout under a private directory (CI clones into a 0700 temp dir).
    const r = spawnSync(
      'setpriv',
      ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', process.execPath, '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^NIXIE_ERR_BPF_PERMISSION: loading proc_trace\.bpf\.o .*permission denied; BPF needs root or the capabilities CAP_BPF and CAP_PERFMON/m);
  });
});
