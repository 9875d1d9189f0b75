import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostMetadata } from '../src/metadata/host.js';

describe('host metadata', () => {
  it('resolves this process from the real /proc', () => {
    const md = new HostMetadata();
    const me = { high: process.pid, low: 1 };
    assert.equal(md.pid(me), process.pid);
    assert.match(md.cmdline(me), /node/);
    assert.equal(md.service(me), `host/${path.basename(process.execPath)}`);
    assert.equal(md.node(me), os.hostname());
    assert.equal(md.namespace(me), 'host');
    assert.equal(md.ipToPodId('127.0.0.1'), `host/${os.hostname()}`);
    assert.equal(md.ipToPodId('203.0.113.9'), '');
  });

  it('maps executables to services, and reads container ids from the cgroup', () => {
    const proc = mkdtempSync(path.join(os.tmpdir(), 'nixie-proc-'));
    try {
      const id = 'a'.repeat(12) + 'b'.repeat(52);
      mkdirSync(path.join(proc, '42'));
      writeFileSync(path.join(proc, '42', 'cmdline'), 'postgres\0-D\0/data\0');
      symlinkSync('/usr/lib/postgresql/16/bin/postgres', path.join(proc, '42', 'exe'));
      writeFileSync(path.join(proc, '42', 'cgroup'), `0::/system.slice/docker-${id}.scope\n`);
      const md = new HostMetadata({ procDir: proc, services: { postgres: 'db' }, hostname: 'h1' });
      const u = { high: 42, low: 9 };
      assert.equal(md.cmdline(u), 'postgres -D /data');
      assert.equal(md.service(u), 'host/db');
      assert.equal(md.containerId(u), id);
      assert.equal(md.pod(u), `host/${'a'.repeat(12)}`);
      assert.equal(md.service({ high: 43, low: 1 }), '', 'an exited process resolves to nothing');
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
