import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BpfObject, isNixieBpfError } from '../src/index.js';

describe('verifier rejection (real kernel)', function () {
  this.timeout(60_000);
  it('names the program and quotes the end of the verifier log', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nixie-verifier-'));
    // Calls a helper id that does not exist: the verifier must refuse it.
    const src = `#define SEC(name) __attribute__((section(name), used))
char LICENSE[] SEC("license") = "GPL";
static long (*const nixie_no_such_helper)(void) = (void *)9999;
SEC("tracepoint/syscalls/sys_enter_getpid")
int nixie_bad_prog(void *ctx) { return nixie_no_such_helper(); }
`;
    writeFileSync(path.join(dir, 'bad.bpf.c'), src);
    const obj = path.join(dir, 'bad.bpf.o');
    const cc = spawnSync('clang', ['-O2', '-g', '-target', 'bpf', '-c', path.join(dir, 'bad.bpf.c'), '-o', obj], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `clang (apt package clang): ${cc.stderr}`);
    const o = BpfObject.open(obj);
    try {
      assert.throws(
        () => o.load(),
        (e: unknown) =>
          isNixieBpfError(e, 'NIXIE_ERR_BPF_VERIFIER') &&
          /rejected program nixie_bad_prog of bad\.bpf\.o/.test(e.message) &&
          /last lines of the verifier log/.test(e.message) &&
          /invalid func unknown#9999/.test(e.message),
      );
    } finally {
      o.close();
    }
  });
});
