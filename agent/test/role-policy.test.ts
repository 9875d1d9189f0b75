import assert from 'node:assert/strict';
import { TraceRole } from '@nixie/core';
import { isLocalAddress, RolePolicy } from '../src/role-policy.js';

describe('RolePolicy', () => {
  const own = new Set(['10.1.2.3', '::ffff:10.1.2.3']);
  it('auto: servers always, clients only toward peers not on this host', () => {
    const p = new RolePolicy('auto', own);
    assert.equal(p.shouldTrace(TraceRole.SERVER, '127.0.0.1'), true);
    assert.equal(p.shouldTrace(TraceRole.CLIENT, '127.0.0.1'), false);
    assert.equal(p.shouldTrace(TraceRole.CLIENT, '::ffff:127.0.0.1'), false);
    assert.equal(p.shouldTrace(TraceRole.CLIENT, '10.1.2.3'), false);
    assert.equal(p.shouldTrace(TraceRole.CLIENT, '::1'), false);
    assert.equal(p.shouldTrace(TraceRole.CLIENT, '93.184.216.34'), true);
    assert.equal(p.shouldTrace(TraceRole.UNKNOWN, '93.184.216.34'), undefined);
  });
  it('server, client and both do what they say', () => {
    assert.equal(new RolePolicy('server', own).shouldTrace(TraceRole.CLIENT, '8.8.8.8'), false);
    assert.equal(new RolePolicy('client', own).shouldTrace(TraceRole.SERVER, '8.8.8.8'), false);
    assert.equal(new RolePolicy('client', own).shouldTrace(TraceRole.CLIENT, '127.0.0.1'), true);
    assert.equal(new RolePolicy('both', own).shouldTrace(TraceRole.CLIENT, '127.0.0.1'), true);
  });
  it('counts loopback ranges as local', () => {
    assert.ok(isLocalAddress('127.0.0.53', new Set()));
    assert.ok(!isLocalAddress('192.168.0.1', new Set()));
  });
});
