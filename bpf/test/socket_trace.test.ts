import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Direction, EventKind, Role, Syscall, BpfProtocol, AF_INET, AF_INET6, EventFlag } from '../src/events.js';
import { DEFAULT_OBJECT_DIR, SocketTracer, type SocketTracerOptions } from '../src/tracer.js';
import { connKey, drain, ensureTracefs, runPeer, type Ev } from './helpers.js';

const byKind = (evs: Ev[], kind: number): Ev[] => evs.filter((e) => e.kind === kind);

/** The data events of one connection and direction, ordered by position. */
function stream(evs: Ev[], key: string, dir: number): Ev[] {
  return evs.filter((e) => e.kind === EventKind.DATA && connKey(e) === key && e.direction === dir).sort((a, b) => a.pos! - b.pos!);
}

/** Asserts positions are continuous and returns the bytes (gaps — data_len 0 — filled with '?'). */
function assemble(events: Ev[]): string {
  let pos = 0;
  let text = '';
  for (const e of events) {
    assert.equal(e.pos, pos, `position continuity at ${pos}`);
    if (e.bytes!.length === 0) {
      text += '?'.repeat(e.msgSize!);
      pos += e.msgSize!;
    } else {
      text += e.bytes!.toString('latin1');
      pos += e.bytes!.length;
    }
  }
  return text;
}

/**
 * Runs the peer's TCP scenario and checks it: every send/recv syscall variant gives the right bytes, positions,
 * directions, roles and addresses (the tracer is open with captureUnknown and an empty pid filter).
 */
async function checkTcpVariants(tracer: SocketTracer): Promise<void> {
  const { pid } = await runPeer(tracer, ['tcp']);
  const evs = drain(tracer, pid);
  const opens = byKind(evs, EventKind.CONN_OPEN);
  assert.equal(opens.length, 6, 'three connections, two ends each');
  const clients = opens.filter((e) => e.role === Role.CLIENT);
  const servers = opens.filter((e) => e.role === Role.SERVER);
  assert.equal(clients.length, 3);
  assert.equal(servers.length, 3);
  assert.deepEqual(clients.map((e) => e.syscall), [Syscall.CONNECT, Syscall.CONNECT, Syscall.CONNECT]);
  assert.deepEqual(servers.map((e) => e.syscall), [Syscall.ACCEPT, Syscall.ACCEPT4, Syscall.ACCEPT]);
  for (let i = 0; i < 3; i++) {
    const c = clients[i]!;
    const s = servers[i]!;
    assert.equal(c.localPort, s.remotePort, 'client port seen by both ends');
    assert.equal(c.remotePort, s.localPort, 'server port seen by both ends');
    assert.equal(c.sockType, 1);
    const family = i === 2 ? AF_INET6 : AF_INET;
    assert.equal(c.family, family);
    const loop = family === AF_INET ? '127.0.0.1' : '::1';
    assert.equal(c.remoteAddr, loop);
    assert.equal(c.localAddr, loop);
    assert.equal(s.remoteAddr, loop);
  }

  const ck = connKey(clients[0]!);
  const sk = connKey(servers[0]!);
  const sent = 'W:hello-write' + 'V1:abcdefg' + 'S:sendto-bytes' + 'M:sendmsg-bytes' + 'MM:oneMM:two!' + '?'.repeat(16);
  const clientOut = stream(evs, ck, Direction.EGRESS);
  assert.equal(assemble(clientOut), sent);
  assert.deepEqual(
    [...new Set(clientOut.map((e) => e.syscall))],
    [Syscall.WRITE, Syscall.WRITEV, Syscall.SENDTO, Syscall.SENDMSG, Syscall.SENDMMSG, Syscall.SENDFILE],
  );
  const sendfile = clientOut.find((e) => e.syscall === Syscall.SENDFILE)!;
  assert.equal(sendfile.bytes!.length, 0, 'sendfile: position only');
  assert.equal(sendfile.msgSize, 16);
  const mm = clientOut.filter((e) => e.syscall === Syscall.SENDMMSG);
  assert.deepEqual(mm.map((e) => e.bytes!.toString()), ['MM:one', 'MM:two!'], 'one event per message');

  const serverIn = stream(evs, sk, Direction.INGRESS);
  assert.equal(assemble(serverIn), sent.replace(/\?+$/, 'F:sendfile-bytes'), 'the receiver sees every byte');
  const inSyscalls = new Set(serverIn.map((e) => e.syscall));
  for (const s of [Syscall.READ, Syscall.READV, Syscall.RECVFROM, Syscall.RECVMSG, Syscall.RECVMMSG]) assert.ok(inSyscalls.has(s), `server used syscall ${s}`);
  for (const e of serverIn) assert.equal(e.role, Role.SERVER);
  for (const e of clientOut) assert.equal(e.role, Role.CLIENT);

  assert.equal(assemble(stream(evs, sk, Direction.EGRESS)), 'R:reply');
  assert.equal(assemble(stream(evs, ck, Direction.INGRESS)), 'R:reply');

  const closes = byKind(evs, EventKind.CONN_CLOSE);
  assert.equal(closes.length, 6);
  const cc = closes.find((e) => connKey(e) === ck)!;
  assert.deepEqual([cc.sent, cc.recv], [sent.length, 7], 'close carries byte totals');
  const sc = closes.find((e) => connKey(e) === sk)!;
  assert.deepEqual([sc.sent, sc.recv], [7, sent.length]);
  assert.equal(tracer.drops().total, 0);
}

describe('socket_trace (real kernel)', function () {
  this.timeout(60_000);
  let tracer: SocketTracer;

  before(() => {
    ensureTracefs();
    tracer = SocketTracer.open({ pidFilter: [], captureUnknown: true });
  });
  after(async () => {
    await tracer?.close();
  });

  it('TCP: every send/recv syscall variant gives the right bytes, positions, directions, roles and addresses', async () => {
    await checkTcpVariants(tracer);
  });

  it('UDP: datagrams through sendto/recvfrom and sendmsg/recvmsg carry their peer', async () => {
    const { pid, out } = await runPeer(tracer, ['udp']);
    const [, pa, pb] = /ports (\d+) (\d+)/.exec(out)!.map(Number);
    const data = byKind(drain(tracer, pid), EventKind.DATA);
    const pick = (sys: number): Ev => {
      const e = data.find((d) => d.syscall === sys);
      assert.ok(e, `a data event from syscall ${sys}`);
      return e;
    };
    const s1 = pick(Syscall.SENDTO);
    assert.equal(s1.bytes!.toString(), 'U:sendto-datagram');
    assert.deepEqual([s1.direction, s1.remoteAddr, s1.remotePort], [Direction.EGRESS, '127.0.0.1', pb]);
    const r1 = pick(Syscall.RECVFROM);
    assert.equal(r1.bytes!.toString(), 'U:sendto-datagram');
    assert.deepEqual([r1.direction, r1.remoteAddr, r1.remotePort], [Direction.INGRESS, '127.0.0.1', pa]);
    const s2 = pick(Syscall.SENDMSG);
    assert.equal(s2.bytes!.toString(), 'U:sendmsg-datagram');
    assert.deepEqual([s2.direction, s2.remotePort], [Direction.EGRESS, pa]);
    const r2 = pick(Syscall.RECVMSG);
    assert.equal(r2.bytes!.toString(), 'U:sendmsg-datagram');
    assert.deepEqual([r2.direction, r2.remotePort], [Direction.INGRESS, pb]);
  });

  it('files and pipes produce no socket events', async () => {
    const { pid } = await runPeer(tracer, ['files']);
    const evs = drain(tracer, pid).filter((e) => e.kind !== EventKind.PROC_EXIT && e.kind !== EventKind.PROC_EXEC);
    assert.deepEqual(evs, []);
  });

  it('an fd number that was a file and becomes a socket (dup2 onto it; socket() then sendto) has its data captured', async () => {
    const { pid, out } = await runPeer(tracer, ['fdreuse']);
    const evs = drain(tracer, pid);
    const dupFd = Number(/^dup2 (\d+)$/m.exec(out)![1]);
    const udpFd = Number(/^udp (\d+)$/m.exec(out)![1]);
    const dup = byKind(evs, EventKind.DATA).filter((e) => e.fd === dupFd && e.direction === Direction.EGRESS);
    assert.deepEqual(dup.map((e) => [e.syscall, e.bytes!.toString()]), [[Syscall.WRITE, 'D:dup2-bytes']], 'the file\'s bytes give nothing, the socket\'s are captured');
    const dupOpen = byKind(evs, EventKind.CONN_OPEN).find((e) => e.fd === dupFd && e.syscall === Syscall.WRITE);
    assert.ok(dupOpen, 'opened by its first data syscall');
    assert.equal(dupOpen.remotePort, byKind(evs, EventKind.CONN_OPEN).find((e) => e.role === Role.SERVER)!.localPort);
    const udp = byKind(evs, EventKind.DATA).filter((e) => e.fd === udpFd && e.direction === Direction.EGRESS);
    assert.deepEqual(udp.map((e) => [e.syscall, e.bytes!.toString()]), [[Syscall.SENDTO, 'U:reused-fd']]);
    assert.ok(evs.every((e) => e.kind !== EventKind.DATA || !e.bytes!.toString().startsWith('GET ')), 'no file bytes');
  });

  it('a 100 KB write arrives as chunks of at most the cap, with continuous positions', async () => {
    const { pid } = await runPeer(tracer, ['big']);
    const evs = drain(tracer, pid);
    const client = byKind(evs, EventKind.CONN_OPEN).find((e) => e.role === Role.CLIENT)!;
    const out = stream(evs, connKey(client), Direction.EGRESS);
    assert.deepEqual(out.map((e) => e.bytes!.length), [30720, 30720, 30720, 10240]);
    assert.deepEqual(out.map((e) => e.chunkOffset), [0, 30720, 61440, 92160]);
    for (const e of out) assert.equal(e.msgSize, 102400);
    assert.equal(assemble(out).length, 102400);
    assert.ok(out[0]!.bytes!.toString().startsWith('POST /big HTTP/1.1'));
    assert.ok(out.slice(0, 3).every((e) => (e.flags & EventFlag.TRUNCATED) !== 0), 'all but the last chunk say more follows');
    // Stats events come every 64 KiB of traffic.
    assert.ok(byKind(evs, EventKind.CONN_STATS).length >= 1);
  });

  it('process events: exit of the traced process', async () => {
    const { pid } = await runPeer(tracer, ['files']);
    const exits = drain(tracer, pid).filter((e) => e.kind === EventKind.PROC_EXIT);
    assert.equal(exits.length, 1);
    assert.ok(exits[0]!.startTimeNs > 0);
  });
});

describe('socket_trace protocol inference (real kernel)', function () {
  this.timeout(60_000);
  let tracer: SocketTracer;
  before(() => {
    ensureTracefs();
    tracer = SocketTracer.open({ pidFilter: [] });
  });
  after(async () => {
    await tracer?.close();
  });

  it('HTTP/1 traffic is inferred and captured; unknown traffic gives stats only', async () => {
    const { pid } = await runPeer(tracer, ['flood', '10']);
    const evs = drain(tracer, pid);
    const data = byKind(evs, EventKind.DATA);
    assert.equal(data.length, 20, '10 writes and 10 reads');
    for (const e of data) assert.equal(e.protocol, BpfProtocol.HTTP);

    const tcp = await runPeer(tracer, ['tcp']);
    const tevs = drain(tracer, tcp.pid);
    assert.equal(byKind(tevs, EventKind.DATA).length, 0, 'no protocol recognised: no data');
    assert.equal(byKind(tevs, EventKind.CONN_CLOSE).length, 6, 'but opens and closes with totals');
  });

  it('DNS over TCP is inferred from the length prefix and the header, on both ends', async () => {
    const { pid } = await runPeer(tracer, ['dnstcp']);
    const data = byKind(drain(tracer, pid), EventKind.DATA);
    assert.equal(data.length, 4, 'query written and read, answer written and read');
    for (const e of data) assert.equal(e.protocol, BpfProtocol.DNS);
    const query = data.find((e) => e.role === Role.CLIENT && e.direction === Direction.EGRESS);
    assert.ok(query, 'the client sent the query');
    assert.equal(query.bytes!.readUInt16BE(0), query.bytes!.length - 2, 'length prefix captured');
    assert.equal(query.bytes!.readUInt16BE(2), 0x1234, 'transaction id');
  });
});

describe('socket_trace pid filter (real kernel)', function () {
  this.timeout(60_000);
  before(() => ensureTracefs());

  it('follows children forked (without exec) by a filtered process, not only exec', async () => {
    const tracer = SocketTracer.open({ pidFilter: [] });
    try {
      const { pid, out } = await runPeer(tracer, ['fork']);
      const child = Number(/^child (\d+)$/m.exec(out)?.[1]);
      assert.ok(child > 0 && child !== pid);
      const evs = drain(tracer);
      const data = byKind(evs.filter((e) => e.pid === child), EventKind.DATA);
      assert.equal(data.length, 6, "the child's 3 writes and 3 reads");
      assert.ok(data.every((e) => e.protocol === BpfProtocol.HTTP));
      assert.equal(evs.filter((e) => e.pid === child && e.kind === EventKind.PROC_EXIT).length, 1, 'its exit too');
      assert.equal(evs.filter((e) => e.pid === pid && e.kind === EventKind.PROC_EXIT).length, 1);
    } finally {
      await tracer.close();
    }
  });

  it('excludePid 0 with a pid filter traces the filtered process itself; excludePid still wins over the filter', async () => {
    const traceSelf = async (excludePid: number): Promise<Ev[]> => {
      const tracer = SocketTracer.open({ pidFilter: [process.pid], excludePid });
      try {
        await httpExchange();
        return drain(tracer, process.pid);
      } finally {
        await tracer.close();
      }
    };
    const seen = byKind(await traceSelf(0), EventKind.DATA);
    assert.ok(seen.some((e) => e.bytes!.toString('latin1').startsWith('GET /self')), 'own request traced');
    assert.equal((await traceSelf(process.pid)).length, 0, 'excluded pid: nothing, even though filtered');
  });
});

/** One HTTP/1 request and response over loopback, both ends in this process. */
async function httpExchange(): Promise<void> {
  const server = net.createServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write('GET /self HTTP/1.1\r\nhost: x\r\n\r\n'));
    c.on('error', reject);
    c.on('data', () => c.end());
    c.on('close', () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('socket_trace drops (real kernel)', function () {
  this.timeout(60_000);
  it('with a tiny ring buffer, drops are counted, not silent', async () => {
    ensureTracefs();
    const tracer = SocketTracer.open({ pidFilter: [], ringBufferBytes: 4096 });
    try {
      await runPeer(tracer, ['flood', '2000']);
      let n = 0;
      tracer.poll((b) => (n += b.count));
      const drops = tracer.drops();
      assert.ok(drops.total > 0, 'drops counted');
      assert.ok((drops.byKind[EventKind.DATA] ?? 0) > 0);
      assert.ok(n > 0 && n < 4000, `some events arrived (${n}), not all`);
    } finally {
      await tracer.close();
    }
  });
});

describe('socket_trace role policy (real kernel)', function () {
  this.timeout(60_000);
  before(() => ensureTracefs());

  /** Data events by role, and the connections that opened and closed, of one peer run under a policy. */
  async function run(rolePolicy: 'auto' | 'server' | 'client', args: string[]): Promise<{ client: Ev[]; server: Ev[]; opens: Ev[]; closes: Ev[] }> {
    const tracer = SocketTracer.open({ pidFilter: [], captureUnknown: true, rolePolicy });
    try {
      const { pid } = await runPeer(tracer, args);
      const evs = drain(tracer, pid);
      const data = byKind(evs, EventKind.DATA);
      return {
        client: data.filter((e) => e.role === Role.CLIENT),
        server: data.filter((e) => e.role === Role.SERVER),
        opens: byKind(evs, EventKind.CONN_OPEN),
        closes: byKind(evs, EventKind.CONN_CLOSE),
      };
    } finally {
      await tracer.close();
    }
  }

  it("'auto' and 'server' skip the client side of loopback connections (IPv4 and ::1); totals stay whole", async () => {
    for (const policy of ['auto', 'server'] as const) {
      const r = await run(policy, ['tcp']);
      assert.deepEqual(r.client, [], `${policy}: no client bytes`);
      assert.ok(r.server.some((e) => e.direction === Direction.INGRESS), `${policy}: server bytes`);
      assert.equal(r.opens.length, 6);
      const clientOpens = r.opens.filter((e) => e.role === Role.CLIENT);
      assert.deepEqual(clientOpens.map((e) => e.family), [AF_INET, AF_INET, AF_INET6]);
      const totals = clientOpens.map((o) => r.closes.find((e) => connKey(e) === connKey(o)));
      assert.deepEqual(
        totals.map((e) => [e?.sent, e?.recv]),
        [[13 + 10 + 14 + 15 + 13 + 16, 7], [4, 0], [4, 0]],
        `${policy}: the client sides' totals are still counted`,
      );
    }
  });

  it("'client' skips the server side", async () => {
    const r = await run('client', ['flood', '10']);
    assert.deepEqual(r.server, []);
    assert.equal(r.client.length, 10);
    assert.ok(r.client.every((e) => e.bytes!.toString() === 'GET /flood HTTP/1.1\r\n\r\n'));
  });
});

/** A BPF link as `bpftool link show -j` prints it. */
interface KernelLink {
  type: string;
  prog_id: number;
  attach_type?: string;
  tp_name?: string;
}

/**
 * The kernel's links of the tracer's programs, with each program's section: the kernel's view of what is
 * attached, not the tracer's word for it.
 */
function kernelLinks(tracer: SocketTracer): { section: string; link: KernelLink }[] {
  const sections = new Map([...tracer.socketObj.programs(), ...tracer.procObj.programs()].filter((p) => p.loaded).map((p) => [p.id, p.section]));
  const r = spawnSync('bpftool', ['link', 'show', '-j'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, `bpftool link show: ${r.stderr}`);
  return (JSON.parse(r.stdout) as KernelLink[]).filter((l) => sections.has(l.prog_id)).map((link) => ({ section: sections.get(link.prog_id)!, link }));
}

/** socket_trace's hooks: exits of connect, accept, accept4, close and the 11 data syscalls. */
const SYSCALL_HOOKS = 15;

/** Every event of the peer's scenarios under a tracer open with `opts`, as comparable lines, and the sections loaded. */
async function scenarioEvents(opts: SocketTracerOptions): Promise<{ sections: string[]; lines: string[] }> {
  const tracer = SocketTracer.open({ pidFilter: [], captureUnknown: true, ...opts });
  try {
    const lines: string[] = [];
    for (const scenario of ['tcp', 'udp', 'big', 'dnstcp']) {
      const { pid } = await runPeer(tracer, [scenario]);
      for (const e of drain(tracer, pid)) {
        const bytes = e.bytes?.toString('latin1');
        lines.push([scenario, e.kind, e.role, e.protocol, e.flags, e.syscall, e.direction, e.pos, e.msgSize, bytes, e.sent, e.recv, e.family, e.sockType].join('|'));
      }
    }
    return { sections: tracer.attachedSections(), lines };
  } finally {
    await tracer.close();
  }
}

/** The raw tracepoint variant is built for x86_64 only (its syscall numbers). */
const RAW_TRACEPOINT = process.arch === 'x64';

describe('socket_trace hook kinds (real kernel)', function () {
  this.timeout(60_000);
  /** Why the fexit programs cannot load or attach here (undefined: they can). */
  let fexitError: string | undefined;

  before(async () => {
    ensureTracefs();
    try {
      await SocketTracer.open({ pidFilter: [], hooks: 'fexit' }).close();
    } catch (e) {
      fexitError = (e as Error).message.split('\n')[0];
    }
  });

  it('forced tracepoints (the fallback): syscall tracepoints are attached, and they capture every TCP syscall variant', async () => {
    const tracer = SocketTracer.open({ pidFilter: [], captureUnknown: true, hooks: 'tracepoint' });
    try {
      assert.deepEqual([tracer.hookKind, tracer.hookReason], ['tracepoint', 'forced']);
      const syscallLinks = kernelLinks(tracer).filter((l) => l.section.startsWith('tracepoint/syscalls/sys_exit_'));
      assert.equal(syscallLinks.length, SYSCALL_HOOKS);
      for (const l of syscallLinks) assert.equal(l.link.type, 'perf_event', l.section);
      assert.ok(!tracer.attachedSections().some((s) => s.startsWith('fexit/')), 'no fexit program loaded');
      await checkTcpVariants(tracer);
    } finally {
      await tracer.close();
    }
  });

  it("'auto' takes fexit where the kernel allows it, else the raw tracepoint (x86_64), else the tracepoints, and says why", async () => {
    const tracer = SocketTracer.open({ pidFilter: [] });
    try {
      if (fexitError === undefined) {
        assert.deepEqual([tracer.hookKind, tracer.hookReason], ['fexit', 'preferred']);
      } else if (RAW_TRACEPOINT) {
        assert.equal(tracer.hookKind, 'raw_tracepoint');
        assert.equal(tracer.hookReason, `fexit unavailable: ${fexitError}`);
      } else {
        assert.equal(tracer.hookKind, 'tracepoint');
        assert.match(tracer.hookReason, new RegExp(`^fexit unavailable: .*; raw_tracepoint unavailable: `));
      }
    } finally {
      await tracer.close();
    }
  });

  it("the fexit handlers, run from the sys_exit raw tracepoint (the same (regs, ret) context), give the tracepoints' events", async function () {
    // The test build's fexit programs sit on tp_btf/sys_exit, so this runs their code even where trampolines are refused.
    const variant = path.join(DEFAULT_OBJECT_DIR, 'socket_trace_sys_exit.bpf.o');
    if (!existsSync(variant)) {
      console.log('    skipped: no socket_trace_sys_exit.bpf.o (an x86_64 test build)');
      this.skip();
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'nixie-sys-exit-'));
    copyFileSync(variant, path.join(dir, 'socket_trace.bpf.o'));
    copyFileSync(path.join(DEFAULT_OBJECT_DIR, 'proc_trace.bpf.o'), path.join(dir, 'proc_trace.bpf.o'));
    const fexit = await scenarioEvents({ hooks: 'fexit', objectDir: dir });
    assert.equal(fexit.sections.filter((s) => s === 'tp_btf/sys_exit').length, SYSCALL_HOOKS);
    assert.ok(!fexit.sections.some((s) => s.startsWith('tracepoint/syscalls/')));
    const tracepoint = await scenarioEvents({ hooks: 'tracepoint' });
    assert.ok(tracepoint.lines.length > 50, `${tracepoint.lines.length} events`);
    assert.deepEqual(fexit.lines, tracepoint.lines);
  });

  it('raw_tracepoint: one program on the sys_exit raw tracepoint and no syscall tracepoint; every TCP syscall variant is captured', async function () {
    if (!RAW_TRACEPOINT) {
      console.log(`    skipped: the raw tracepoint variant is built on x86_64 only (this is ${process.arch})`);
      this.skip();
    }
    const tracer = SocketTracer.open({ pidFilter: [], captureUnknown: true, hooks: 'raw_tracepoint' });
    try {
      assert.deepEqual([tracer.hookKind, tracer.hookReason], ['raw_tracepoint', 'forced']);
      const programs = tracer.socketObj.programs().filter((p) => p.loaded);
      assert.deepEqual(programs.map((p) => p.name), ['nixie_raw_sys_exit'], "socket_trace's only program in the kernel: the dispatcher");
      const links = kernelLinks(tracer);
      assert.deepEqual(
        links.filter((l) => l.link.prog_id === programs[0]!.id).map((l) => [l.link.type, l.link.tp_name]),
        [['raw_tracepoint', 'sys_exit']],
      );
      // Only proc_trace's sched tracepoints remain perf_event links: no syscalls:* tracepoint.
      for (const l of links.filter((x) => x.link.type === 'perf_event')) assert.match(l.section, /^tracepoint\/sched\//);
      await checkTcpVariants(tracer);
    } finally {
      await tracer.close();
    }
  });

  it("raw_tracepoint gives exactly the tracepoints' events for the same traffic", async function () {
    if (!RAW_TRACEPOINT) {
      console.log(`      skipped: the raw tracepoint variant is built on x86_64 only (this is ${process.arch})`);
      this.skip();
    }
    const raw = await scenarioEvents({ hooks: 'raw_tracepoint' });
    assert.ok(!raw.sections.some((s) => s.startsWith('tracepoint/syscalls/') || s.startsWith('fexit/')));
    const tracepoint = await scenarioEvents({ hooks: 'tracepoint' });
    assert.ok(tracepoint.lines.length > 50, `${tracepoint.lines.length} events`);
    assert.deepEqual(raw.lines, tracepoint.lines);
  });

  it('a storm of syscalls nothing hooks, on traced sockets, gives no event (raw_tracepoint and tracepoint)', async function () {
    for (const hooks of RAW_TRACEPOINT ? (['raw_tracepoint', 'tracepoint'] as const) : (['tracepoint'] as const)) {
      const tracer = SocketTracer.open({ pidFilter: [], captureUnknown: true, hooks });
      try {
        const { pid } = await runPeer(tracer, ['storm', '20000']);
        const evs = drain(tracer, pid).filter((e) => e.kind !== EventKind.PROC_EXIT);
        // The request before the storm, and nothing from the storm's 120 000 syscalls.
        assert.deepEqual(
          evs.map((e) => [e.kind, e.syscall, e.bytes?.toString()]),
          [
            [EventKind.CONN_OPEN, Syscall.CONNECT, undefined],
            [EventKind.CONN_OPEN, Syscall.ACCEPT, undefined],
            [EventKind.DATA, Syscall.WRITE, 'GET /storm HTTP/1.1\r\n\r\n'],
            [EventKind.DATA, Syscall.READ, 'GET /storm HTTP/1.1\r\n\r\n'],
          ],
          hooks,
        );
        assert.equal(tracer.drops().total, 0);
      } finally {
        await tracer.close();
      }
    }
  });

  it('fexit: no syscall tracepoint is attached, and every TCP syscall variant is captured', async function () {
    if (fexitError !== undefined) {
      console.log(`    skipped: fexit programs cannot be used on this kernel (${fexitError})`);
      this.skip();
    }
    const tracer = SocketTracer.open({ pidFilter: [], captureUnknown: true, hooks: 'fexit' });
    try {
      assert.equal(tracer.hookKind, 'fexit');
      const links = kernelLinks(tracer);
      const fexit = links.filter((l) => l.section.startsWith('fexit/'));
      assert.equal(fexit.length, SYSCALL_HOOKS);
      for (const l of fexit) assert.deepEqual([l.link.type, l.link.attach_type], ['tracing', 'trace_fexit'], l.section);
      // Only proc_trace's sched tracepoints remain perf_event links: no syscalls:* tracepoint, so the syscall slow path stays off.
      for (const l of links.filter((x) => x.link.type === 'perf_event')) assert.match(l.section, /^tracepoint\/sched\//);
      assert.ok(!tracer.attachedSections().some((s) => /^(tracepoint|tp)\/syscalls\/|^raw_tp\/sys_(enter|exit)/.test(s)));
      await checkTcpVariants(tracer);
    } finally {
      await tracer.close();
    }
  });
});
