import assert from 'node:assert/strict';
import { createLogger, MessageType, PluginHost, PROTOCOL, TableStore, TraceRole, type NixiePlugin, type ParseContext } from '@nixie/core';
import { ConnStats } from '../src/conn-stats.js';
import { Pipeline } from '../src/pipeline.js';
import { RecordWriter } from '../src/record-writer.js';
import { RolePolicy } from '../src/role-policy.js';
import { EventWriter, type SyntheticConn } from '../src/synthetic.js';
import { bracketDecoder } from './bracket-decoder.js';

interface Seen {
  gaps: [MessageType, unknown][];
  /** ctx.startNs of every parseFrame call, with the text at the head. */
  starts: [string, number][];
}

/** The bracket decoder, recording onGap calls and the ParseContext it is given. */
function recordingPlugin(seen: Seen): NixiePlugin {
  return {
    name: 'recording-bracket',
    apply(host) {
      host.hooks.registerDecoders.tap('recording-bracket', (r) =>
        r.add({
          ...bracketDecoder,
          parseFrame(type: MessageType, buf: Uint8Array, state: { parses: number }, ctx?: ParseContext) {
            seen.starts.push([Buffer.from(buf.subarray(0, 3)).toString('latin1'), ctx?.startNs ?? -1]);
            return bracketDecoder.parseFrame(type, buf, state);
          },
          onGap(type: MessageType, state: unknown) {
            seen.gaps.push([type, state]);
          },
        }),
      );
    },
  };
}

async function setup(seen: Seen) {
  const host = new PluginHost({ log: createLogger('silent') });
  host.register(recordingPlugin(seen));
  await host.boot();
  const store = new TableStore({ budgetBytes: 16 * 1024 * 1024 });
  const pipeline = new Pipeline({
    host, writer: new RecordWriter(store, host), connStats: new ConnStats(), policy: new RolePolicy('both', new Set()), protocols: {},
    clockOffsetNs: 0, idleNs: 1e9, stream: { gapPatience: 1 },
  });
  return { pipeline, store };
}

const conn: SyntheticConn = { pid: 100, startTimeNs: 5e9, fd: 7, generation: 5, protocol: PROTOCOL.http, role: TraceRole.SERVER };

describe('Pipeline: decoder onGap and ParseContext', () => {
  it('calls onGap(type, state) once when a stream skips a gap, then parses past it', async () => {
    const seen: Seen = { gaps: [], starts: [] };
    const { pipeline } = await setup(seen);
    const w = new EventWriter();
    w.open(conn, 1, ['127.0.0.1', 80], ['127.0.0.1', 40000]);
    w.data(conn, 10, 1, 0, Buffer.from('[a')); // request stream (server ingress): "[a" never completes...
    w.data(conn, 30, 1, 10, Buffer.from('[b]')); // ...bytes 2..10 were lost
    pipeline.handleBatch(w.batch());
    assert.equal(seen.gaps.length, 0, 'a gap gets its patience first (late events may still fill it)');
    pipeline.processDirty();
    pipeline.processDirty();
    assert.equal(seen.gaps.length, 1);
    const t = pipeline.conns.all()[0]!;
    assert.equal(seen.gaps[0]![0], MessageType.REQUEST);
    assert.equal(seen.gaps[0]![1], t.state, "the connection's decoder state");
    assert.equal(t.requests.length, 1, 'the frame after the gap is parsed');
    assert.equal(t.requests[0]!.startNs, 30);
    // Nothing lost on the response side: no onGap for it.
    const w2 = new EventWriter();
    w2.data(conn, 40, 0, 0, Buffer.from('[r]'));
    pipeline.handleBatch(w2.batch());
    assert.equal(seen.gaps.length, 1);
  });

  it('passes parseFrame the capture time of the head byte', async () => {
    const seen: Seen = { gaps: [], starts: [] };
    const { pipeline } = await setup(seen);
    const w = new EventWriter();
    w.open(conn, 1, ['127.0.0.1', 80], ['127.0.0.1', 40000]);
    w.data(conn, 100, 1, 0, Buffer.from('[one][tw'));
    w.data(conn, 200, 1, 8, Buffer.from('o]'));
    w.data(conn, 300, 1, 10, Buffer.from('[three]'));
    pipeline.handleBatch(w.batch());
    assert.deepEqual(seen.starts, [['[on', 100], ['[tw', 100], ['[th', 300]]);
  });
});
