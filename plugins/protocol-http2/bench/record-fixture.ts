// Records a real gRPC session (@grpc/grpc-js client and server through a TCP proxy) into fixtures/:
// grpc-session.client.bin (requests) and grpc-session.server.bin (responses). Run:
//   node plugins/protocol-http2/dist/bench/record-fixture.js
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { concat } from '../test/builders.js';
import { chat, greeterClient, sayHello, sayHellos, startGreeter } from '../test/greeter.js';
import { startRecordingProxy } from '../test/record-proxy.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

const server = await startGreeter();
const proxy = await startRecordingProxy(server.port);
const client = greeterClient(proxy.port);
let calls = 0;
for (let i = 0; i < 400; i++) {
  await sayHello(client, `user-${i}-${'n'.repeat(i % 40)}`);
  calls++;
  if (i % 40 === 0) {
    await sayHellos(client, `stream-${i}`, 5);
    await chat(client, ['a', 'b', 'c']);
    calls += 2;
  }
}
client.close();
await server.close();
await proxy.close();
writeFileSync(path.join(FIXTURES, 'grpc-session.client.bin'), concat(...proxy.toServer));
writeFileSync(path.join(FIXTURES, 'grpc-session.server.bin'), concat(...proxy.toClient));
console.log(JSON.stringify({ calls, clientBytes: concat(...proxy.toServer).length, serverBytes: concat(...proxy.toClient).length }));
