/**
 * What the socket tracer's hooks cost every process on the host, whether traced or not: ns per iteration of
 * a C loop (bench/fixtures/syscalls.c) with nothing attached, and with each hook kind the kernel allows
 * (tracepoint; raw_tracepoint on x86_64; fexit where the kernel has trampolines). The loop's own process is
 * traced like any other (no pid filter).
 * - getppid: a syscall nothing hooks. With a syscall tracepoint attached anywhere (tracepoint, or the sys_exit
 *   raw tracepoint), every task takes the slow syscall path; raw_tracepoint adds the dispatcher's tail call
 *   miss; with fexit it should cost nothing more.
 * - read: read(2) of /dev/zero, a hooked syscall on a non-socket fd (the program gives up at the fd's file).
 * - tcp: a 1-byte write and read over loopback TCP, two hooked syscalls on a traced socket.
 * Modes alternate round by round (drift on a shared machine hits them alike); medians are reported.
 * Usage: npm run bench -- syscall-tax [--rounds 5] [--iterations 2000000]. Last line: one JSON object.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SocketTracer, type HookKind } from '../src/tracer.js';
import { cCompiler, ensureTracefs } from '../test/helpers.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const rounds = arg('rounds', 5);
const iterations = arg('iterations', 2_000_000);
/** The tcp loop is ~30× slower per iteration than a bare syscall. */
const TCP_DIVISOR = 20;

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, '..', '..', 'bench', 'fixtures', 'syscalls.c');
const bin = path.join(mkdtempSync(path.join(tmpdir(), 'nixie-syscall-tax-')), 'syscalls');
const cc = spawnSync(cCompiler(), ['-O2', '-Wall', '-o', bin, src], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`compiling ${src} failed: ${cc.stderr}`);

const LOOPS = ['getppid', 'read', 'tcp'] as const;
type Loop = (typeof LOOPS)[number];
type Mode = 'none' | HookKind;

function runLoop(loop: Loop): number {
  const n = loop === 'tcp' ? Math.round(iterations / TCP_DIVISOR) : iterations;
  const out = execFileSync(bin, [loop, String(n)], { encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}

/** BPF programs of tracepoint or tracing type loaded by others (they would tax the "none" runs too). */
function foreignPrograms(): number {
  const r = spawnSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) return 0;
  return (JSON.parse(r.stdout) as { type: string }[]).filter((p) => /tracepoint|tracing/.test(p.type)).length;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

ensureTracefs();
const modes: Mode[] = ['none', 'tracepoint'];
/** Why a hook kind is not measured here (the kernel or the arch refuses it). */
const unavailable: Partial<Record<HookKind, string>> = {};
for (const kind of ['raw_tracepoint', 'fexit'] as const) {
  try {
    await SocketTracer.open({ hooks: kind }).close();
    modes.push(kind);
  } catch (e) {
    unavailable[kind] = (e as Error).message.split('\n')[0];
    console.log(`${kind}: not measured (${unavailable[kind]})`);
  }
}

const results = new Map<string, number[]>();
let foreign = 0;
for (let r = 1; r <= rounds; r++) {
  for (let k = 0; k < modes.length; k++) {
    const mode = modes[(k + r - 1) % modes.length]!;
    foreign = Math.max(foreign, foreignPrograms());
    const tracer = mode === 'none' ? undefined : SocketTracer.open({ hooks: mode });
    tracer?.start(() => {});
    try {
      const line: string[] = [];
      for (const loop of LOOPS) {
        const ns = runLoop(loop);
        const key = `${loop}/${mode}`;
        results.set(key, [...(results.get(key) ?? []), ns]);
        line.push(`${loop} ${ns} ns`);
      }
      console.log(`round ${r} ${mode.padEnd(14)} ${line.join(', ')}`);
    } finally {
      await tracer?.close();
    }
  }
}

const out: Record<string, unknown> = { bench: 'syscall-tax', rounds, iterations };
for (const kind of ['raw_tracepoint', 'fexit'] as const) out[kind] = unavailable[kind] ? `unavailable: ${unavailable[kind]}` : 'measured';
for (const loop of LOOPS) {
  const none = median(results.get(`${loop}/none`)!);
  const per: Record<string, number> = { none: +none.toFixed(1) };
  for (const mode of modes.slice(1)) {
    const v = median(results.get(`${loop}/${mode}`)!);
    per[mode] = +v.toFixed(1);
    per[`${mode}_extra`] = +(v - none).toFixed(1);
  }
  out[`${loop}_ns`] = per;
}
if (foreign) out.foreign_programs = foreign;
console.log(JSON.stringify(out));
