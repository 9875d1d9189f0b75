// A small authoritative DNS server for tests: UDP and TCP on one 127.0.0.1 port, answers from a fixed zone.
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';

export interface TestDnsServer {
  port: number;
  close(): Promise<void>;
}

/** Answers for the zone nixie.test: cname.* is a CNAME to www.nixie.test, nx.* is NXDOMAIN, others get an A and an AAAA. */
export function answerFor(q: packet.Packet): Buffer {
  const question = q.questions?.[0];
  const name = question?.name ?? '';
  const answers: packet.Answer[] = [];
  let rcode = 0;
  if (name.startsWith('nx.')) rcode = 3;
  else if (name.startsWith('cname.')) {
    answers.push({ type: 'CNAME', name, ttl: 30, data: 'www.nixie.test' });
    answers.push({ type: 'A', name: 'www.nixie.test', ttl: 30, data: '10.0.0.2' });
  } else if (question?.type === 'AAAA') answers.push({ type: 'AAAA', name, ttl: 30, data: 'fd00::1' });
  else answers.push({ type: 'A', name, ttl: 30, data: '10.0.0.1' });
  return packet.encode({
    type: 'response',
    id: q.id,
    flags: packet.AUTHORITATIVE_ANSWER | ((q.flags ?? 0) & packet.RECURSION_DESIRED) | rcode,
    questions: q.questions,
    answers,
  });
}

/** Starts the server on a random port free for both UDP and TCP. */
export async function startDnsServer(): Promise<TestDnsServer> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
    });
    udp.on('message', (msg, rinfo) => {
      try {
        udp.send(answerFor(packet.decode(msg)), rinfo.port, rinfo.address);
      } catch {
        // not DNS: no answer
      }
    });
    const sockets = new Set<net.Socket>();
    const tcp = net.createServer((s) => {
      sockets.add(s);
      let buf = Buffer.alloc(0);
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const len = buf.readUInt16BE(0);
          const reply = answerFor(packet.decode(buf.subarray(2, 2 + len)));
          buf = buf.subarray(2 + len);
          const out = Buffer.alloc(2 + reply.length);
          out.writeUInt16BE(reply.length, 0);
          reply.copy(out, 2);
          s.write(out);
        }
      });
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    });
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) {
      udp.close();
      if (attempt > 20) throw new Error('no port free for both UDP and TCP');
      continue;
    }
    return {
      port,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
        await new Promise<void>((resolve) => udp.close(() => resolve()));
      },
    };
  }
}
