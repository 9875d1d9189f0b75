import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, NON_CONFIG_ENV, validateConfig } from '../../src/config/load.js';
import { isNixieError } from '../../src/errors.js';

function file(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nixie-config-'));
  const p = path.join(dir, 'nixie.yaml');
  writeFileSync(p, text);
  return p;
}

describe('config', () => {
  it('fills defaults when there is no file', () => {
    const { config } = loadConfig(undefined, {});
    assert.equal(config.agent.body_limit_bytes, 512);
    assert.equal(config.agent.headers_limit_bytes, 8192);
    assert.equal(config.agent.protocols.http, true);
    assert.equal(config.store.budget_bytes, 1024 * 1024 * 1024);
  });

  it('fails on a misspelled key, naming its path and the nearest key', () => {
    const p = file('agent:\n  body_limt_bytes: 100\n');
    assert.throws(
      () => loadConfig(p, {}),
      (e: unknown) =>
        isNixieError(e, 'NIXIE_ERR_CONFIG_UNKNOWN_KEY') && e.message.includes('agent.body_limt_bytes') && e.message.includes('body_limit_bytes'),
    );
  });

  it('fails on a value of the wrong type, naming the key and expected form', () => {
    const p = file('agent:\n  protocols:\n    redis: maybe\n');
    assert.throws(
      () => loadConfig(p, {}),
      (e: unknown) => isNixieError(e, 'NIXIE_ERR_CONFIG_INVALID') && /agent\.protocols\.redis must be of type boolean \(got string "maybe"\)/.test(e.message),
    );
  });

  it('fails on an out-of-range value and a bad enum', () => {
    assert.throws(() => validateConfig({ agent: { body_limit_bytes: -1 } }), /agent\.body_limit_bytes must be >= 0/);
    assert.throws(() => validateConfig({ agent: { role_policy: 'sometimes' } }), /agent\.role_policy must be one of "auto"/);
  });

  it('reports YAML syntax errors with the file and line', () => {
    const p = file('agent:\n  body_limit_bytes: [1,\n');
    assert.throws(() => loadConfig(p, {}), (e: unknown) => isNixieError(e, 'NIXIE_ERR_CONFIG_PARSE') && e.message.includes(p));
  });

  it('lets NIXIE_<PATH> variables override keys, including keys with underscores', () => {
    const p = file('agent:\n  body_limit_bytes: 100\n');
    const { config, applied } = loadConfig(p, { NIXIE_AGENT_BODY_LIMIT_BYTES: '2048', NIXIE_AGENT_PROTOCOLS_DNS: 'false', NIXIE_NATS_URL: 'nats://h:1' });
    assert.equal(config.agent.body_limit_bytes, 2048);
    assert.equal(config.agent.protocols.dns, false);
    assert.equal(config.nats.url, 'nats://h:1');
    assert.equal(applied.length, 3);
  });

  it('rejects an environment variable that names no key, with a suggestion', () => {
    assert.throws(
      () => loadConfig(undefined, { NIXIE_AGENT_BODY_LIMIT_BYTE: '1' }),
      (e: unknown) => isNixieError(e, 'NIXIE_ERR_CONFIG_ENV') && e.message.includes('NIXIE_AGENT_BODY_LIMIT_BYTES'),
    );
  });

  it('leaves the NIXIE_ variables that are switches, not config keys, alone (NIXIE_HTTP_WASM, NIXIE_SKIP_BPF_BUILD, ...)', () => {
    const env = Object.fromEntries([...NON_CONFIG_ENV].filter((n) => n !== 'NIXIE_CONFIG').map((n) => [n, '0']));
    assert.ok('NIXIE_HTTP_WASM' in env);
    const { applied } = loadConfig(undefined, { ...env, NIXIE_AGENT_BODY_LIMIT_BYTES: '64' });
    assert.equal(applied.length, 1);
  });

  it('checks env values against the schema like file values', () => {
    assert.throws(() => loadConfig(undefined, { NIXIE_AGENT_BODY_LIMIT_BYTES: 'lots' }), /agent\.body_limit_bytes must be of type integer/);
  });
});
