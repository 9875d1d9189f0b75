/**
 * Ring buffer throughput: N peer processes hammer a loopback connection (sendmmsg batches of 18-byte HTTP
 * requests, one data event per message) while SocketTracer drains the ring in this process.
 * Phase 1 (max): as fast as the peers go → events_per_s, mb_per_s. Phase 2 (rate): --rate msgs/s offered in
 * total → drops, msgs_per_s_offered. Last line: one JSON object.
 * Usage: npm run bench -- ringbuf [--procs 2] [--seconds 3] [--rate 100000]
 */
import { spawn } from 'node:child_process';
import { EventKind, dataLen, eventKind } from '../src/events.js';
import { SocketTracer, type EventBatch } from '../src/tracer.js';
import { ensureTracefs, peerBinary } from '../test/helpers.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const procs = arg('procs', 2);
const seconds = arg('seconds', 3);
const rate = arg('rate', 100_000);

let events = 0;
let bytes = 0;
let payload = 0;
const handler = (b: EventBatch): void => {
  const { buf, offsets, sizes, count } = b;
  for (let i = 0; i < count; i++) {
    const off = offsets[i]!;
    bytes += sizes[i]!;
    if (eventKind(buf, off) === EventKind.DATA) payload += dataLen(buf, off);
  }
  events += count;
};

/** Runs `procs` peers with `args`; resolves with the messages they sent. */
async function runPeers(tracer: SocketTracer, args: string[]): Promise<number> {
  const runs = Array.from({ length: procs }, () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(peerBinary(), args, { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      let started = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^pid (\d+)$/m.exec(out);
        if (m && !started) {
          started = true;
          tracer.addPid(Number(m[1]));
          child.stdin.write('go\n');
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        const m = /^sent (\d+)$/m.exec(out);
        if (code !== 0 || !m) reject(new Error(`peer exited with ${code}`));
        else resolve(Number(m[1]));
      });
    }),
  );
  return (await Promise.all(runs)).reduce((a, b) => a + b, 0);
}

async function phase(tracer: SocketTracer, args: string[]): Promise<{ sent: number; events: number; bytes: number; payload: number; s: number; drops: number }> {
  events = bytes = payload = 0;
  const drops0 = tracer.drops().total;
  const t0 = process.hrtime.bigint();
  const sent = await runPeers(tracer, args);
  while (tracer.poll(handler) > 0);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { sent, events, bytes, payload, s, drops: tracer.drops().total - drops0 };
}

async function main(): Promise<void> {
  ensureTracefs();
  const tracer = SocketTracer.open({ pidFilter: [] });
  tracer.start(handler);
  try {
    const max = await phase(tracer, ['hammer', String(seconds), '0', '64']);
    console.log(
      `max: ${procs} peers sent ${max.sent} msgs in ${max.s.toFixed(2)} s; drained ${max.events} events ` +
        `(${(max.events / max.s / 1e6).toFixed(2)} M/s, ${(max.bytes / max.s / 1e6).toFixed(1)} MB/s), drops ${max.drops}`,
    );
    const paced = await phase(tracer, ['hammer', String(seconds), String(Math.round(rate / procs)), '50']);
    console.log(
      `rate: offered ${(paced.sent / seconds / 1e3).toFixed(1)} k msgs/s; drained ${paced.events} events, drops ${paced.drops}`,
    );
    console.log(
      JSON.stringify({
        events_per_s: Math.round(max.events / max.s),
        mb_per_s: Number((max.bytes / max.s / 1e6).toFixed(1)),
        drops: paced.drops,
        msgs_per_s_offered: Math.round(paced.sent / seconds),
        max_phase_drops: max.drops,
        max_phase_msgs_per_s: Math.round(max.sent / max.s),
        procs,
        seconds,
      }),
    );
  } finally {
    await tracer.close();
  }
}

await main();
