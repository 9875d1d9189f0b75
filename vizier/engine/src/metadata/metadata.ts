import type { UInt128 } from '@nixie/core';

/**
 * The metadata interface behind df.ctx[...] and the upid/pod/ip functions. On a bare host it is
 * HostMetadata (/proc); Kubernetes metadata comes later behind the same interface.
 */
export interface Metadata {
  pid(upid: UInt128): number;
  cmdline(upid: UInt128): string;
  /** Container id (64 hex) from the process's cgroup, or ''. */
  containerId(upid: UInt128): string;
  containerName(upid: UInt128): string;
  /** `<namespace>/<service>`. */
  service(upid: UInt128): string;
  /** `<namespace>/<pod>`. */
  pod(upid: UInt128): string;
  podId(upid: UInt128): string;
  namespace(upid: UInt128): string;
  node(upid: UInt128): string;
  hostname(): string;
  ipToPodId(ip: string): string;
  podIdToPodName(podId: string): string;
  podIdToServiceName(podId: string): string;
  podIdToNamespace(podId: string): string;
  podNameToNamespace(podName: string): string;
  /** Reverse DNS name of an IP, or the IP itself while unresolved (lookups fill a cache). */
  nslookup(ip: string): string;
}
