import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerHealth } from '@workbook/session05';
import type { Registry } from 'prom-client';
import { ObservabilityErrorCodes, PrometheusError } from './errors.ts';

/** What a probe answers: the status code and the JSON body. */
export interface ProbeResponse {
  status: number;
  body: unknown;
}

/** Answers `/healthz` and `/readyz` from a worker's health (exercise 09.4 writes one). */
export type ProbeHandler = (path: '/healthz' | '/readyz', health: WorkerHealth) => ProbeResponse;

/**
 * The library's probe answers: `/healthz` 200 while alive, `/readyz` 200 only while ready and
 * running — a draining worker turns unready (a Service stops routing to it) but stays alive (it
 * must not be restarted in the middle of its grace period).
 */
export const defaultProbe: ProbeHandler = (path, health) => {
  const ok = path === '/healthz' ? health.alive : health.ready && health.status === 'running';
  return { status: ok ? 200 : 503, body: health };
};

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Port; 0 picks a free one. */
  port: number;
  /** @default '0.0.0.0' (reachable by Prometheus and the kubelet) */
  host?: string;
  /** What `/metrics` serves. */
  registry: Registry;
  /** The worker's health for `/healthz` and `/readyz`; without it those routes are 404. */
  health?: () => WorkerHealth;
  /** How the probes answer. @default {@link defaultProbe} */
  probe?: ProbeHandler;
}

/** A running metrics server. */
export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One small HTTP server for what watches a process: `GET /metrics` (Prometheus text format),
 * and, for a worker, `GET /healthz` and `GET /readyz` (session 05's health, answered without a
 * Redis round trip). No framework: three read-only routes.
 * @throws {PrometheusError} `ERR_METRICS_SERVER_FAILED` when it cannot listen
 * @example
 * const server = await startMetricsServer({ port: 9464, registry, health: () => proc.health() });
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const probe = options.probe ?? defaultProbe;
  const server: Server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      try {
        const text = await options.registry.metrics();
        response.writeHead(200, { 'content-type': options.registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      } catch (error) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`collecting metrics failed: ${(error as Error).message}\n`);
      }
      return;
    }
    if (options.health && (path === '/healthz' || path === '/readyz')) {
      let answer: ProbeResponse;
      try {
        answer = probe(path, options.health());
      } catch (error) {
        answer = { status: 500, body: { error: `the probe failed: ${(error as Error).message}` } };
      }
      response.writeHead(answer.status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      response.end(request.method === 'HEAD' ? undefined : JSON.stringify(answer.body));
      return;
    }
    const routes = options.health ? '/metrics, /healthz or /readyz' : '/metrics';
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: `not found: try ${routes}` }));
  });
  server.keepAliveTimeout = 1_000;
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PrometheusError(
          ObservabilityErrorCodes.METRICS_SERVER_FAILED,
          `The metrics server could not listen on ${host}:${options.port} (${error.code ?? error.message}): choose another port (HEALTH_PORT / METRICS_PORT) or 0 for a free one`,
          { cause: error },
        ),
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
