/** Header fields by name (original case; repeated fields joined with ", "), as in Pixie's req_headers. */
export type HeaderMap = Record<string, string>;

/** A fresh map without a prototype, so that a field named __proto__ is just a field. */
export function newHeaderMap(): HeaderMap {
  return Object.create(null) as HeaderMap;
}

/** Adds one field, joining repeats. */
export function addHeader(h: HeaderMap, name: string, value: string): void {
  const prev = h[name];
  h[name] = prev === undefined ? value : `${prev}, ${value}`;
}

/** Key added when fields were left out to keep the JSON within the limit. */
export const TRUNCATED_KEY = '[truncated]';

/** The fields as a JSON object of at most `limit` characters; fields that do not fit are left out and counted. */
export function headersJson(h: HeaderMap, limit: number): string {
  const full = JSON.stringify(h);
  if (full.length <= limit) return full;
  if (limit < 2) return '';
  const marker = (n: number) => `${JSON.stringify(TRUNCATED_KEY)}:"${n} fields"`;
  const names = Object.keys(h);
  let out = '{';
  let kept = 0;
  for (const name of names) {
    const piece = `${kept ? ',' : ''}${JSON.stringify(name)}:${JSON.stringify(h[name])}`;
    // Leave room for the marker and the closing brace.
    if (out.length + piece.length + marker(names.length).length + 2 > limit) break;
    out += piece;
    kept++;
  }
  const tail = marker(names.length - kept);
  if (out.length + tail.length + 2 > limit) return kept ? `${out}}` : '{}';
  return `${out}${kept ? ',' : ''}${tail}}`;
}
