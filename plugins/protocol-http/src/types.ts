import type { DecoderLimits, Frame, MessageType } from '@nixie/core';

/** One HTTP/1 request or response, with what http_events needs; strings are already cut to the limits. */
export interface HttpMessage extends Frame {
  readonly type: MessageType;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minorVersion: number;
  /** Request method ('' for a response). */
  readonly method: string;
  /** Request target ('' for a response). */
  readonly path: string;
  /** Response status (0 for a request). */
  readonly status: number;
  /** Response reason phrase ('' for a request). */
  readonly message: string;
  /** Header fields as a JSON object, cut at headersLimitBytes. */
  readonly headers: string;
  /** http_events content_type: 0 unknown, 1 JSON. */
  readonly contentType: number;
  /** Body as text (inflated if gzip), cut at bodyLimitBytes. */
  readonly body: string;
  /** Body bytes on the wire (after de-chunking). */
  readonly bodySize: number;
}

/** Per-connection decoder state. */
export interface HttpState {
  readonly limits: DecoderLimits;
  /**
   * Methods of requests parsed but not yet answered, oldest first: a response to HEAD has no body
   * whatever its Content-Length says. The agent parses a connection's requests before its responses.
   */
  readonly methods: string[];
  /** A request asked to switch protocols (Upgrade, CONNECT); its answer decides. */
  upgradePending: boolean;
  /** The connection switched protocols: HTTP/1 is over on it. */
  upgraded: boolean;
}

/** Most unanswered request methods remembered (responses may never be captured). */
export const MAX_PENDING_METHODS = 256;
/** A header block larger than this is not HTTP we can decode (Node's limit is 16 KiB; servers allow 64 KiB). */
export const MAX_HEADER_BYTES = 64 * 1024;
