// A TCP proxy on 127.0.0.1 that forwards to a target port and keeps every chunk of both directions:
// real client and server bytes for decoder tests, without BPF.
import net from 'node:net';

export interface RecordingProxy {
  port: number;
  /** Client-to-server chunks (requests), in order. */
  readonly toServer: Uint8Array[];
  /** Server-to-client chunks (responses), in order. */
  readonly toClient: Uint8Array[];
  close(): Promise<void>;
}

/** Starts a recording proxy in front of 127.0.0.1:targetPort; one client connection at a time is enough for tests. */
export function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (c: Buffer) => {
      toServer.push(Uint8Array.from(c));
      upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      toClient.push(Uint8Array.from(c));
      client.write(c);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        toServer,
        toClient,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    }),
  );
}
