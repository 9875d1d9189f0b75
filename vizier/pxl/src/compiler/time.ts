const UNIT_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9 };
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;

/** Parses '5m', '-30s', '1h30m' to nanoseconds; undefined if it is not a duration. */
export function parseDuration(s: string): number | undefined {
  let t = s.trim();
  let sign = 1;
  if (t.startsWith('-')) {
    sign = -1;
    t = t.slice(1);
  } else if (t.startsWith('+')) t = t.slice(1);
  if (!t) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let at = 0;
  for (let m = PART.exec(t); m; m = PART.exec(t)) {
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    at = PART.lastIndex;
  }
  return at === t.length ? sign * total : undefined;
}

/** A start/end time argument: a relative duration ('-5m'), 'now', an ISO date or ns since epoch. */
export function parseTime(s: string, nowNs: number): number | undefined {
  const t = s.trim();
  if (t === 'now' || t === '') return nowNs;
  const d = parseDuration(t);
  if (d !== undefined) return nowNs + (d > 0 && !t.startsWith('+') ? -d : d);
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms * 1e6;
}
