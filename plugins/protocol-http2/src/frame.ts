/** HTTP/2 frame layout (RFC 9113 §4.1): 9-byte header, then the payload. */
export const FRAME_HEADER_LEN = 9;

/** Frame types (RFC 9113 §6). */
export const FrameType = Object.freeze({
  /** Request/response body bytes. */
  DATA: 0x0,
  /** Opens a stream or carries trailers; a header block fragment. */
  HEADERS: 0x1,
  /** Stream priority (deprecated); no payload we need. */
  PRIORITY: 0x2,
  /** Abrupt end of a stream, with an error code. */
  RST_STREAM: 0x3,
  /** Connection settings; stream 0. */
  SETTINGS: 0x4,
  /** Server push: a header block we must decode to keep HPACK in step. */
  PUSH_PROMISE: 0x5,
  /** Liveness; stream 0. */
  PING: 0x6,
  /** Connection shutdown; stream 0. */
  GOAWAY: 0x7,
  /** Flow control. */
  WINDOW_UPDATE: 0x8,
  /** Rest of a header block. */
  CONTINUATION: 0x9,
} as const);

/** Frame flags (RFC 9113 §6). */
export const Flag = Object.freeze({
  /** DATA/HEADERS: last frame of this side of the stream. */
  END_STREAM: 0x1,
  /** SETTINGS/PING: acknowledgement. */
  ACK: 0x1,
  /** HEADERS/PUSH_PROMISE/CONTINUATION: the header block is complete. */
  END_HEADERS: 0x4,
  /** DATA/HEADERS/PUSH_PROMISE: a pad length byte and padding. */
  PADDED: 0x8,
  /** HEADERS: 5 bytes of priority fields before the block. */
  PRIORITY: 0x20,
} as const);

/** The client connection preface (RFC 9113 §3.4). */
export const PREFACE = new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** The largest SETTINGS_MAX_FRAME_SIZE allowed (2^24-1); lengths above the default are rare. */
export const MAX_FRAME_LEN = 0xffffff;
/** Default SETTINGS_MAX_FRAME_SIZE: frame boundary search trusts only lengths up to this. */
export const DEFAULT_MAX_FRAME_LEN = 16384;

/** Payload length of the frame whose header starts at `off` (the caller checks 9 bytes are there). */
export function frameLength(buf: Uint8Array, off: number): number {
  return (buf[off]! << 16) | (buf[off + 1]! << 8) | buf[off + 2]!;
}

/** Stream id (reserved bit cleared) of the frame header at `off`. */
export function frameStreamId(buf: Uint8Array, off: number): number {
  return ((buf[off + 5]! & 0x7f) * 0x1000000) + ((buf[off + 6]! << 16) | (buf[off + 7]! << 8) | buf[off + 8]!);
}

/**
 * Whether a frame header at `off` is one a peer would send: a known type, a length within the
 * default limit and fitting the type, the stream id zero exactly for connection frames, the reserved
 * bit clear. Used to resync after a gap, so it errs on the strict side.
 */
export function plausibleFrameHeader(buf: Uint8Array, off: number): boolean {
  if (off + FRAME_HEADER_LEN > buf.length) return false;
  const len = frameLength(buf, off);
  const type = buf[off + 3]!;
  if (len > DEFAULT_MAX_FRAME_LEN || type > FrameType.CONTINUATION) return false;
  if (buf[off + 5]! & 0x80) return false;
  const id = frameStreamId(buf, off);
  switch (type) {
    case FrameType.SETTINGS:
      return id === 0 && len % 6 === 0;
    case FrameType.PING:
      return id === 0 && len === 8;
    case FrameType.GOAWAY:
      return id === 0 && len >= 8;
    case FrameType.WINDOW_UPDATE:
      return len === 4;
    case FrameType.RST_STREAM:
      return id !== 0 && len === 4;
    case FrameType.PRIORITY:
      return id !== 0 && len === 5;
    default:
      // DATA, HEADERS, PUSH_PROMISE, CONTINUATION belong to a stream.
      return id !== 0;
  }
}

/** Length of the common prefix of buf[off..] and the preface (how much of it is there). */
export function prefaceMatch(buf: Uint8Array, off: number): number {
  let i = 0;
  while (i < PREFACE.length && off + i < buf.length && buf[off + i] === PREFACE[i]) i++;
  return i;
}
