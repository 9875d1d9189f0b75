import { DataType, type Column, type RowBatch, type TableSchema } from '@nixie/core';
import type { AgentResult } from './types.js';

/**
 * Binary form of a RowBatch for the bus: 'NXB1', u32 header length, a JSON header (schema, length,
 * buffer byte lengths), then the column buffers, each starting on an 8-byte boundary so that a
 * decoder can view Float64Arrays in place.
 */
const MAGIC = 0x3142584e; // 'NXB1' little-endian
const RESULT_MAGIC = 0x3152584e; // 'NXR1'
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Header {
  schema: TableSchema;
  length: number;
  buffers: number[];
}

function buffersOf(c: Column): ArrayBufferView[] {
  switch (c.type) {
    case DataType.STRING: {
      // Offsets may be a view into a shared chunk: rebase them so the bytes sent are only this batch's.
      const a = c.offsets[0] ?? 0;
      const n = c.offsets.length;
      const off = new Uint32Array(n);
      for (let i = 0; i < n; i++) off[i] = c.offsets[i]! - a;
      return [c.bytes.subarray(a, c.offsets[n - 1] ?? a), off];
    }
    case DataType.UINT128:
      return [c.high, c.low];
    default:
      return [c.values];
  }
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** Encodes a batch as bytes (see the format above). */
export function encodeBatch(batch: RowBatch): Uint8Array {
  const bufs = batch.columns.flatMap(buffersOf);
  const header: Header = { schema: batch.schema, length: batch.length, buffers: bufs.map((b) => b.byteLength) };
  const h = enc.encode(JSON.stringify(header));
  const start = pad8(8 + h.length);
  let total = start;
  for (const b of bufs) total += pad8(b.byteLength);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, h.length, true);
  out.set(h, 8);
  let p = start;
  for (const b of bufs) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), p);
    p += pad8(b.byteLength);
  }
  return out;
}

/** Decodes bytes made by encodeBatch; throws on a malformed buffer. */
export function decodeBatch(bytes: Uint8Array): RowBatch {
  // Typed-array views need 8-byte alignment; copy when the transport handed us an unaligned slice.
  const u8 = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  if (u8.length < 8 || dv.getUint32(0, true) !== MAGIC) throw new Error('not an encoded row batch');
  const hl = dv.getUint32(4, true);
  const header = JSON.parse(dec.decode(u8.subarray(8, 8 + hl))) as Header;
  let p = pad8(8 + hl);
  let bi = 0;
  const take = (): { off: number; len: number } => {
    const len = header.buffers[bi++]!;
    const off = p;
    p += pad8(len);
    if (off + len > u8.length) throw new Error('truncated row batch');
    return { off: u8.byteOffset + off, len };
  };
  const columns: Column[] = header.schema.columns.map((c) => {
    switch (c.type) {
      case DataType.STRING: {
        const b = take();
        const o = take();
        return { type: c.type, bytes: new Uint8Array(u8.buffer, b.off, b.len), offsets: new Uint32Array(u8.buffer, o.off, o.len / 4) };
      }
      case DataType.UINT128: {
        const hi = take();
        const lo = take();
        return { type: c.type, high: new Float64Array(u8.buffer, hi.off, hi.len / 8), low: new Float64Array(u8.buffer, lo.off, lo.len / 8) };
      }
      case DataType.BOOLEAN: {
        const b = take();
        return { type: c.type, values: new Uint8Array(u8.buffer, b.off, b.len) };
      }
      default: {
        const b = take();
        return { type: c.type, values: new Float64Array(u8.buffer, b.off, b.len / 8) } as Column;
      }
    }
  });
  return { schema: header.schema, length: header.length, columns };
}

/** Encodes one agent's whole answer (every fragment node's batches) as one message. */
export function encodeAgentResult(result: AgentResult): Uint8Array {
  const parts: Uint8Array[] = [];
  const index = result.map((r) => ({ id: r.id, n: r.batches.length }));
  for (const r of result) for (const b of r.batches) parts.push(encodeBatch(b));
  const h = enc.encode(JSON.stringify(index));
  let total = pad8(8 + h.length);
  for (const p of parts) total += 8 + pad8(p.length);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, RESULT_MAGIC, true);
  dv.setUint32(4, h.length, true);
  out.set(h, 8);
  let p = pad8(8 + h.length);
  for (const part of parts) {
    dv.setUint32(p, part.length, true);
    out.set(part, p + 8);
    p += 8 + pad8(part.length);
  }
  return out;
}

/** Decodes bytes made by encodeAgentResult. */
export function decodeAgentResult(bytes: Uint8Array): AgentResult {
  const u8 = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  if (u8.length < 8 || dv.getUint32(0, true) !== RESULT_MAGIC) throw new Error('not an encoded agent result');
  const hl = dv.getUint32(4, true);
  const index = JSON.parse(dec.decode(u8.subarray(8, 8 + hl))) as { id: number; n: number }[];
  let p = pad8(8 + hl);
  return index.map(({ id, n }) => {
    const batches: RowBatch[] = [];
    for (let i = 0; i < n; i++) {
      const len = dv.getUint32(p, true);
      batches.push(decodeBatch(u8.subarray(p + 8, p + 8 + len)));
      p += 8 + pad8(len);
    }
    return { id, batches };
  });
}
