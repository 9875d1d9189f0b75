const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const HEX = '0123456789abcdef';

/**
 * Body bytes as a column string: text as it is when it is UTF-8 without control characters
 * (JSON, HTML, plain text); otherwise printable ASCII kept and every other byte written \xNN, so
 * binary payloads such as protobuf stay readable and lossless. `binary` (gRPC): any control
 * character means escaping, since protobuf field tags look like newlines and tabs.
 */
export function renderBytes(buf: Uint8Array, start: number, end: number, binary = false): string {
  let text = true;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if ((c < 0x20 && (binary || (c !== 0x09 && c !== 0x0a && c !== 0x0d))) || c === 0x7f) {
      text = false;
      break;
    }
  }
  if (text) {
    try {
      return strictUtf8.decode(buf.subarray(start, end));
    } catch {
      // not UTF-8: escape below
    }
  }
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x20 && c < 0x7f && c !== 0x5c) s += String.fromCharCode(c);
    else s += '\\x' + HEX[c >> 4]! + HEX[c & 15]!;
  }
  return s;
}

/** A body for the table: gRPC messages rendered one by one and joined by newlines, others as one piece. */
export function renderBody(body: Uint8Array, len: number, messageStarts: readonly number[], grpc: boolean): string {
  if (!grpc || messageStarts.length <= 1) return renderBytes(body, messageStarts.length === 1 ? messageStarts[0]! : 0, len, grpc);
  const parts: string[] = [];
  for (let i = 0; i < messageStarts.length; i++) {
    const end = i + 1 < messageStarts.length ? messageStarts[i + 1]! : len;
    parts.push(renderBytes(body, messageStarts[i]!, end, true));
  }
  return parts.join('\n');
}
