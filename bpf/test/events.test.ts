import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  dataLen, dataPos, eventFd, eventGeneration, eventPid, eventStartTimeNs, eventTimestampNs, eventWords,
  wDataLen, wDataPos, wFd, wGeneration, wPid, wStartTimeNs, wTimestampNs,
} from '../src/events.js';
import { LAYOUT } from '../src/layout.js';

describe('event accessors by 32-bit word', () => {
  it('read what the byte accessors read, for any field values (u64s up to 2^53, negative fds)', () => {
    const size = LAYOUT.data.fields.data.offset; // the fixed part: all the fields read here
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 53n - 1n });
    fc.assert(
      fc.property(u64, u64, fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), u64, u64,
        fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat(3), (ts, start, pid, fd, gen, pos, len, slot) => {
          // Three events in one buffer; the one read sits at a multiple of 8, as the ring puts them.
          const buf = Buffer.alloc(size * 3 + 8);
          const off = slot === 0 ? 0 : 8 * Math.ceil((size * slot) / 8);
          if (off + size > buf.length) return;
          const f = LAYOUT.data.fields;
          buf.writeBigUInt64LE(ts, off + f['hdr.timestamp_ns'].offset);
          buf.writeBigUInt64LE(start, off + f['hdr.conn.start_time_ns'].offset);
          buf.writeUInt32LE(pid, off + f['hdr.conn.pid'].offset);
          buf.writeInt32LE(fd, off + f['hdr.conn.fd'].offset);
          buf.writeBigUInt64LE(gen, off + f['hdr.conn.generation'].offset);
          buf.writeBigUInt64LE(pos, off + f.pos.offset);
          buf.writeUInt32LE(len, off + f.data_len.offset);
          const w = eventWords(buf)!;
          const i = off >>> 2;
          assert.equal(wTimestampNs(w, i), eventTimestampNs(buf, off));
          assert.equal(wTimestampNs(w, i), Number(ts));
          assert.equal(wStartTimeNs(w, i), eventStartTimeNs(buf, off));
          assert.equal(wPid(w, i), eventPid(buf, off));
          assert.equal(wFd(w, i), eventFd(buf, off));
          assert.equal(wFd(w, i), fd);
          assert.equal(wGeneration(w, i), eventGeneration(buf, off));
          assert.equal(wDataPos(w, i), dataPos(buf, off));
          assert.equal(wDataLen(w, i), dataLen(buf, off));
          assert.equal(wDataLen(w, i), len);
        }),
      { numRuns: 500 },
    );
  });

  it('has no word view of a buffer that does not start 4-byte aligned', () => {
    const base = Buffer.alloc(64);
    assert.ok(eventWords(base));
    assert.equal(eventWords(base.subarray(2)), undefined);
  });
});
