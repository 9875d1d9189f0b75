import { networkInterfaces } from 'node:os';
import { TraceRole } from '@nixie/core';

/** agent.role_policy values. */
export type RolePolicyName = 'auto' | 'server' | 'client' | 'both';

/** This host's own addresses: loopback ranges plus every interface address. */
export function hostAddresses(): Set<string> {
  const out = new Set<string>(['::1', '::']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      out.add(a.address);
      if (a.family === 'IPv4') out.add(`::ffff:${a.address}`);
    }
  }
  return out;
}

/** Whether an address is this host (loopback, unspecified, or one of its interfaces). */
export function isLocalAddress(addr: string, own: ReadonlySet<string>): boolean {
  if (addr.startsWith('127.') || addr.startsWith('::ffff:127.') || addr === '0.0.0.0' || addr === '::1' || addr === '::') return true;
  return own.has(addr);
}

/**
 * Pixie's rule for which side of a connection to trace: 'auto' traces servers, and clients whose peer
 * is not on this host (so that a call between two local processes is recorded once, by its server).
 */
export class RolePolicy {
  private own: Set<string>;

  constructor(
    readonly policy: RolePolicyName,
    own?: Set<string>,
  ) {
    this.own = own ?? hostAddresses();
  }

  /** Re-reads the host's addresses (interfaces come and go). */
  refresh(): void {
    this.own = hostAddresses();
  }

  /** Whether to decode a connection of this role with this peer; undefined while the role is unknown. */
  shouldTrace(role: number, remoteAddr: string): boolean | undefined {
    if (role !== TraceRole.CLIENT && role !== TraceRole.SERVER) return undefined;
    switch (this.policy) {
      case 'both':
        return true;
      case 'server':
        return role === TraceRole.SERVER;
      case 'client':
        return role === TraceRole.CLIENT;
      default:
        return role === TraceRole.SERVER || remoteAddr === '' || !isLocalAddress(remoteAddr, this.own);
    }
  }
}
