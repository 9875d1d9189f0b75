// Decode + stitch throughput over a recorded Redis stream; the `decoders` benchmark aggregates it.
import { redisDecoder } from '../src/index.js';
import { command, resp, bytes } from '../test/builders.js';
import { benchStreams, concat, type DecoderBenchFigure } from '@nixie/core/testing';

/** A recorded-like session: 1000 commands (GET/SET/HSET/LRANGE/pipelined), each with its reply. */
function streams(): [Uint8Array, Uint8Array] {
  const q: Uint8Array[] = [];
  let r = '';
  for (let i = 0; i < 250; i++) {
    q.push(command('SET', `key:${i}`, `value-${i}-${'x'.repeat(i % 64)}`));
    r += resp.simple('OK');
    q.push(command('GET', `key:${i}`));
    r += resp.bulk(`value-${i}-${'x'.repeat(i % 64)}`);
    q.push(command('HSET', `h:${i}`, 'f1', 'v1', 'f2', 'v2'));
    r += resp.int(2);
    q.push(command('LRANGE', 'list', '0', '9'));
    r += resp.array(...Array.from({ length: 10 }, (_, j) => resp.bulk(`item-${j}`)));
  }
  return [concat(...q), bytes(r)];
}

/** Decodes + stitches the recorded stream in a loop for about `seconds`; returns records/s. */
export function benchDecoder(opts: { seconds?: number } = {}): DecoderBenchFigure {
  const [req, res] = streams();
  return benchStreams(redisDecoder, req, res, opts.seconds ?? 1);
}
