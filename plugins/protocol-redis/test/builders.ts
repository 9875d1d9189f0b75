const enc = new TextEncoder();

/** UTF-8 bytes of s. */
export function bytes(s: string): Uint8Array {
  return enc.encode(s);
}

/** A command as clients send it: a RESP array of bulk strings. */
export function command(...words: string[]): Uint8Array {
  let s = `*${words.length}\r\n`;
  for (const w of words) s += `$${enc.encode(w).length}\r\n${w}\r\n`;
  return bytes(s);
}

/** RESP value builders, as wire text. */
export const resp = {
  simple: (s: string) => `+${s}\r\n`,
  error: (s: string) => `-${s}\r\n`,
  int: (n: number) => `:${n}\r\n`,
  bulk: (s: string) => `$${enc.encode(s).length}\r\n${s}\r\n`,
  nullBulk: () => '$-1\r\n',
  array: (...xs: string[]) => `*${xs.length}\r\n${xs.join('')}`,
  push: (...xs: string[]) => `>${xs.length}\r\n${xs.join('')}`,
  set: (...xs: string[]) => `~${xs.length}\r\n${xs.join('')}`,
  map: (...kv: string[]) => `%${kv.length / 2}\r\n${kv.join('')}`,
  attr: (kv: string[], value: string) => `|${kv.length / 2}\r\n${kv.join('')}${value}`,
  null: () => '_\r\n',
  bool: (b: boolean) => `#${b ? 't' : 'f'}\r\n`,
  double: (s: string) => `,${s}\r\n`,
  big: (s: string) => `(${s}\r\n`,
  blobError: (s: string) => `!${enc.encode(s).length}\r\n${s}\r\n`,
  verbatim: (fmt: string, s: string) => `=${enc.encode(s).length + 4}\r\n${fmt}:${s}\r\n`,
};
