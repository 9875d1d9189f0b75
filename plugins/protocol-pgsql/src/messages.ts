/** Frontend (client) message type bytes. */
export const Frontend = Object.freeze({
  QUERY: 0x51, // 'Q' simple query
  PARSE: 0x50, // 'P' prepare a statement (extended query)
  BIND: 0x42, // 'B' bind parameters to a statement, creating a portal
  DESCRIBE: 0x44, // 'D' describe a statement or portal
  EXECUTE: 0x45, // 'E' run a portal
  SYNC: 0x53, // 'S' end of an extended-query batch; the server answers ReadyForQuery
  FLUSH: 0x48, // 'H' ask the server to send what it has
  CLOSE: 0x43, // 'C' close a statement or portal
  TERMINATE: 0x58, // 'X' end of session
  COPY_DATA: 0x64, // 'd' COPY FROM STDIN payload
  COPY_DONE: 0x63, // 'c' end of COPY FROM STDIN
  COPY_FAIL: 0x66, // 'f' abort COPY FROM STDIN
  FUNCTION_CALL: 0x46, // 'F' legacy fast-path function call
  PASSWORD: 0x70, // 'p' password, SASL and GSS responses during authentication
} as const);

/** Backend (server) message type bytes. */
export const Backend = Object.freeze({
  AUTHENTICATION: 0x52, // 'R' authentication request / AuthenticationOk
  BACKEND_KEY_DATA: 0x4b, // 'K' cancel key
  PARAMETER_STATUS: 0x53, // 'S' run-time parameter report
  READY_FOR_QUERY: 0x5a, // 'Z' the end of every response
  ROW_DESCRIPTION: 0x54, // 'T' columns of the rows that follow
  DATA_ROW: 0x44, // 'D' one row
  COMMAND_COMPLETE: 0x43, // 'C' command tag, e.g. "SELECT 3"
  ERROR_RESPONSE: 0x45, // 'E' error fields
  NOTICE_RESPONSE: 0x4e, // 'N' warning/notice fields
  EMPTY_QUERY: 0x49, // 'I' the query string was empty
  PARSE_COMPLETE: 0x31, // '1'
  BIND_COMPLETE: 0x32, // '2'
  CLOSE_COMPLETE: 0x33, // '3'
  NO_DATA: 0x6e, // 'n' Describe of something that returns no rows
  PARAMETER_DESCRIPTION: 0x74, // 't' parameter types of a described statement
  PORTAL_SUSPENDED: 0x73, // 's' Execute stopped at its row limit
  COPY_IN: 0x47, // 'G' server is ready for COPY FROM STDIN data
  COPY_OUT: 0x48, // 'H' COPY TO STDOUT data follows
  COPY_BOTH: 0x57, // 'W' replication
  COPY_DATA: 0x64, // 'd'
  COPY_DONE: 0x63, // 'c'
  NOTIFICATION: 0x41, // 'A' LISTEN/NOTIFY delivery
  FUNCTION_CALL_RESPONSE: 0x56, // 'V'
  NEGOTIATE_PROTOCOL: 0x76, // 'v' server supports an older minor protocol version
} as const);

/** Startup-packet codes (the packets without a type byte). */
export const StartupCode = Object.freeze({
  PROTOCOL_3: 196608, // 3.0 StartupMessage
  SSL_REQUEST: 80877103,
  GSSENC_REQUEST: 80877104,
  CANCEL_REQUEST: 80877102,
} as const);

const FRONTEND_TYPES = new Set<number>(Object.values(Frontend));
const BACKEND_TYPES = new Set<number>(Object.values(Backend));

/** Whether b is a message type a client sends. */
export function isFrontendType(b: number): boolean {
  return FRONTEND_TYPES.has(b);
}

/** Whether b is a message type a server sends. */
export function isBackendType(b: number): boolean {
  return BACKEND_TYPES.has(b);
}
