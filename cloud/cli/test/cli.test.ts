import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'src', 'bin.js');
const repo = path.resolve(here, '..', '..', '..', '..');

function nixie(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('nixie CLI', function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nixie-cli-'));
  });

  it('prints help for every command', () => {
    for (const args of [['--help'], ['config', '--help'], ['config', 'validate', '--help'], ['plugins', 'add', '--help'], ['up', '--help']]) {
      const r = nixie(args, dir);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      assert.match(r.out, /Usage: nixie/);
    }
  });

  it('config validate accepts a good file and names the key of a bad one in one line', () => {
    writeFileSync(path.join(dir, 'good.yaml'), 'agent:\n  body_limit_bytes: 1024\n');
    assert.equal(nixie(['config', 'validate', 'good.yaml'], dir).code, 0);
    writeFileSync(path.join(dir, 'bad.yaml'), 'store:\n  budget_byts: 5\n');
    const r = nixie(['config', 'validate', 'bad.yaml'], dir);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /store\.budget_byts.*did you mean "budget_bytes".*NIXIE_ERR_CONFIG_UNKNOWN_KEY/);
  });

  it('plugins add installs a package where the agent finds it and records it; remove undoes it', () => {
    writeFileSync(path.join(dir, 'nixie.yaml'), `# my config\ndata_dir: ${dir}/data\n`);
    const add = nixie(['plugins', 'add', path.join(repo, 'plugins', '_template')], dir);
    assert.equal(add.code, 0, add.err);
    assert.ok(existsSync(path.join(dir, 'data', 'plugins', 'node_modules', '@nixie', '_template', 'package.json')));
    const cfg = readFileSync(path.join(dir, 'nixie.yaml'), 'utf8');
    assert.match(cfg, /# my config/, 'comments kept');
    assert.match(cfg, /"?@nixie\/_template"?: true/);
    const list = nixie(['plugins', 'list'], dir);
    assert.match(list.out, /@nixie\/_template\s+added\s+on\s+installed/);
    const rm = nixie(['plugins', 'remove', '@nixie/_template'], dir);
    assert.equal(rm.code, 0, rm.err);
    assert.doesNotMatch(readFileSync(path.join(dir, 'nixie.yaml'), 'utf8'), /_template/);
  });

  it('plugins remove turns a built-in off in the config', () => {
    writeFileSync(path.join(dir, 'nixie.yaml'), '');
    assert.equal(nixie(['plugins', 'remove', '@nixie/protocol-dns'], dir).code, 0);
    assert.match(readFileSync(path.join(dir, 'nixie.yaml'), 'utf8'), /"?@nixie\/protocol-dns"?: false/);
    assert.match(nixie(['plugins', 'list'], dir).out, /@nixie\/protocol-dns\s+built-in\s+off/);
  });

  it('plugins add of something that is not a plugin fails with one clear line', () => {
    const fake = path.join(dir, 'not-a-plugin');
    spawnSync('mkdir', ['-p', fake]);
    writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: 'not-a-plugin', version: '1.0.0', main: 'index.js' }));
    writeFileSync(path.join(fake, 'index.js'), 'module.exports = { hello: 1 };\n');
    writeFileSync(path.join(dir, 'nixie.yaml'), `data_dir: ${dir}/data\n`);
    const r = nixie(['plugins', 'add', fake], dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /not-a-plugin is not a Nixie plugin/);
  });
});
