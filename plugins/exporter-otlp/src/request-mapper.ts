import type { Attributes } from '@opentelemetry/api';
import { TraceRole, type RowBatch } from '@nixie/core';
import { readers, type ColumnReader } from './columns.js';

/** OTel SpanKind values (api's enum), kept here so the mapper does not depend on enum identity. */
export const SPAN_KIND = Object.freeze({ INTERNAL: 0, SERVER: 1, CLIENT: 2 } as const);

/** What one request row says, in OTel terms; one object reused across rows. */
export interface RequestInfo {
  name: string;
  kind: number;
  startNs: number;
  endNs: number;
  /** latency as recorded (endNs - startNs loses precision at epoch magnitudes). */
  durationNs: number;
  pid: number;
  pidStart: number;
  /** Route for metrics: normalized URL path, RPC method, or DB operation. */
  route: string;
  /** HTTP method, or '' for other protocols. */
  method: string;
  /** HTTP status, gRPC status, or 0. */
  status: number;
  error: boolean;
  errorMessage: string;
}

/** Maps rows of one request table; bind() once per batch, then describe()/attributes() per row. */
export interface RequestMapper {
  readonly table: string;
  bind(batch: RowBatch): void;
  /** Fills `info` from row i (cheap: what metrics need). */
  describe(i: number, info: RequestInfo): void;
  /** Span attributes of row i, by OTel semantic conventions. */
  attributes(i: number, info: RequestInfo): Attributes;
}

const SOCKET = ['time_', 'upid', 'remote_addr', 'remote_port', 'local_addr', 'local_port', 'trace_role', 'encrypted', 'latency'] as const;
type SocketCols = Record<(typeof SOCKET)[number], ColumnReader>;

/** Common socket columns: times, kind, peers. */
abstract class SocketMapper<K extends string> implements RequestMapper {
  abstract readonly table: string;
  protected s!: SocketCols;
  protected c!: Record<K, ColumnReader>;
  constructor(private readonly cols: readonly K[]) {}

  bind(batch: RowBatch): void {
    this.s = readers(batch, SOCKET);
    this.c = readers(batch, this.cols);
  }

  describe(i: number, info: RequestInfo): void {
    const end = this.s.time_.num(i);
    const latency = Math.max(0, this.s.latency.num(i));
    info.endNs = end;
    info.startNs = end - latency;
    info.durationNs = latency;
    const role = this.s.trace_role.num(i);
    info.kind = role === TraceRole.CLIENT ? SPAN_KIND.CLIENT : role === TraceRole.SERVER ? SPAN_KIND.SERVER : SPAN_KIND.INTERNAL;
    info.pid = this.s.upid.high(i);
    info.pidStart = this.s.upid.low(i);
    info.method = '';
    info.status = 0;
    info.error = false;
    info.errorMessage = '';
    this.describeRequest(i, info);
  }

  attributes(i: number, info: RequestInfo): Attributes {
    const remote = this.s.remote_addr.str(i);
    const remotePort = this.s.remote_port.num(i);
    const a: Attributes = { 'network.peer.address': remote, 'network.peer.port': remotePort, 'process.pid': info.pid };
    // The server is this side for a server span, the peer for a client span.
    if (info.kind === SPAN_KIND.CLIENT) {
      a['server.address'] = remote;
      a['server.port'] = remotePort;
    } else {
      a['server.address'] = this.s.local_addr.str(i);
      a['server.port'] = this.s.local_port.num(i);
      a['client.address'] = remote;
      a['client.port'] = remotePort;
    }
    if (this.s.encrypted.num(i)) a['nixie.encrypted'] = true;
    this.addAttributes(i, info, a);
    return a;
  }

  protected abstract describeRequest(i: number, info: RequestInfo): void;
  protected abstract addAttributes(i: number, info: RequestInfo, a: Attributes): void;
}

const HTTP_COLS = [
  'major_version',
  'minor_version',
  'content_type',
  'req_headers',
  'req_method',
  'req_path',
  'req_body_size',
  'resp_headers',
  'resp_status',
  'resp_message',
  'resp_body_size',
] as const;

/** content_type value the HTTP/2 decoder writes for gRPC. */
const CONTENT_GRPC = 2;

class HttpMapper extends SocketMapper<(typeof HTTP_COLS)[number]> {
  readonly table = 'http_events';
  private grpcService = '';
  private grpcMethod = '';
  constructor() {
    super(HTTP_COLS);
  }

  protected describeRequest(i: number, info: RequestInfo): void {
    const method = this.c.req_method.str(i) || 'GET';
    const target = this.c.req_path.str(i) || '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    info.method = method;
    if (this.isGrpc(i, path)) {
      const slash = path.lastIndexOf('/');
      this.grpcService = path.slice(1, slash);
      this.grpcMethod = path.slice(slash + 1);
      info.name = path.slice(1);
      info.route = path;
      info.status = grpcStatus(this.c.resp_headers.str(i));
      info.error = info.status > 0;
      if (info.error) info.errorMessage = `grpc-status ${info.status}`;
      return;
    }
    this.grpcService = '';
    info.route = normalizeRoute(path);
    info.name = `${method} ${info.route}`;
    const status = this.c.resp_status.num(i);
    info.status = status;
    // Semantic conventions: 5xx is a server span's error; 4xx and 5xx are a client span's.
    info.error = status >= 500 || (status >= 400 && info.kind === SPAN_KIND.CLIENT);
    if (info.error) info.errorMessage = this.c.resp_message.str(i);
  }

  protected addAttributes(i: number, info: RequestInfo, a: Attributes): void {
    const major = this.c.major_version.num(i);
    a['network.protocol.name'] = 'http';
    a['network.protocol.version'] = major >= 2 ? String(major) : `${major}.${this.c.minor_version.num(i)}`;
    a['http.request.method'] = info.method;
    const target = this.c.req_path.str(i);
    const q = target.indexOf('?');
    a['url.path'] = q < 0 ? target : target.slice(0, q);
    if (q >= 0) a['url.query'] = target.slice(q + 1);
    a['http.route'] = info.route;
    const reqSize = this.c.req_body_size.num(i);
    const respSize = this.c.resp_body_size.num(i);
    if (reqSize > 0) a['http.request.body.size'] = reqSize;
    if (respSize > 0) a['http.response.body.size'] = respSize;
    const status = this.c.resp_status.num(i);
    if (status > 0) a['http.response.status_code'] = status;
    if (this.grpcService) {
      a['rpc.system'] = 'grpc';
      a['rpc.service'] = this.grpcService;
      a['rpc.method'] = this.grpcMethod;
      a['rpc.grpc.status_code'] = info.status;
    }
  }

  private isGrpc(i: number, path: string): boolean {
    if (this.c.content_type.num(i) === CONTENT_GRPC) return true;
    if (this.c.major_version.num(i) < 2) return false;
    return this.c.req_headers.str(i).includes('application/grpc') && path.lastIndexOf('/') > 0;
  }
}

/** grpc-status from the response headers (or trailers) JSON; 0 when absent. */
function grpcStatus(headers: string): number {
  const k = headers.indexOf('grpc-status');
  if (k < 0) return 0;
  const m = /^grpc-status"\s*:\s*"?(\d+)/.exec(headers.slice(k, k + 40));
  return m ? Number(m[1]) : 0;
}

/** Path with ids folded to `{id}`, so that routes stay few: numbers, UUIDs and long hex strings. */
export function normalizeRoute(path: string): string {
  if (!/[0-9]/.test(path)) return path;
  return path
    .split('/')
    .map((seg) => (/^\d+$/.test(seg) || /^[0-9a-f-]{16,}$/i.test(seg) ? '{id}' : seg))
    .join('/');
}

/** First keyword of a query (SELECT, INSERT...), upper-cased; '' if none. */
function operationOf(query: string): string {
  const m = /^\s*([A-Za-z]+)/.exec(query);
  return m ? m[1]!.toUpperCase() : '';
}

const MYSQL_COMMANDS: Readonly<Record<number, string>> = {
  1: 'QUIT',
  2: 'INIT_DB',
  3: 'QUERY',
  4: 'FIELD_LIST',
  14: 'PING',
  22: 'STMT_PREPARE',
  23: 'STMT_EXECUTE',
  25: 'STMT_CLOSE',
};
/** mysql_events.resp_status for an ERR packet. */
const MYSQL_ERR = 3;

class MysqlMapper extends SocketMapper<'req_cmd' | 'req_body' | 'resp_status' | 'resp_body'> {
  readonly table = 'mysql_events';
  constructor() {
    super(['req_cmd', 'req_body', 'resp_status', 'resp_body']);
  }
  protected describeRequest(i: number, info: RequestInfo): void {
    const cmd = this.c.req_cmd.num(i);
    const op = operationOf(this.c.req_body.str(i)) || (MYSQL_COMMANDS[cmd] ?? `COM_${cmd}`);
    info.route = op;
    info.name = `${op} mysql`;
    info.status = this.c.resp_status.num(i);
    info.error = info.status === MYSQL_ERR;
    if (info.error) info.errorMessage = this.c.resp_body.str(i);
  }
  protected addAttributes(i: number, info: RequestInfo, a: Attributes): void {
    a['db.system'] = 'mysql';
    a['db.operation.name'] = info.route;
    const q = this.c.req_body.str(i);
    if (q) a['db.query.text'] = q;
  }
}

class PgsqlMapper extends SocketMapper<'req_cmd' | 'req' | 'resp'> {
  readonly table = 'pgsql_events';
  constructor() {
    super(['req_cmd', 'req', 'resp']);
  }
  protected describeRequest(i: number, info: RequestInfo): void {
    const op = operationOf(this.c.req.str(i)) || this.c.req_cmd.str(i).toUpperCase() || 'QUERY';
    info.route = op;
    info.name = `${op} postgresql`;
    const resp = this.c.resp.str(i);
    info.error = resp.startsWith('ERROR') || resp.startsWith('FATAL');
    if (info.error) info.errorMessage = resp;
  }
  protected addAttributes(i: number, info: RequestInfo, a: Attributes): void {
    a['db.system'] = 'postgresql';
    a['db.operation.name'] = info.route;
    const q = this.c.req.str(i);
    if (q) a['db.query.text'] = q;
  }
}

class RedisMapper extends SocketMapper<'req_cmd' | 'req_args' | 'resp'> {
  readonly table = 'redis_events';
  constructor() {
    super(['req_cmd', 'req_args', 'resp']);
  }
  protected describeRequest(i: number, info: RequestInfo): void {
    const op = this.c.req_cmd.str(i).toUpperCase() || 'UNKNOWN';
    info.route = op;
    info.name = op;
    const resp = this.c.resp.str(i);
    // Redis error replies start with '-' on the wire; decoders keep it or the ERR/WRONGTYPE word.
    info.error = resp.startsWith('-') || /^(ERR|WRONGTYPE|NOAUTH|NOPERM)\b/.test(resp);
    if (info.error) info.errorMessage = resp;
  }
  protected addAttributes(i: number, info: RequestInfo, a: Attributes): void {
    a['db.system'] = 'redis';
    a['db.operation.name'] = info.route;
    const args = this.c.req_args.str(i);
    a['db.query.text'] = args ? `${info.route} ${args}` : info.route;
  }
}

class DnsMapper extends SocketMapper<'req_header' | 'req_body' | 'resp_header' | 'resp_body'> {
  readonly table = 'dns_events';
  private question = '';
  private qtype = '';
  constructor() {
    super(['req_header', 'req_body', 'resp_header', 'resp_body']);
  }
  protected describeRequest(i: number, info: RequestInfo): void {
    this.question = '';
    this.qtype = '';
    try {
      const body = JSON.parse(this.c.req_body.str(i) || '{}') as { queries?: Array<{ name?: string; type?: string }> };
      const q = body.queries?.[0];
      this.question = q?.name ?? '';
      this.qtype = q?.type ?? '';
    } catch {
      // A body that is not JSON still makes a span, without the question.
    }
    info.route = this.qtype || 'QUERY';
    info.name = this.question ? `DNS ${this.qtype || 'QUERY'} ${this.question}` : 'DNS QUERY';
    const rcode = dnsRcode(this.c.resp_header.str(i));
    info.status = rcode;
    info.error = rcode !== 0;
    if (info.error) info.errorMessage = `rcode ${rcode}`;
  }
  protected addAttributes(_i: number, _info: RequestInfo, a: Attributes): void {
    if (this.question) a['dns.question.name'] = this.question;
    if (this.qtype) a['dns.question.type'] = this.qtype;
    a['network.transport'] = 'udp';
  }
}

/** rcode of a DNS response header JSON; 0 when absent or unreadable. */
function dnsRcode(header: string): number {
  try {
    return Number((JSON.parse(header || '{}') as { rcode?: number }).rcode ?? 0) || 0;
  } catch {
    return 0;
  }
}

/** A mapper for each request table, by table name. */
export function createMappers(): Map<string, RequestMapper> {
  const all: RequestMapper[] = [new HttpMapper(), new MysqlMapper(), new PgsqlMapper(), new RedisMapper(), new DnsMapper()];
  return new Map(all.map((m) => [m.table, m]));
}

/** A blank RequestInfo to reuse. */
export function newRequestInfo(): RequestInfo {
  return { name: '', kind: 0, startNs: 0, endNs: 0, durationNs: 0, pid: 0, pidStart: 0, route: '', method: '', status: 0, error: false, errorMessage: '' };
}
