/**
 * The whole system on one machine: the API (in this process), worker processes (session 05's
 * `imgq-worker`, run by session 08's process driver, reading and writing the shared storage)
 * and, optionally, session 08's local autoscaler sizing them on the queue. What the flagship
 * demo and the end-to-end test start.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  LocalAutoscaler,
  ProcessReplicaDriver,
  queueScaledObject,
  type ReplicaEvent,
} from '@workbook/session08';
import { type Api, createApi } from './app.ts';
import type { ApiKey } from './auth.ts';
import { type ApiConfig, DEFAULT_LIMITS } from './config.ts';
import type { ScalerView } from './events.ts';
import type { ApiPieces } from './pieces.ts';

/**
 * Session 09's observed worker (`session09-observability/bin/imgq-worker.mjs`): session 05's
 * worker plus /metrics on HEALTH_PORT and every task's story in the event log.
 */
export function observedWorkerEntry(): string {
  const index = createRequire(import.meta.url).resolve('@workbook/session09');
  return path.join(path.dirname(index), '..', 'bin', 'imgq-worker.mjs');
}

/** Options of {@link startSystem}. */
export interface SystemOptions {
  redisUrl: string;
  queue: string;
  storageDir: string;
  apiKeys: ApiKey[];
  /** The API's port (0: any free one). @default 0 */
  port?: number;
  host?: string;
  /** Worker processes to keep running (ignored with `autoscale`). @default 2 */
  workers?: number;
  /** Let session 08's local autoscaler size the workers between `min` and `max`. */
  autoscale?: { min: number; max: number; timeScale?: number };
  /** Tasks each worker runs at once. @default 1 */
  concurrency?: number;
  /** LEASE_MS of the workers: how soon a killed worker's tasks are taken back. @default 2000 */
  leaseMs?: number;
  /** MAX_ATTEMPTS of the workers. @default 3 */
  maxAttempts?: number;
  /** The exercise pieces the API runs. */
  pieces?: ApiPieces;
  /** Told about each worker start, readiness and exit. */
  onReplica?: (event: ReplicaEvent) => void;
  /** Fastify's logger. @default false */
  logger?: boolean | { level: string };
  /** More configuration of the API. */
  config?: Partial<ApiConfig>;
}

/** A running system. */
export interface RunningSystem {
  api: Api;
  /** The API's base URL, e.g. http://127.0.0.1:41234 (the dashboard is at `/`). */
  url: string;
  driver: ProcessReplicaDriver;
  autoscaler: LocalAutoscaler | null;
  /** SIGKILLs a ready worker (`id`, or the first ready one): its id and pid, or null. */
  killWorker(id?: string): { id: string; pid: number } | null;
  /** Graceful stop: the autoscaler, the workers (drain), then the API. */
  stop(): Promise<void>;
}

/** Starts the API, the workers and (optionally) the autoscaler. */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  let scalerView: ScalerView | null = null;
  const config: ApiConfig = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    redisUrl: options.redisUrl,
    queue: options.queue,
    storageDir: options.storageDir,
    apiKeys: options.apiKeys,
    corsOrigins: [],
    limits: { ...DEFAULT_LIMITS },
    rateLimit: { max: 10_000, windowMs: 60_000 },
    retentionMs: 86_400_000,
    cleanupIntervalMs: 600_000,
    logLevel: 'warn',
    ...options.config,
  };
  const api = await createApi({
    config,
    logger: options.logger ?? false,
    scaler: () => scalerView,
    ...(options.pieces ? { pieces: options.pieces } : {}),
  });
  const driver = new ProcessReplicaDriver({
    redisUrl: options.redisUrl,
    queue: options.queue,
    idPrefix: 'worker',
    entry: observedWorkerEntry(),
    concurrency: options.concurrency ?? 1,
    gracePeriodMs: 10_000,
    env: {
      INPUT_ROOT: api.context.storage.uploads,
      OUTPUT_ROOT: api.context.storage.results,
      LEASE_MS: String(options.leaseMs ?? 2_000),
      HEARTBEAT_INTERVAL_MS: '300',
      HEARTBEAT_TTL_MS: '1200',
      RECOVERY_INTERVAL_MS: '300',
      MAX_ATTEMPTS: String(options.maxAttempts ?? 3),
      LOG_LEVEL: 'warn',
      VIPS_CONCURRENCY: '1',
      // Each worker serves /healthz, /readyz and /metrics on a free port (session 09).
      HEALTH_PORT: '0',
    },
    ...(options.onReplica ? { onEvent: options.onReplica } : {}),
  });
  const view = (lastDecision?: string): ScalerView => ({
    desired: driver.desired,
    replicas: driver
      .replicas()
      .filter((r) => r.state !== 'exited')
      .map((r) => ({ name: r.id, state: r.state, pid: Number(r.handle) })),
    ...(lastDecision ? { lastDecision } : {}),
  });
  let autoscaler: LocalAutoscaler | null = null;
  let lastDecision = '';
  if (options.autoscale) {
    autoscaler = new LocalAutoscaler({
      redisUrl: options.redisUrl,
      queue: options.queue,
      driver,
      timeScale: options.autoscale.timeScale ?? 20,
      scaledObject: queueScaledObject(options.queue, {
        minReplicaCount: options.autoscale.min,
        maxReplicaCount: options.autoscale.max,
      }),
      onTick: (snapshot) => {
        const d = snapshot.lastDecision;
        if (d)
          lastDecision = `${d.from} → ${d.to} by ${d.source === 'keda' ? 'KEDA' : 'the HPA'}: ${d.reason}`;
        scalerView = view(lastDecision);
      },
    });
    await autoscaler.start();
  } else {
    await driver.scale(options.workers ?? 2);
  }
  scalerView = view();
  // A ReplicaSet's job: a worker that died (SIGKILL, crash) is replaced to keep `desired`.
  const reconcile = setInterval(() => {
    const live = driver.replicas().filter((r) => r.state === 'starting' || r.state === 'ready');
    if (live.length < driver.desired) void driver.scale(driver.desired).catch(() => {});
    if (!autoscaler) scalerView = view();
  }, 500);
  reconcile.unref();
  const address = await api.app.listen({ port: config.port, host: config.host });
  let stopping: Promise<void> | null = null;
  return {
    api,
    url: address.replace('0.0.0.0', '127.0.0.1'),
    driver,
    autoscaler,
    killWorker(id) {
      const ready = driver
        .replicas()
        .find((r) => r.state === 'ready' && (id === undefined || r.id === id));
      if (!ready) return null;
      const pid = Number(ready.handle);
      process.kill(pid, 'SIGKILL');
      return { id: ready.id, pid };
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(reconcile);
        await autoscaler?.stop();
        await driver.close();
        await api.close();
      })();
      return stopping;
    },
  };
}
