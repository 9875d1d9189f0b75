import assert from 'node:assert/strict';
import { HpackDecoder, type HeaderList } from '../src/hpack.js';
import { canonicalCodes, EOS, HUFFMAN_CODE_LENGTHS, huffmanDecode } from '../src/huffman.js';
import { concat, hStr, huffmanEncode, indexed, literal, sizeUpdate } from './builders.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function decode(d: HpackDecoder, block: Uint8Array): HeaderList {
  const out: HeaderList = [];
  d.decode(block, 0, block.length, out);
  return out;
}

describe('huffman', () => {
  it('the code lengths form a complete prefix code (Kraft sum exactly 1)', () => {
    assert.equal(HUFFMAN_CODE_LENGTHS.length, 257);
    assert.equal(HUFFMAN_CODE_LENGTHS.reduce((a, l) => a + 2 ** -l, 0), 1);
  });

  it('canonical codes match RFC 7541 Appendix B rows', () => {
    const c = canonicalCodes(HUFFMAN_CODE_LENGTHS);
    const rows: [number, number][] = [
      [0, 0x1ff8], [9, 0xffffea], [32, 0x14], [48, 0x0], [58, 0x5c], [92, 0x7fff0], [97, 0x3],
      [127, 0xffffffc], [129, 0x3fffd2], [200, 0x3ffffe2], [255, 0x3ffffee], [EOS, 0x3fffffff],
    ];
    for (const [sym, code] of rows) assert.equal(c[sym], code, `symbol ${sym}`);
  });

  it('decodes RFC 7541 C.4.1 www.example.com', () => {
    const b = hex('f1e3c2e5f23a6ba0ab90f4ff');
    const out = new Uint8Array(64);
    const n = huffmanDecode(b, 0, b.length, out);
    assert.equal(Buffer.from(out.subarray(0, n)).toString(), 'www.example.com');
  });

  it('round-trips every byte value', () => {
    const all = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
    const enc = huffmanEncode(all);
    const out = new Uint8Array(512);
    const n = huffmanDecode(enc, 0, enc.length, out);
    assert.equal(Buffer.from(out.subarray(0, n)).toString('latin1'), all);
  });

  const bad: [string, Uint8Array][] = [
    ['padding longer than 7 bits', Uint8Array.of(0xff, 0xff)],
    ['padding that is not all ones', Uint8Array.of(0x00)], // '0' (00000) + 000 padding
    ['EOS inside the string', Uint8Array.of(0xff, 0xff, 0xff, 0xfc)],
  ];
  for (const [name, bytes] of bad) {
    it(`rejects ${name}`, () => {
      assert.equal(huffmanDecode(bytes, 0, bytes.length, new Uint8Array(16)), -1);
    });
  }
});

describe('HpackDecoder', () => {
  it('decodes RFC 7541 C.3 (requests without Huffman) with the dynamic table', () => {
    const d = new HpackDecoder();
    assert.deepEqual(decode(d, hex('828684410f7777772e6578616d706c652e636f6d')), [
      ':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com',
    ]);
    assert.equal(d.size, 57);
    assert.deepEqual(decode(d, hex('828684be58086e6f2d6361636865')), [
      ':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com', 'cache-control', 'no-cache',
    ]);
    assert.equal(d.size, 110);
    assert.deepEqual(decode(d, hex('828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565')), [
      ':method', 'GET', ':scheme', 'https', ':path', '/index.html', ':authority', 'www.example.com', 'custom-key', 'custom-value',
    ]);
    assert.equal(d.size, 164);
    assert.equal(d.undecoded, 0);
  });

  it('decodes RFC 7541 C.4.1 (Huffman)', () => {
    const d = new HpackDecoder();
    assert.deepEqual(decode(d, hex('828684418cf1e3c2e5f23a6ba0ab90f4ff')), [
      ':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com',
    ]);
  });

  it('evicts the oldest entries when the table is full', () => {
    const d = new HpackDecoder();
    // 32 + 1 + 9 = 42 octets each; a 100-octet table holds two.
    decode(d, concat(sizeUpdate(100), literal('a', 'value-one'), literal('b', 'value-two'), literal('c', 'value-333')));
    assert.equal(d.length, 2);
    assert.deepEqual(decode(d, concat(indexed(62), indexed(63))), ['c', 'value-333', 'b', 'value-two']);
    assert.equal(d.undecoded, 0);
    decode(d, indexed(64));
    assert.equal(d.undecoded, 1);
  });

  it('a size update to 0 empties the table', () => {
    const d = new HpackDecoder();
    decode(d, literal('x-a', '1'));
    decode(d, sizeUpdate(0));
    assert.equal(d.length, 0);
    assert.equal(d.size, 0);
  });

  it('an entry larger than the table empties it and is not added (§4.4)', () => {
    const d = new HpackDecoder();
    decode(d, concat(sizeUpdate(40), literal('x', 'y'), literal('name', 'a-value-that-does-not-fit')));
    assert.equal(d.length, 0);
  });

  it('counts references beyond its table as undecoded and keeps later indexes aligned', () => {
    // Mid-connection: the encoder's table holds entries we never saw.
    const d = new HpackDecoder();
    const out = decode(d, concat(indexed(2), indexed(70), literal(65, 'only-the-value')));
    assert.deepEqual(out, [':method', 'GET']);
    assert.equal(d.undecoded, 2);
    // The unnamed entry was inserted: index 62 is it (unknown), 63 does not exist for us.
    decode(d, literal('x-new', 'v'));
    assert.deepEqual(decode(d, indexed(62)), ['x-new', 'v']);
    decode(d, indexed(63));
    assert.equal(d.undecoded, 1);
  });

  it('decodes never-indexed and without-indexing literals without touching the table', () => {
    const d = new HpackDecoder();
    const out = decode(d, concat(literal('authorization', 'secret', 'never'), literal(4, '/x', 'without', true)));
    assert.deepEqual(out, ['authorization', 'secret', ':path', '/x']);
    assert.equal(d.length, 0);
  });

  it('decodes integers spanning several octets', () => {
    const d = new HpackDecoder();
    const long = 'v'.repeat(300);
    assert.deepEqual(decode(d, literal('k', long)), ['k', long]);
  });

  const malformed: [string, Uint8Array][] = [
    ['index 0', indexed(0)],
    ['a truncated integer', Uint8Array.of(0xff, 0x80)],
    ['a string longer than the block', concat(Uint8Array.of(0x40), hStr('name').subarray(0, 3))],
    ['bad Huffman', Uint8Array.of(0x40, 0x81, 0x00, 0x01, 0x61)],
    ['an integer above 2^28', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
  ];
  for (const [name, block] of malformed) {
    it(`reports ${name} as malformed and resets its table`, () => {
      const d = new HpackDecoder();
      decode(d, literal('k', 'v'));
      decode(d, block);
      assert.equal(d.malformed, true);
      assert.equal(d.length, 0);
    });
  }
});
