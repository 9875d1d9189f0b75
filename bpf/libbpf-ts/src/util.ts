/** Small helpers shared by libbpf-ts's modules. */
import { getNative } from './native.js';

const buf = Buffer.alloc(256);

/** The text of an errno (positive), via libbpf_strerror, with its symbolic name when known. */
export function strerror(err: number): string {
  const e = Math.abs(err);
  const n = getNative();
  n.libbpf_strerror(e, buf, buf.length);
  const end = buf.indexOf(0);
  return `${buf.toString('utf8', 0, end < 0 ? buf.length : end)} (errno ${e})`;
}
