/**
 * The TypeScript view of bpf/include/socket_trace.h: offsets and sizes of every field of every event.
 * test/layout.test.ts compiles a C program that prints the real offsets and compares them with this table.
 */

/** A field: byte offset from the start of its struct, and size in bytes. */
export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

/** Layout of one C struct: its C name, sizeof, and fields keyed by their C member path (`hdr.conn.pid`). */
export interface StructLayout {
  readonly cName: string;
  readonly size: number;
  readonly fields: Readonly<Record<string, FieldLayout>>;
}

const f = (offset: number, size: number): FieldLayout => Object.freeze({ offset, size });

/** Largest data payload of one data event (NIXIE_MAX_DATA_SIZE): a data event is then 32 KiB at most. */
export const MAX_DATA_SIZE = 32680;
/** Default cap on the bytes of one data event (NIXIE_DEFAULT_DATA_CAP, Pixie's 30 KiB). */
export const DEFAULT_DATA_CAP = 30720;
/** Default bytes of traffic between two stats events of a connection (NIXIE_DEFAULT_STATS_THRESHOLD). */
export const DEFAULT_STATS_THRESHOLD = 65536;
/** Default number of data events for one message (NIXIE_DEFAULT_CHUNK_LIMIT). */
export const DEFAULT_CHUNK_LIMIT = 64;

const HEADER_FIELDS = {
  'hdr.kind': f(0, 1),
  'hdr.protocol': f(1, 1),
  'hdr.role': f(2, 1),
  'hdr.flags': f(3, 1),
  'hdr.cpu': f(4, 4),
  'hdr.timestamp_ns': f(8, 8),
  'hdr.conn.start_time_ns': f(16, 8),
  'hdr.conn.pid': f(24, 4),
  'hdr.conn.fd': f(28, 4),
  'hdr.conn.generation': f(32, 8),
} as const;

/** struct nixie_sockaddr fields under `prefix`, at `base`. */
function sockaddr<P extends string>(prefix: P, base: number): Record<`${P}.family` | `${P}.port` | `${P}.addr`, FieldLayout> {
  return {
    [`${prefix}.family`]: f(base, 2),
    [`${prefix}.port`]: f(base + 2, 2),
    [`${prefix}.addr`]: f(base + 4, 16),
  } as Record<`${P}.family` | `${P}.port` | `${P}.addr`, FieldLayout>;
}

/** Every event struct of socket_trace.h, as offsets. */
export const LAYOUT = Object.freeze({
  header: { cName: 'struct nixie_event_header', size: 40, fields: stripHdr(HEADER_FIELDS) },
  open: {
    cName: 'struct nixie_conn_open_event',
    size: 88,
    fields: {
      ...HEADER_FIELDS,
      ...sockaddr('local', 40),
      ...sockaddr('remote', 60),
      sock_type: f(80, 2),
      syscall: f(82, 1),
    },
  },
  close: {
    cName: 'struct nixie_conn_close_event',
    size: 56,
    fields: { ...HEADER_FIELDS, bytes_sent: f(40, 8), bytes_recv: f(48, 8) },
  },
  stats: {
    cName: 'struct nixie_conn_stats_event',
    size: 56,
    fields: { ...HEADER_FIELDS, bytes_sent: f(40, 8), bytes_recv: f(48, 8) },
  },
  data: {
    cName: 'struct nixie_data_event',
    size: 88 + MAX_DATA_SIZE,
    fields: {
      ...HEADER_FIELDS,
      pos: f(40, 8),
      msg_size: f(48, 4),
      data_len: f(52, 4),
      chunk_offset: f(56, 4),
      direction: f(60, 1),
      syscall: f(61, 1),
      ...sockaddr('remote', 64),
      data: f(88, MAX_DATA_SIZE),
    },
  },
  procExec: {
    cName: 'struct nixie_proc_exec_event',
    size: 64,
    fields: { ...HEADER_FIELDS, ppid: f(40, 4), comm: f(48, 16) },
  },
  procExit: {
    cName: 'struct nixie_proc_exit_event',
    size: 48,
    fields: { ...HEADER_FIELDS, exit_code: f(40, 4) },
  },
} satisfies Record<string, StructLayout>);

function stripHdr(fields: Record<string, FieldLayout>): Record<string, FieldLayout> {
  const out: Record<string, FieldLayout> = {};
  for (const [k, v] of Object.entries(fields)) out[k.slice('hdr.'.length)] = v;
  return out;
}

/** Offset of data[] in a data event: the size of a data event without payload. */
export const DATA_HEADER_SIZE = LAYOUT.data.fields.data.offset;
