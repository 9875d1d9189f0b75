import { FieldType } from './constants.js';
import type { Reader } from './reader.js';
import { copy, type Statement } from './parse.js';
import type { TextSink } from '@nixie/core';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Renders the parameters of a COM_STMT_EXECUTE payload (command byte first) as "[v1, v2, ...]",
 * decoding the binary protocol value of each type. The parameter count comes from the prepare
 * reply; types come with the execute or, when it does not resend them, from the previous one.
 * Returns '' when the statement is not known.
 */
export function renderExecuteParams(payload: Uint8Array, stmt: Statement, r: Reader, sink: TextSink, limit: number): string {
  const n = stmt.numParams;
  if (n === 0) return '';
  r.reset(payload, 1 + 4 + 1 + 4, payload.length); // command, statement id, flags, iteration count
  const bitmapAt = r.pos;
  r.skip((n + 7) >> 3);
  const bound = r.u8();
  let types = stmt.types;
  if (bound === 1) {
    const typesAt = r.pos;
    r.skip(2 * n);
    if (r.ok) {
      types = copy(payload, typesAt, typesAt + 2 * n);
      stmt.types = types;
    }
  }
  if (!r.ok || !types || types.length < 2 * n) return '[?]';
  sink.reset(limit);
  sink.add('[');
  for (let i = 0; i < n; i++) {
    if (i > 0) sink.add(', ');
    if (sink.room() <= 0) {
      sink.add('x');
      break;
    }
    if (payload[bitmapAt + (i >> 3)]! & (1 << (i & 7))) {
      sink.add('NULL');
      continue;
    }
    const v = readValue(r, types[2 * i]!, (types[2 * i + 1]! & 0x80) !== 0, sink.room() + 1);
    if (!r.ok) {
      sink.add('?');
      sink.truncated = true;
      break;
    }
    sink.add(v);
  }
  sink.add(']');
  return sink.finish();
}

/** One binary-protocol value of the given type as text. */
export function readValue(r: Reader, type: number, unsigned: boolean, max: number): string {
  switch (type) {
    case FieldType.NULL:
      return 'NULL';
    case FieldType.TINY: {
      const v = r.u8();
      return String(unsigned || v < 0x80 ? v : v - 0x100);
    }
    case FieldType.SHORT:
    case FieldType.YEAR: {
      const v = r.u16();
      return String(unsigned || v < 0x8000 ? v : v - 0x10000);
    }
    case FieldType.LONG:
    case FieldType.INT24: {
      const v = r.u32();
      return String(unsigned || v < 0x80000000 ? v : v - 0x100000000);
    }
    case FieldType.LONGLONG: {
      const at = r.pos;
      r.skip(8);
      if (!r.ok) return '';
      const dv = new DataView(r.buf.buffer, r.buf.byteOffset + at, 8);
      return String(unsigned ? dv.getBigUint64(0, true) : dv.getBigInt64(0, true));
    }
    case FieldType.FLOAT:
    case FieldType.DOUBLE: {
      const size = type === FieldType.FLOAT ? 4 : 8;
      const at = r.pos;
      r.skip(size);
      if (!r.ok) return '';
      const dv = new DataView(r.buf.buffer, r.buf.byteOffset + at, size);
      return String(size === 4 ? dv.getFloat32(0, true) : dv.getFloat64(0, true));
    }
    case FieldType.DATE:
    case FieldType.DATETIME:
    case FieldType.TIMESTAMP:
      return readDateTime(r, type === FieldType.DATE);
    case FieldType.TIME:
      return readTime(r);
    default: {
      // Strings, decimals, blobs, JSON, enums, sets, bits, geometry: length-encoded bytes.
      const s = r.lenencString(max);
      return s === null ? 'NULL' : s;
    }
  }
}

function readDateTime(r: Reader, dateOnly: boolean): string {
  const len = r.u8();
  let y = 0,
    mo = 0,
    d = 0,
    h = 0,
    mi = 0,
    s = 0,
    us = 0;
  if (len >= 4) {
    y = r.u16();
    mo = r.u8();
    d = r.u8();
  }
  if (len >= 7) {
    h = r.u8();
    mi = r.u8();
    s = r.u8();
  }
  if (len >= 11) us = r.u32();
  if (len !== 0 && len !== 4 && len !== 7 && len !== 11) r.skip(len);
  const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
  if (dateOnly) return date;
  return `${date} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${us ? '.' + pad(us, 6) : ''}`;
}

function readTime(r: Reader): string {
  const len = r.u8();
  let neg = 0,
    days = 0,
    h = 0,
    mi = 0,
    s = 0,
    us = 0;
  if (len >= 8) {
    neg = r.u8();
    days = r.u32();
    h = r.u8();
    mi = r.u8();
    s = r.u8();
  }
  if (len >= 12) us = r.u32();
  if (len !== 0 && len !== 8 && len !== 12) r.skip(len);
  return `${neg ? '-' : ''}${pad(days * 24 + h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${us ? '.' + pad(us, 6) : ''}`;
}
