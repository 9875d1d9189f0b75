import { readFileSync } from 'node:fs';
import { TableStore, type PluginHost, type RowBatch } from '@nixie/core';

/** This process's comm: what the exporter names the service of rows with our pid. */
export const OWN_COMM = readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim();
export const UPID = { high: process.pid, low: 12345 };
/** A time well inside float64's exact range at today's epoch: whole microseconds. */
export const T0 = Math.floor(Date.now() / 1000) * 1e9;

/** A store with core's tables, big enough for the tests. */
export function newStore(): TableStore {
  return new TableStore({ budgetBytes: 64 * 1024 * 1024 });
}

/** Publishes every table's new rows through the host's onRecords, as the agent does after a drain. */
export function publish(store: TableStore, host: PluginHost): void {
  store.publish((table: string, batch: RowBatch) => host.hooks.onRecords.call({ table, batch }));
}

/** All new rows of one table as one list of batches. */
export function take(store: TableStore, table: string): RowBatch[] {
  return store.table(table).takeUnpublished();
}

export function httpRow(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time_: T0 + i * 1e6,
    upid: UPID,
    remote_addr: '127.0.0.1',
    remote_port: 40000 + i,
    local_addr: '127.0.0.1',
    local_port: 8080,
    trace_role: 2,
    encrypted: false,
    major_version: 1,
    minor_version: 1,
    content_type: 0,
    req_headers: '{"Host":"localhost:8080"}',
    req_method: 'GET',
    req_path: `/users/${i}?full=1`,
    req_body: '',
    req_body_size: 0,
    resp_headers: '{"Content-Type":"text/plain"}',
    resp_status: 200,
    resp_message: 'OK',
    resp_body: 'hi',
    resp_body_size: 2,
    latency: 2_500_000,
    ...over,
  };
}

export function redisRow(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time_: T0 + i * 1e6,
    upid: UPID,
    remote_addr: '127.0.0.1',
    remote_port: 6379,
    local_addr: '127.0.0.1',
    local_port: 50000 + i,
    trace_role: 1,
    encrypted: false,
    req_cmd: 'SET',
    req_args: `["k${i}","v"]`,
    resp: 'OK',
    latency: 300_000,
    ...over,
  };
}
