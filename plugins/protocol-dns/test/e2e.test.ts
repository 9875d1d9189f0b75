// End to end: a Node DNS server (UDP + TCP) queried by Node's resolver and dig, traced by the BPF agent into dns_events.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { promisify } from 'node:util';
import { canTraceBpf, startTestAgent, type Row, type TestAgent } from '@nixie/e2e';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

const run = promisify(execFile);

function dig(port: number, ...args: string[]): Promise<{ stdout: string }> {
  return run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', ...args]);
}

interface Query {
  name: string;
  type: string;
}
interface Answer {
  name: string;
  type: string;
  addr?: string;
  cname?: string;
}
const queries = (r: Row) => (JSON.parse(String(r.req_body)) as { queries: Query[] }).queries;
const answers = (r: Row) => (JSON.parse(String(r.resp_body)) as { answers: Answer[] }).answers;
const asked = (name: string) => (r: Row) => queries(r).some((q) => q.name === name);

describe('e2e: DNS through BPF into dns_events', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let t: TestAgent;
  let dns: TestDnsServer;

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    t = await startTestAgent({ plugins: ['@nixie/protocol-dns'] });
    dns = await startDnsServer();
  });

  after(async () => {
    await dns?.close();
    await t?.stop();
  });

  it("records Node resolver queries over UDP (A, AAAA, CNAME, NXDOMAIN)", async () => {
    const r = new Resolver({ timeout: 2000, tries: 2 });
    r.setServers([`127.0.0.1:${dns.port}`]);
    assert.deepEqual(await r.resolve4('a.nixie.test'), ['10.0.0.1']);
    assert.deepEqual(await r.resolve6('six.nixie.test'), ['fd00::1']);
    assert.deepEqual(await r.resolve4('cname.nixie.test'), ['10.0.0.2']);
    await assert.rejects(r.resolve4('nx.nixie.test'), /ENOTFOUND/);

    const [a] = await t.waitForRows('dns_events', asked('a.nixie.test'));
    const header = JSON.parse(String(a!.req_header)) as Record<string, number>;
    assert.equal(header.qr, 0);
    assert.equal(header.rd, 1);
    assert.equal(header.num_queries, 1);
    assert.deepEqual(queries(a!), [{ name: 'a.nixie.test', type: 'A' }]);
    const rh = JSON.parse(String(a!.resp_header)) as Record<string, number>;
    assert.equal(rh.txid, header.txid);
    assert.equal(rh.qr, 1);
    assert.equal(rh.aa, 1);
    assert.deepEqual(answers(a!), [{ name: 'a.nixie.test', type: 'A', addr: '10.0.0.1' }]);
    assert.equal(a!.local_port, dns.port);
    // The server's UDP socket is unconnected: the peer is the one each datagram names (recvmsg/sendmsg msg_name).
    assert.equal(a!.remote_addr, '127.0.0.1');
    assert.ok((a!.remote_port as number) > 0 && a!.remote_port !== dns.port, `remote_port ${String(a!.remote_port)}`);
    assert.ok((a!.latency as number) > 0);

    const [six] = await t.waitForRows('dns_events', asked('six.nixie.test'));
    assert.deepEqual(answers(six!), [{ name: 'six.nixie.test', type: 'AAAA', addr: 'fd00::1' }]);
    const [c] = await t.waitForRows('dns_events', asked('cname.nixie.test'));
    assert.deepEqual(answers(c!), [
      { name: 'cname.nixie.test', type: 'CNAME', cname: 'www.nixie.test' },
      { name: 'www.nixie.test', type: 'A', addr: '10.0.0.2' },
    ]);
    const [nx] = await t.waitForRows('dns_events', asked('nx.nixie.test'));
    assert.equal((JSON.parse(String(nx!.resp_header)) as { rcode: number }).rcode, 3);
  });

  it('records dig queries over UDP', async () => {
    const { stdout } = await dig(dns.port, 'dig-udp.nixie.test', 'A', '+short');
    assert.equal(stdout.trim(), '10.0.0.1');
    const [u] = await t.waitForRows('dns_events', asked('dig-udp.nixie.test'));
    assert.deepEqual(answers(u!), [{ name: 'dig-udp.nixie.test', type: 'A', addr: '10.0.0.1' }]);
    assert.equal(u!.remote_addr, '127.0.0.1');
    assert.ok((u!.remote_port as number) > 0 && u!.remote_port !== dns.port);
    const [a] = await t.waitForRows('dns_events', asked('a.nixie.test'));
    assert.notEqual(u!.remote_port, a!.remote_port, "dig's port, not the resolver's: the peer is per datagram");
    // dig asks with EDNS: the OPT record is counted in the header, and AD is set.
    const h = JSON.parse(String(u!.req_header)) as { num_addl: number; ad: number };
    assert.equal(h.num_addl, 1);
    assert.equal(h.ad, 1);
  });

  it('records dig queries over TCP (BPF infers DNS from the length prefix and header)', async () => {
    const { stdout } = await dig(dns.port, 'dig-tcp.nixie.test', 'AAAA', '+tcp', '+short');
    assert.equal(stdout.trim(), 'fd00::1');
    const [tc] = await t.waitForRows('dns_events', asked('dig-tcp.nixie.test'));
    assert.deepEqual(queries(tc!), [{ name: 'dig-tcp.nixie.test', type: 'AAAA' }]);
    assert.deepEqual(answers(tc!), [{ name: 'dig-tcp.nixie.test', type: 'AAAA', addr: 'fd00::1' }]);
    assert.equal(tc!.local_port, dns.port);
    assert.equal(tc!.remote_addr, '127.0.0.1');
    assert.ok((tc!.remote_port as number) > 0 && tc!.remote_port !== dns.port);
  });
});
