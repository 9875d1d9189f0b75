import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';

const MAX_CACHED = 4096;

/**
 * Names the service behind a upid and keeps one OTel Resource per service, so that spans of one
 * service share a Resource object (the OTLP encoder groups by Resource identity).
 */
export class ServiceResolver {
  private readonly byProcess = new Map<string, string>();
  private readonly resources = new Map<string, Resource>();
  readonly hostName: string;

  constructor(
    private readonly services: Readonly<Record<string, string>> = {},
    private readonly procRoot = '/proc',
    hostName = hostname(),
  ) {
    this.hostName = hostName;
  }

  /** Service name for a pid (upid's high half) and its start time (low half). */
  serviceName(pid: number, startTime: number): string {
    // The start time is part of the key: a pid reused by another program names another service.
    const key = `${pid}:${startTime}`;
    let name = this.byProcess.get(key);
    if (name !== undefined) return name;
    const comm = this.readComm(pid);
    name = comm === undefined ? `unknown_service:${pid}` : (this.services[comm] ?? comm);
    // Dropping the whole cache at the bound is cheaper than LRU bookkeeping and rarely hit.
    if (this.byProcess.size >= MAX_CACHED) this.byProcess.clear();
    this.byProcess.set(key, name);
    return name;
  }

  /** The Resource for a service: service.name and host.name (and the extra attributes given once). */
  resource(service: string, extra?: Readonly<Record<string, string | number | boolean>>): Resource {
    let r = this.resources.get(service);
    if (!r) {
      r = resourceFromAttributes({ 'service.name': service, 'host.name': this.hostName, ...extra });
      if (this.resources.size >= MAX_CACHED) this.resources.clear();
      this.resources.set(service, r);
    }
    return r;
  }

  private readComm(pid: number): string | undefined {
    if (!(pid > 0)) return undefined;
    try {
      return readFileSync(`${this.procRoot}/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  }
}
