import { readFileSync, readlinkSync } from 'node:fs';
import { reverse } from 'node:dns';
import os from 'node:os';
import path from 'node:path';
import type { UInt128 } from '@nixie/core';
import type { Metadata } from './metadata.js';

export interface HostMetadataOptions {
  /** Executable name (or cmdline substring) -> service name; config `metadata.services`. */
  readonly services?: Readonly<Record<string, string>>;
  /** Namespace given to every process on a bare host. */
  readonly namespace?: string;
  /** /proc, replaceable for tests. */
  readonly procDir?: string;
  readonly hostname?: string;
}

interface ProcInfo {
  cmdline: string;
  exe: string;
  containerId: string;
}

const CONTAINER_ID = /([0-9a-f]{64})/;
const CACHE_MAX = 8192;

/**
 * Metadata on a bare host, from /proc. The rule (documented in the engine README):
 * pid = upid.high; cmdline from /proc/<pid>/cmdline; container = the 64-hex id in /proc/<pid>/cgroup;
 * service = `<ns>/<name>` where name is the `services` mapping of the executable name (or of a
 * cmdline substring), else the executable's base name; pod = `<ns>/<container id[:12]>` for a
 * containerized process, else the service's pod `<ns>/<name>`; namespace = `host`; node = hostname.
 * Pod ids are pod names. Processes that have exited resolve to ''.
 */
export class HostMetadata implements Metadata {
  private readonly cache = new Map<string, ProcInfo>();
  private readonly dns = new Map<string, string>();
  private readonly procDir: string;
  private readonly ns: string;
  private readonly host: string;
  private readonly services: [string, string][];
  private localIps: Set<string> | undefined;

  constructor(opts: HostMetadataOptions = {}) {
    this.procDir = opts.procDir ?? '/proc';
    this.ns = opts.namespace ?? 'host';
    this.host = opts.hostname ?? os.hostname();
    this.services = Object.entries(opts.services ?? {});
  }

  private info(upid: UInt128): ProcInfo {
    const key = `${upid.high}:${upid.low}`;
    let p = this.cache.get(key);
    if (p) return p;
    const dir = path.join(this.procDir, String(upid.high));
    p = { cmdline: '', exe: '', containerId: '' };
    try {
      p.cmdline = readFileSync(path.join(dir, 'cmdline'), 'latin1').replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch {
      // exited, or a kernel thread: leave empty
    }
    try {
      p.exe = path.basename(readlinkSync(path.join(dir, 'exe')).replace(/ \(deleted\)$/, ''));
    } catch {
      try {
        p.exe = readFileSync(path.join(dir, 'comm'), 'utf8').trim();
      } catch {
        // exited
      }
    }
    try {
      p.containerId = CONTAINER_ID.exec(readFileSync(path.join(dir, 'cgroup'), 'utf8'))?.[1] ?? '';
    } catch {
      // exited
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, p);
    return p;
  }

  private serviceName(p: ProcInfo): string {
    for (const [match, svc] of this.services) if (p.exe === match) return svc;
    for (const [match, svc] of this.services) if (match && p.cmdline.includes(match)) return svc;
    return p.exe;
  }

  pid(upid: UInt128): number {
    return upid.high;
  }
  cmdline(upid: UInt128): string {
    return this.info(upid).cmdline;
  }
  containerId(upid: UInt128): string {
    return this.info(upid).containerId;
  }
  containerName(upid: UInt128): string {
    return this.info(upid).containerId.slice(0, 12);
  }
  service(upid: UInt128): string {
    const name = this.serviceName(this.info(upid));
    return name ? `${this.ns}/${name}` : '';
  }
  pod(upid: UInt128): string {
    const p = this.info(upid);
    if (p.containerId) return `${this.ns}/${p.containerId.slice(0, 12)}`;
    const name = this.serviceName(p);
    return name ? `${this.ns}/${name}` : '';
  }
  podId(upid: UInt128): string {
    return this.pod(upid);
  }
  namespace(upid: UInt128): string {
    return this.info(upid).exe || this.info(upid).cmdline ? this.ns : '';
  }
  node(_upid: UInt128): string {
    return this.host;
  }
  hostname(): string {
    return this.host;
  }
  ipToPodId(ip: string): string {
    if (!this.localIps) {
      this.localIps = new Set(['127.0.0.1', '::1']);
      for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) this.localIps.add(a.address);
    }
    return this.localIps.has(ip.replace(/^::ffff:/, '')) ? `${this.ns}/${this.host}` : '';
  }
  podIdToPodName(podId: string): string {
    return podId;
  }
  podIdToServiceName(podId: string): string {
    return podId.endsWith(`/${this.host}`) ? '' : podId;
  }
  podIdToNamespace(podId: string): string {
    const i = podId.indexOf('/');
    return i < 0 ? '' : podId.slice(0, i);
  }
  podNameToNamespace(podName: string): string {
    return this.podIdToNamespace(podName);
  }
  nslookup(ip: string): string {
    const hit = this.dns.get(ip);
    if (hit !== undefined) return hit;
    // Queries are synchronous: answer the IP now, and let the lookup fill the cache for later queries.
    this.dns.set(ip, ip);
    try {
      reverse(ip, (err, names) => {
        if (!err && names[0]) this.dns.set(ip, names[0]);
      });
    } catch {
      // not an IP: keep it as it is
    }
    return ip;
  }
}
