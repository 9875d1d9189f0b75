// Decode + stitch throughput of the DNS decoder over a resolver-like UDP session (1000 queries with answers,
// built with dns-packet: A, AAAA, CNAME chains, NXDOMAIN, EDNS); the `decoders` benchmark aggregates it.
import * as packet from 'dns-packet';
import type { DecoderBenchFigure } from '@nixie/core/testing';
import { MessageType } from '@nixie/core';
import { dnsDecoder, type DnsFrame } from '../src/decoder.js';


function session(): [Uint8Array[], Uint8Array[]] {
  const req: Uint8Array[] = [];
  const resp: Uint8Array[] = [];
  const opt: packet.Answer = { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
  for (let i = 0; i < 1000; i++) {
    const name = `svc-${i % 50}.ns-${i % 7}.svc.cluster.local`;
    const type = i % 3 === 0 ? 'AAAA' : 'A';
    const questions: packet.Question[] = [{ type, name }];
    req.push(packet.encode({ type: 'query', id: i, flags: packet.RECURSION_DESIRED, questions, additionals: [opt] }));
    const answers: packet.Answer[] = [];
    if (i % 10 === 9) {
      // NXDOMAIN: no answers
    } else if (i % 5 === 0) {
      answers.push({ type: 'CNAME', name, data: `real-${i % 50}.example.com` });
      answers.push({ type: 'A', name: `real-${i % 50}.example.com`, data: `10.0.${i % 256}.1` });
      answers.push({ type: 'A', name: `real-${i % 50}.example.com`, data: `10.0.${i % 256}.2` });
    } else if (type === 'AAAA') {
      answers.push({ type: 'AAAA', name, data: `fd00::${(i % 65535).toString(16)}` });
    } else {
      answers.push({ type: 'A', name, data: `10.96.${i % 256}.${(i * 7) % 256}` });
    }
    resp.push(packet.encode({ type: 'response', id: i, flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | (i % 10 === 9 ? 3 : 0), questions, answers, additionals: [opt] }));
  }
  return [req, resp];
}

/** Decodes + stitches the session in a loop for about `seconds`; returns records/s. */
export function benchDecoder(opts: { seconds?: number } = {}): DecoderBenchFigure {
  const [req, resp] = session();
  let records = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round((opts.seconds ?? 1) * 1e9));
  let now = t0;
  while (now < deadline) {
    const state = dnsDecoder.createState(undefined, 'datagram');
    const q: DnsFrame[] = [];
    const r: DnsFrame[] = [];
    // Resolver traffic: each query, then its answer; stitch after every 100 (an agent drain's worth).
    for (let i = 0; i < req.length; i++) {
      const a = dnsDecoder.parseFrame(MessageType.REQUEST, req[i]!, state);
      if (a.kind === 'success') q.push(a.frame);
      const b = dnsDecoder.parseFrame(MessageType.RESPONSE, resp[i]!, state);
      if (b.kind === 'success') r.push(b.frame);
      if (i % 100 === 99) records += dnsDecoder.stitch(q, r, state).records.length;
    }
    now = process.hrtime.bigint();
  }
  const secs = Number(now - t0) / 1e9;
  return { protocol: 'dns', records, seconds: secs, recordsPerSec: Math.round(records / secs) };
}
