import { setInterval as every } from 'node:timers';
import {
  createImageProcessor,
  createLogger,
  type Logger,
  type StopReport,
  type TaskProcessor,
} from '@workbook/session03';
import type { BackoffOptions } from './backoff.ts';
import { QueueInspector } from './queue-inspector.ts';
import { ReliableTaskQueue } from './reliable-task-queue.ts';
import { ReliableWorker } from './reliable-worker.ts';
import type { WorkerConfig } from './worker-config.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/** What the process is doing, as a health check reports it. */
export type WorkerProcessStatus = 'created' | 'starting' | 'running' | 'draining' | 'stopped';

/** A worker process's health: what `/healthz` (alive) and `/readyz` (ready) answer. */
export interface WorkerHealth {
  /**
   * Alive: the event loop answers (no task blocks it) and the heartbeat loop keeps running.
   * A liveness probe restarts a worker that is not.
   */
  alive: boolean;
  /**
   * Ready: Redis reachable, registered, taking work, not draining. A readiness probe (or a load
   * balancer) stops counting on a worker that is not.
   */
  ready: boolean;
  status: WorkerProcessStatus;
  workerId: string;
  queue: string;
  /** Since the last heartbeat that reached Redis (ms), `null` before the first. */
  heartbeatAgeMs: number | null;
  /** Longest recent delay of the event loop (ms). */
  eventLoopDelayMs: number;
  inFlight: number;
  completed: number;
  failed: number;
  /** Why it is not alive or not ready (empty when both hold). */
  reasons: string[];
}

/** What a worker process is built from besides its configuration. */
export interface WorkerProcessParts {
  /** Does the work of one task. @default createImageProcessor({ inputRoot, outputRoot }) */
  processor?: TaskProcessor;
  /** @default a pino logger on stderr, in `config.logFormat` at `config.logLevel` */
  logger?: Logger;
  /** Retry delays. @default DEFAULT_BACKOFF */
  backoff?: BackoffOptions;
  /** Where the default logger writes. @default process.stderr */
  logDestination?: { write(text: string): unknown };
}

/** A running (or runnable) worker process, with handles for what attaches to it. */
export interface WorkerProcess {
  readonly config: WorkerConfig;
  readonly queue: ReliableTaskQueue;
  readonly worker: ReliableWorker;
  readonly registry: WorkerRegistry;
  /** A read-only view of the queue on the same connection (for metrics, health, an API). */
  readonly inspector: QueueInspector;
  readonly logger: Logger;
  /** Connects (fails within 3 s with the fix when Redis is not there), registers, starts. */
  start(): Promise<void>;
  /** Resolves once the worker is registered and taking work. */
  ready(): Promise<void>;
  /** Alive and ready, with the numbers behind them. Cheap: no Redis round trip. */
  health(): WorkerHealth;
  /**
   * Graceful stop: no new tasks, in-flight tasks get `gracePeriodMs`, the rest go back to the
   * queue, deregistered, connections closed. Idempotent: every call gets the same report.
   */
  stop(): Promise<StopReport>;
  /** Resolves when the worker has stopped (by `stop()` or by its own failure). */
  readonly stopped: Promise<StopReport>;
}

/**
 * Builds a worker process from a checked configuration ({@link loadWorkerConfig}): a reliable
 * queue owned by `config.workerId`, a {@link ReliableWorker} (registry, heartbeats, lease
 * extension, recovery) and a {@link QueueInspector}, and returns a handle that a health server,
 * metrics or an HTTP API can attach to. Nothing connects until `start()`.
 *
 * @example
 * const proc = createWorkerProcess(loadWorkerConfig());
 * await proc.start();
 * process.once('SIGTERM', () => void proc.stop());
 */
export function createWorkerProcess(
  config: WorkerConfig,
  parts: WorkerProcessParts = {},
): WorkerProcess {
  const logger =
    parts.logger ??
    createLogger({
      name: 'imgq-worker',
      level: config.logLevel,
      pretty: config.logFormat === 'pretty',
      destination: parts.logDestination ?? process.stderr,
    });
  const queue = new ReliableTaskQueue({
    url: config.redisUrl,
    name: config.queue,
    owner: config.workerId,
    logger,
    leaseMs: config.leaseMs,
    maxAttempts: config.maxAttempts,
    // As session 04's `imgq worker`: one round trip fetches as many tasks as run at once.
    prefetch: config.concurrency,
    ...(parts.backoff ? { backoff: parts.backoff } : {}),
  });
  const worker = new ReliableWorker({
    queue,
    logger,
    concurrency: config.concurrency,
    processor:
      parts.processor ??
      createImageProcessor({
        ...(config.inputRoot ? { inputRoot: config.inputRoot } : {}),
        ...(config.outputRoot ? { outputRoot: config.outputRoot } : {}),
      }),
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    heartbeatTtlMs: config.heartbeatTtlMs,
    recoveryIntervalMs: config.recoveryIntervalMs,
    gracePeriodMs: config.gracePeriodMs,
  });
  const inspector = new QueueInspector({ connection: queue.connection, name: queue.name });
  const loop = loopWatch();
  let status: WorkerProcessStatus = 'created';
  let started: Promise<void> | null = null;
  let stopping: Promise<StopReport> | null = null;
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const stopped = new Promise<StopReport>((resolve) => worker.once('stopped', resolve));
  worker.once('stopping', () => {
    if (status !== 'stopped') status = 'draining';
  });

  const stop = (): Promise<StopReport> => {
    stopping ??= (async () => {
      if (status === 'created') status = 'stopped';
      else status = 'draining';
      try {
        // A start still connecting finishes first (or fails), so stop() never races it.
        await started?.catch(() => {});
        return await worker.stop();
      } finally {
        loop.stop();
        await queue.close();
        status = 'stopped';
      }
    })();
    return stopping;
  };

  return {
    config,
    queue,
    worker,
    registry: worker.registry,
    inspector,
    logger,
    start() {
      started ??= (async () => {
        status = 'starting';
        try {
          await queue.connect(3_000);
          await worker.start();
        } catch (error) {
          loop.stop();
          await queue.close();
          status = 'stopped';
          throw error;
        }
        if (status === 'starting') status = 'running';
        markReady();
      })();
      return started;
    },
    ready: () => readyPromise,
    stop,
    stopped,
    health: () => healthOf(config, worker, queue, status, loop.delayMs()),
  };
}

function healthOf(
  config: WorkerConfig,
  worker: ReliableWorker,
  queue: ReliableTaskQueue,
  status: WorkerProcessStatus,
  eventLoopDelayMs: number,
): WorkerHealth {
  const now = Date.now();
  const { lastTriedAt, lastOkAt } = worker.heartbeats;
  const stats = worker.stats();
  const reasons: string[] = [];
  // A loop blocked longer than a heartbeat TTL has let its registration expire.
  const loopOk = eventLoopDelayMs < config.heartbeatTtlMs;
  if (!loopOk) reasons.push(`event loop blocked for ${eventLoopDelayMs} ms`);
  const beating = status !== 'running' || now - lastTriedAt < config.heartbeatTtlMs;
  if (!beating) reasons.push(`heartbeat loop silent for ${now - lastTriedAt} ms`);
  const redisUp = queue.connection.status === 'ready';
  if (!redisUp) reasons.push(`Redis connection is ${queue.connection.status}`);
  const fresh = lastOkAt > 0 && now - lastOkAt < config.heartbeatTtlMs;
  if (status === 'running' && !fresh) reasons.push('registration not refreshed within its TTL');
  if (status !== 'running') reasons.push(`worker is ${status}`);
  const alive = loopOk && beating && status !== 'stopped';
  return {
    alive,
    ready: alive && status === 'running' && redisUp && fresh,
    status,
    workerId: config.workerId,
    queue: config.queue,
    heartbeatAgeMs: lastOkAt > 0 ? now - lastOkAt : null,
    eventLoopDelayMs,
    inFlight: stats.inFlight,
    completed: stats.completed,
    failed: stats.failed,
    reasons,
  };
}

/**
 * Watches the event loop: a timer that should fire every 100 ms notes how late it fires. The
 * largest lateness over the last two seconds is the loop's delay.
 */
function loopWatch(): { delayMs(): number; stop(): void } {
  const periodMs = 100;
  const recent: number[] = [];
  let expected = Date.now() + periodMs;
  const timer = every(() => {
    const now = Date.now();
    recent.push(Math.max(0, now - expected));
    if (recent.length > 20) recent.shift();
    expected = now + periodMs;
  }, periodMs);
  timer.unref();
  return {
    // Lateness of the tick still to come counts too: a loop blocked now has no ticks at all.
    delayMs: () => Math.max(0, Date.now() - expected, ...recent),
    stop: () => clearInterval(timer),
  };
}
