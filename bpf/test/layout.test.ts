import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL, TraceRole } from '@nixie/core';
import { LAYOUT, MAX_DATA_SIZE, DEFAULT_DATA_CAP, DEFAULT_STATS_THRESHOLD, DEFAULT_CHUNK_LIMIT } from '../src/layout.js';
import { cCompiler } from './helpers.js';
import { BpfProtocol, Direction, EventKind, Role, Syscall } from '../src/events.js';

const INCLUDE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'include');

/** Compiles a C program against socket_trace.h and returns its output lines as name → value. */
function cValues(exprs: Record<string, string>): Record<string, number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nixie-layout-'));
  const lines = Object.entries(exprs).map(([k, e]) => `  printf("%s %ld\\n", ${JSON.stringify(k)}, (long)(${e}));`);
  const src = `#include <stddef.h>\n#include <stdio.h>\n#include "socket_trace.h"\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`;
  writeFileSync(path.join(dir, 'layout.c'), src);
  const bin = path.join(dir, 'layout');
  const cc = spawnSync(cCompiler(), ['-I', INCLUDE, '-o', bin, path.join(dir, 'layout.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `gcc: ${cc.stderr}`);
  const out = spawnSync(bin, { encoding: 'utf8' }).stdout;
  const values: Record<string, number> = {};
  for (const line of out.trim().split('\n')) {
    const i = line.lastIndexOf(' ');
    values[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return values;
}

describe('event layout: TypeScript offsets match socket_trace.h', () => {
  it('every field offset and size, and every struct size', () => {
    const exprs: Record<string, string> = {};
    const expected: Record<string, number> = {};
    for (const [name, s] of Object.entries(LAYOUT)) {
      exprs[`${name}.sizeof`] = `sizeof(${s.cName})`;
      expected[`${name}.sizeof`] = s.size;
      for (const [field, f] of Object.entries(s.fields)) {
        exprs[`${name}.${field}.offset`] = `offsetof(${s.cName}, ${field})`;
        exprs[`${name}.${field}.size`] = `sizeof(((${s.cName} *)0)->${field})`;
        expected[`${name}.${field}.offset`] = f.offset;
        expected[`${name}.${field}.size`] = f.size;
      }
    }
    assert.deepEqual(cValues(exprs), expected);
  });

  it('constants and enums match the header', () => {
    const pairs: [string, number][] = [
      ['NIXIE_MAX_DATA_SIZE', MAX_DATA_SIZE],
      ['NIXIE_DEFAULT_DATA_CAP', DEFAULT_DATA_CAP],
      ['NIXIE_DEFAULT_STATS_THRESHOLD', DEFAULT_STATS_THRESHOLD],
      ['NIXIE_DEFAULT_CHUNK_LIMIT', DEFAULT_CHUNK_LIMIT],
      ['NIXIE_EV_CONN_OPEN', EventKind.CONN_OPEN],
      ['NIXIE_EV_CONN_CLOSE', EventKind.CONN_CLOSE],
      ['NIXIE_EV_DATA', EventKind.DATA],
      ['NIXIE_EV_CONN_STATS', EventKind.CONN_STATS],
      ['NIXIE_EV_PROC_EXEC', EventKind.PROC_EXEC],
      ['NIXIE_EV_PROC_EXIT', EventKind.PROC_EXIT],
      ['NIXIE_PROTO_HTTP', BpfProtocol.HTTP],
      ['NIXIE_PROTO_HTTP2', BpfProtocol.HTTP2],
      ['NIXIE_PROTO_MYSQL', BpfProtocol.MYSQL],
      ['NIXIE_PROTO_PGSQL', BpfProtocol.PGSQL],
      ['NIXIE_PROTO_DNS', BpfProtocol.DNS],
      ['NIXIE_PROTO_REDIS', BpfProtocol.REDIS],
      ['NIXIE_ROLE_CLIENT', Role.CLIENT],
      ['NIXIE_ROLE_SERVER', Role.SERVER],
      ['NIXIE_DIR_EGRESS', Direction.EGRESS],
      ['NIXIE_DIR_INGRESS', Direction.INGRESS],
      ['NIXIE_SYS_WRITE', Syscall.WRITE],
      ['NIXIE_SYS_SENDFILE', Syscall.SENDFILE],
      ['NIXIE_SYS_CLOSE', Syscall.CLOSE],
    ];
    const got = cValues(Object.fromEntries(pairs.map(([k]) => [k, k])));
    assert.deepEqual(got, Object.fromEntries(pairs));
  });

  it("protocol ids and roles equal @nixie/core's PROTOCOL and TraceRole", () => {
    assert.equal(BpfProtocol.HTTP, PROTOCOL.http);
    assert.equal(BpfProtocol.HTTP2, PROTOCOL.http2);
    assert.equal(BpfProtocol.MYSQL, PROTOCOL.mysql);
    assert.equal(BpfProtocol.PGSQL, PROTOCOL.pgsql);
    assert.equal(BpfProtocol.DNS, PROTOCOL.dns);
    assert.equal(BpfProtocol.REDIS, PROTOCOL.redis);
    assert.equal(Role.CLIENT, TraceRole.CLIENT);
    assert.equal(Role.SERVER, TraceRole.SERVER);
  });
});
