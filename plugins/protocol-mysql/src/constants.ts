/** Command bytes (the first payload byte of a client packet with sequence id 0). */
export const Command = Object.freeze({
  SLEEP: 0x00, // internal to the server
  QUIT: 0x01, // close the connection; no reply
  INIT_DB: 0x02, // USE <schema>
  QUERY: 0x03, // text protocol query
  FIELD_LIST: 0x04, // deprecated: column definitions of a table
  CREATE_DB: 0x05, // deprecated
  DROP_DB: 0x06, // deprecated
  REFRESH: 0x07, // deprecated FLUSH
  SHUTDOWN: 0x08, // deprecated
  STATISTICS: 0x09, // reply is a plain string
  PROCESS_INFO: 0x0a, // deprecated SHOW PROCESSLIST (a result set)
  CONNECT: 0x0b, // internal
  PROCESS_KILL: 0x0c, // deprecated KILL
  DEBUG: 0x0d, // dump debug info; EOF or ERR
  PING: 0x0e, // liveness check; OK
  TIME: 0x0f, // internal
  DELAYED_INSERT: 0x10, // internal
  CHANGE_USER: 0x11, // re-authenticate on this connection
  BINLOG_DUMP: 0x12, // replication
  TABLE_DUMP: 0x13, // replication
  CONNECT_OUT: 0x14, // internal
  REGISTER_SLAVE: 0x15, // replication
  STMT_PREPARE: 0x16, // prepare a statement
  STMT_EXECUTE: 0x17, // execute a prepared statement with binary parameters
  STMT_SEND_LONG_DATA: 0x18, // parameter data in pieces; no reply
  STMT_CLOSE: 0x19, // deallocate a statement; no reply
  STMT_RESET: 0x1a, // reset long data; OK
  SET_OPTION: 0x1b, // multi-statements on/off; EOF or ERR
  STMT_FETCH: 0x1c, // rows from a cursor
  DAEMON: 0x1d, // internal
  BINLOG_DUMP_GTID: 0x1e, // replication
  RESET_CONNECTION: 0x1f, // reset session state; OK
} as const);

/** Largest command byte we accept (MariaDB's COM_STMT_BULK_EXECUTE is 0xfa). */
export const MAX_COMMAND = Command.RESET_CONNECTION;
export const COM_STMT_BULK_EXECUTE = 0xfa;

/** First payload byte of server packets that have a fixed meaning. */
export const Marker = Object.freeze({
  OK: 0x00, // OK packet (also the header of binary rows and of the COM_STMT_PREPARE reply)
  LOCAL_INFILE: 0xfb, // LOAD DATA LOCAL: the server asks for a file
  EOF: 0xfe, // EOF packet, or OK packet with CLIENT_DEPRECATE_EOF
  ERR: 0xff, // ERR packet
} as const);

/** resp_status values, as Pixie has them. */
export const RespStatus = Object.freeze({ UNKNOWN: 0, NONE: 1, OK: 2, ERR: 3 } as const);

/** Capability flags we look at. */
export const Capability = Object.freeze({
  PROTOCOL_41: 0x200,
  DEPRECATE_EOF: 0x1000000,
} as const);

/** Server status flag: another result set follows this one (multi-statements, stored procedures). */
export const SERVER_MORE_RESULTS_EXISTS = 0x0008;

/** Column / parameter types of the binary protocol. */
export const FieldType = Object.freeze({
  DECIMAL: 0x00,
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  NULL: 0x06,
  TIMESTAMP: 0x07,
  LONGLONG: 0x08,
  INT24: 0x09,
  DATE: 0x0a,
  TIME: 0x0b,
  DATETIME: 0x0c,
  YEAR: 0x0d,
  NEWDATE: 0x0e,
  VARCHAR: 0x0f,
  BIT: 0x10,
  TIMESTAMP2: 0x11,
  DATETIME2: 0x12,
  TIME2: 0x13,
  JSON: 0xf5,
  NEWDECIMAL: 0xf6,
  ENUM: 0xf7,
  SET: 0xf8,
  TINY_BLOB: 0xf9,
  MEDIUM_BLOB: 0xfa,
  LONG_BLOB: 0xfb,
  BLOB: 0xfc,
  VAR_STRING: 0xfd,
  STRING: 0xfe,
  GEOMETRY: 0xff,
} as const);

/** Largest payload of one packet; a payload this long continues in the next packet. */
export const MAX_PACKET_PAYLOAD = 0xffffff;
