import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerHealth } from './worker-process.ts';

/** A running health server. */
export interface HealthServer {
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves a worker's health over HTTP, for container and Kubernetes probes:
 *
 * - `GET /healthz` — 200 while the worker is alive (event loop answering, heartbeat loop
 *   running), 503 otherwise: a liveness probe restarts it;
 * - `GET /readyz` — 200 while it is ready (Redis reachable, registered, not draining), 503
 *   otherwise: a readiness probe stops counting on it (a draining worker turns unready first);
 *
 * both with the {@link WorkerHealth} as JSON. Anything else is 404. No framework: two read-only
 * routes, answered without touching Redis, so a probe never adds load.
 *
 * @param health reads the current health (`workerProcess.health`)
 * @param options.host the address to listen on @default '0.0.0.0' (reachable by the kubelet)
 * @example
 * const server = await startHealthServer(() => proc.health(), { port: 8080 });
 */
export async function startHealthServer(
  health: () => WorkerHealth,
  options: { port: number; host?: string },
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/healthz' && path !== '/readyz') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'not found: try /healthz or /readyz' }));
      return;
    }
    const current = health();
    const ok = path === '/healthz' ? current.alive : current.ready;
    response.writeHead(ok ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : JSON.stringify(current));
  });
  // Probes should never keep a stopping process alive.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
