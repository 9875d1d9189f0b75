// The Greeter gRPC service of fixtures/greeter.proto, served and called with @grpc/grpc-js.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

// dist/test/greeter.js -> ../../fixtures
export const PROTO_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'greeter.proto');

interface HelloRequest {
  name: string;
  times: number;
}
interface HelloReply {
  message: string;
}

type GreeterClient = grpc.Client & {
  SayHello(req: Partial<HelloRequest>, cb: (err: grpc.ServiceError | null, reply?: HelloReply) => void): grpc.ClientUnaryCall;
  SayHellos(req: Partial<HelloRequest>): grpc.ClientReadableStream<HelloReply>;
  CollectHellos(cb: (err: grpc.ServiceError | null, reply?: HelloReply) => void): grpc.ClientWritableStream<Partial<HelloRequest>>;
  Chat(): grpc.ClientDuplexStream<Partial<HelloRequest>, HelloReply>;
};

function loadService(): { service: grpc.ServiceDefinition; Client: new (addr: string, creds: grpc.ChannelCredentials) => GreeterClient } {
  const def = protoLoader.loadSync(PROTO_PATH, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    nixie: { test: { Greeter: grpc.ServiceClientConstructor } };
  };
  const ctor = pkg.nixie.test.Greeter;
  return { service: ctor.service, Client: ctor as unknown as new (addr: string, creds: grpc.ChannelCredentials) => GreeterClient };
}

export interface GreeterServer {
  port: number;
  close(): Promise<void>;
}

/** Starts the Greeter on 127.0.0.1 (random port). Name "fail" makes SayHello answer NOT_FOUND; "slow" answers after 200 ms. */
export async function startGreeter(): Promise<GreeterServer> {
  const { service } = loadService();
  const server = new grpc.Server();
  server.addService(service, {
    SayHello(call: grpc.ServerUnaryCall<HelloRequest, HelloReply>, cb: grpc.sendUnaryData<HelloReply>) {
      if (call.request.name === 'fail') cb({ code: grpc.status.NOT_FOUND, details: 'no such greeting' });
      else if (call.request.name === 'slow') setTimeout(() => cb(null, { message: 'Hello slow' }), 200);
      else cb(null, { message: `Hello ${call.request.name}` });
    },
    SayHellos(call: grpc.ServerWritableStream<HelloRequest, HelloReply>) {
      for (let i = 0; i < call.request.times; i++) call.write({ message: `Hello ${call.request.name} #${i}` });
      call.end();
    },
    CollectHellos(call: grpc.ServerReadableStream<HelloRequest, HelloReply>, cb: grpc.sendUnaryData<HelloReply>) {
      const names: string[] = [];
      call.on('data', (r: HelloRequest) => names.push(r.name));
      call.on('end', () => cb(null, { message: `Hello ${names.join(' and ')}` }));
    },
    Chat(call: grpc.ServerDuplexStream<HelloRequest, HelloReply>) {
      call.on('data', (r: HelloRequest) => call.write({ message: `Hi ${r.name}` }));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** A Greeter client to 127.0.0.1:port. */
export function greeterClient(port: number): GreeterClient {
  const { Client } = loadService();
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

/** Calls SayHello; resolves with the reply or the gRPC error. */
export function sayHello(c: GreeterClient, name: string): Promise<HelloReply | grpc.ServiceError> {
  return new Promise((resolve) => c.SayHello({ name }, (err, reply) => resolve(err ?? reply!)));
}

/** Calls SayHellos and collects the replies. */
export function sayHellos(c: GreeterClient, name: string, times: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const s = c.SayHellos({ name, times });
    s.on('data', (r: HelloReply) => out.push(r.message));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

/** Client streaming: sends each name, resolves with the single reply. */
export function collectHellos(c: GreeterClient, names: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = c.CollectHellos((err, reply) => (err ? reject(err) : resolve(reply!.message)));
    for (const name of names) s.write({ name });
    s.end();
  });
}

/** Client streaming with a pause: sends `first`, waits `pauseMs`, sends `second` and ends; resolves with the reply. */
export function collectHellosSlowly(c: GreeterClient, first: string, second: string, pauseMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = c.CollectHellos((err, reply) => (err ? reject(err) : resolve(reply!.message)));
    s.write({ name: first });
    setTimeout(() => {
      s.write({ name: second });
      s.end();
    }, pauseMs);
  });
}

/** Bidi: sends each name, resolves with the replies. */
export function chat(c: GreeterClient, names: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const s = c.Chat();
    s.on('data', (r: HelloReply) => out.push(r.message));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    for (const name of names) s.write({ name });
    s.end();
  });
}
