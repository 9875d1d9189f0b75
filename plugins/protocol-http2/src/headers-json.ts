import type { HeaderList } from './hpack.js';

/** Marker added to a headers JSON that was cut at the limit: how many fields were left out. */
export const TRUNCATED_HEADER = ':nixie-truncated';

/** A JSON string literal; the common header (printable ASCII, no quote or backslash) skips JSON.stringify. */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/**
 * Header lists as one JSON object (Pixie's req_headers/resp_headers form). Repeated names are joined
 * with ", " (cookie with "; ", RFC 9113 §8.2.3). Fields that would take the JSON past `limit` bytes
 * are left out and counted under TRUNCATED_HEADER.
 */
export function headersJson(limit: number, ...lists: HeaderList[]): string {
  // Header lists are short (tens of fields): a flat array with a linear duplicate check beats a Map.
  const names: string[] = [];
  const values: string[] = [];
  for (const h of lists) {
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i]!;
      const at = names.indexOf(name);
      if (at < 0) {
        names.push(name);
        values.push(h[i + 1]!);
      } else {
        values[at] += (name === 'cookie' ? '; ' : ', ') + h[i + 1]!;
      }
    }
  }
  let out = '{';
  let dropped = 0;
  // Room for the marker, so the cut JSON stays under the limit.
  const budget = limit - 32;
  for (let i = 0; i < names.length; i++) {
    const field = (out.length > 1 ? ',' : '') + jsonString(names[i]!) + ':' + jsonString(values[i]!);
    if (out.length + field.length + 1 > budget) {
      dropped++;
      continue;
    }
    out += field;
  }
  if (dropped > 0) out += (out.length > 1 ? ',' : '') + jsonString(TRUNCATED_HEADER) + ':' + jsonString(String(dropped));
  return out + '}';
}
