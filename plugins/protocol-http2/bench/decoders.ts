// `npm run bench -- decoders [--seconds N]`: decode + stitch records/s per protocol over recorded streams.
// Each protocol plugin exports benchDecoder() from its `./bench` subpath (see /work/notes/decoders-bench.md);
// this program runs them one after another and prints, last, one JSON line with a figure per protocol.
import type { DecoderBenchFigure } from '@nixie/core/testing';

interface BenchModule {
  benchDecoder(opts?: { seconds?: number }): DecoderBenchFigure;
}

const PROTOCOLS = ['http2', 'dns', 'mysql', 'pgsql', 'redis'] as const;

const args = process.argv.slice(2);
const at = args.indexOf('--seconds');
const seconds = at >= 0 ? Number(args[at + 1]) : 1;
if (!(seconds > 0)) {
  console.error('decoders: --seconds needs a positive number');
  process.exit(2);
}

const out: Record<string, number | string | null> = { bench: 'decoders', unit: 'records/s' };
for (const p of PROTOCOLS) {
  let mod: BenchModule;
  try {
    mod = (await import(`@nixie/protocol-${p}/bench`)) as BenchModule;
  } catch (e) {
    console.error(`${p}: no benchmark (${(e as Error).message.split('\n')[0]})`);
    out[p] = null;
    continue;
  }
  (globalThis as { gc?: () => void }).gc?.();
  const f = mod.benchDecoder({ seconds });
  console.log(`${p.padEnd(6)} ${String(f.recordsPerSec).padStart(10)} records/s  (${f.records} records in ${f.seconds.toFixed(2)} s)`);
  out[p] = f.recordsPerSec;
}
console.log(JSON.stringify(out));
