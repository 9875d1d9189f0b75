/** Test helpers: the C peer (compiled with gcc at test time), and events decoded into plain objects. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tracefsPath } from '@nixie/libbpf-ts';
import * as ev from '../src/events.js';
import type { EventBatch, SocketTracer } from '../src/tracer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** bpf/test/fixtures, from dist/test. */
export const FIXTURES = path.join(here, '..', '..', 'test', 'fixtures');

let peerBin: string | undefined;

/** gcc, or clang where gcc is missing (CI has clang for the BPF build). */
export function cCompiler(): string {
  return spawnSync('sh', ['-c', 'command -v gcc'], { encoding: 'utf8' }).status === 0 ? 'gcc' : 'clang';
}

/** Compiles fixtures/peer.c once; returns the binary's path. */
export function peerBinary(): string {
  if (peerBin) return peerBin;
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'nixie-bpf-test-')), 'peer');
  const r = spawnSync(cCompiler(), ['-O1', '-Wall', '-o', out, path.join(FIXTURES, 'peer.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc failed (apt package gcc): ${r.error?.message ?? r.stderr}`);
  peerBin = out;
  return out;
}

/** Mounts tracefs when it is missing and we are root (CI machines boot without it). */
export function ensureTracefs(): void {
  if (tracefsPath()) return;
  if (process.getuid?.() !== 0) return;
  const r = spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { encoding: 'utf8' });
  if (r.status !== 0) console.error(`note: could not mount tracefs: ${r.stderr}`);
}

/** Runs the peer with `args`, adding its pid to the tracer's filter before it starts; returns pid and stdout. */
export async function runPeer(tracer: SocketTracer, args: string[]): Promise<{ pid: number; out: string }> {
  const child = spawn(peerBinary(), args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let pid = 0;
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^pid (\d+)$/m.exec(out);
      if (m && pid === 0) {
        pid = Number(m[1]);
        tracer.addPid(pid);
        child.stdin.write('go\n');
      }
    });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`peer ${args.join(' ')} exited with ${code}`))));
  });
  return { pid, out };
}

/** An event as a plain object (tests only: the hot path uses the accessors directly). */
export interface Ev {
  kind: number;
  pid: number;
  fd: number;
  generation: number;
  startTimeNs: number;
  role: number;
  protocol: number;
  flags: number;
  syscall?: number;
  localAddr?: string;
  localPort?: number;
  remoteAddr?: string;
  remotePort?: number;
  family?: number;
  sockType?: number;
  direction?: number;
  pos?: number;
  msgSize?: number;
  chunkOffset?: number;
  bytes?: Buffer;
  sent?: number;
  recv?: number;
}

/** Decodes a batch into objects. */
export function decode(b: EventBatch, into: Ev[]): void {
  for (let i = 0; i < b.count; i++) {
    const o = b.offsets[i]!;
    const buf = b.buf;
    const e: Ev = {
      kind: ev.eventKind(buf, o),
      pid: ev.eventPid(buf, o),
      fd: ev.eventFd(buf, o),
      generation: ev.eventGeneration(buf, o),
      startTimeNs: ev.eventStartTimeNs(buf, o),
      role: ev.eventRole(buf, o),
      protocol: ev.eventProtocol(buf, o),
      flags: ev.eventFlags(buf, o),
    };
    switch (e.kind) {
      case ev.EventKind.CONN_OPEN:
        e.localAddr = ev.openLocalAddr(buf, o);
        e.localPort = ev.openLocalPort(buf, o);
        e.remoteAddr = ev.openRemoteAddr(buf, o);
        e.remotePort = ev.openRemotePort(buf, o);
        e.family = ev.openLocalFamily(buf, o);
        e.sockType = ev.openSockType(buf, o);
        e.syscall = ev.openSyscall(buf, o);
        break;
      case ev.EventKind.DATA:
        e.direction = ev.dataDirection(buf, o);
        e.pos = ev.dataPos(buf, o);
        e.msgSize = ev.dataMsgSize(buf, o);
        e.chunkOffset = ev.dataChunkOffset(buf, o);
        e.syscall = ev.dataSyscall(buf, o);
        e.bytes = Buffer.from(ev.dataBytes(buf, o));
        e.family = ev.dataRemoteFamily(buf, o);
        e.remoteAddr = ev.dataRemoteAddr(buf, o);
        e.remotePort = ev.dataRemotePort(buf, o);
        break;
      case ev.EventKind.CONN_CLOSE:
      case ev.EventKind.CONN_STATS:
        e.sent = ev.closeBytesSent(buf, o);
        e.recv = ev.closeBytesRecv(buf, o);
        break;
    }
    into.push(e);
  }
}

/** Drains the tracer and returns the events of `pid`. */
export function drain(tracer: SocketTracer, pid?: number): Ev[] {
  const all: Ev[] = [];
  tracer.poll((b) => decode(b, all));
  return pid === undefined ? all : all.filter((e) => e.pid === pid);
}

/** Connection key of an event. */
export const connKey = (e: Ev): string => `${e.pid}/${e.fd}/${e.generation}`;
