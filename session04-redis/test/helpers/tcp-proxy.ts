import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of Redis that can make the connections it carries go silent, the way a
 * half-open connection does after a network fault: no data passes, but no FIN or RST arrives
 * either, so the client cannot tell. New connections after `freeze()` work normally.
 */
export interface FreezableProxy {
  /** `redis://127.0.0.1:<proxy port>` */
  url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stops forwarding on every connection open now, without closing them. */
  freeze(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<FreezableProxy> {
  const live = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = new Socket();
    const pair = { client, upstream, frozen: false };
    live.add(pair);
    upstream.connect(targetPort, '127.0.0.1');
    client.on('data', (chunk) => {
      if (!pair.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.frozen) client.write(chunk);
    });
    const end = () => {
      live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', () => {
      if (!pair.frozen) end();
    });
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    freeze() {
      for (const pair of live) pair.frozen = true;
    },
    async close() {
      for (const pair of live) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
