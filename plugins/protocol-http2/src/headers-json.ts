import type { HeaderList } from './hpack.js';

/** Marker added to a headers JSON that was cut at the limit: how many fields were left out. */
export const TRUNCATED_HEADER = ':nixie-truncated';

/**
 * Header lists as one JSON object (Pixie's req_headers/resp_headers form). Repeated names are joined
 * with ", " (cookie with "; ", RFC 9113 §8.2.3). Fields that would take the JSON past `limit` bytes
 * are left out and counted under TRUNCATED_HEADER.
 */
export function headersJson(limit: number, ...lists: HeaderList[]): string {
  const merged = new Map<string, string>();
  for (const h of lists) {
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i]!;
      const prev = merged.get(name);
      merged.set(name, prev === undefined ? h[i + 1]! : prev + (name === 'cookie' ? '; ' : ', ') + h[i + 1]!);
    }
  }
  let out = '{';
  let dropped = 0;
  // Room for the marker, so the cut JSON stays under the limit.
  const budget = limit - 32;
  for (const [name, value] of merged) {
    const field = (out.length > 1 ? ',' : '') + JSON.stringify(name) + ':' + JSON.stringify(value);
    if (out.length + field.length + 1 > budget) {
      dropped++;
      continue;
    }
    out += field;
  }
  if (dropped > 0) out += (out.length > 1 ? ',' : '') + JSON.stringify(TRUNCATED_HEADER) + ':' + JSON.stringify(String(dropped));
  return out + '}';
}
