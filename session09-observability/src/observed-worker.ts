/**
 * The observed worker process: session 05's {@link runWorkerProcess} with this session's
 * metrics and trace events attached, and ONE HTTP server on `HEALTH_PORT` that serves
 * `/metrics` beside `/healthz` and `/readyz` (Prometheus and the kubelet talk to the same port).
 */
import { ImageErrorCodes, isWorkbookError } from '@workbook/session01';
import { createImageProcessor, type TaskProcessor } from '@workbook/session03';
import {
  loadWorkerConfig,
  runWorkerProcess,
  type WorkerProcess,
  type WorkerProcessOptions,
} from '@workbook/session05';
import { createWorkerMetrics, type DurationRecorder, type WorkerMetrics } from './metrics.ts';
import { type MetricsServer, type ProbeHandler, startMetricsServer } from './metrics-server.ts';
import { type OtelBridge, otelBridgeFromEnv } from './otel.ts';
import type { TaskEvent } from './task-events.ts';
import { createTaskTracer, type TraceCarrier } from './tracing.ts';

/** Options of {@link runObservedWorker}: session 05's, plus what observes the process. */
export interface ObservedWorkerOptions extends WorkerProcessOptions {
  /** @default createWorkerMetrics({ duration }) */
  metrics?: WorkerMetrics;
  /** The duration histogram of new metrics (exercise 09.1). @default the library's */
  duration?: DurationRecorder;
  /** How `/healthz` and `/readyz` answer (exercise 09.4). @default defaultProbe */
  probe?: ProbeHandler;
  /** How the trace context travels (exercise 09.3). @default defaultCarrier */
  carrier?: TraceCarrier;
  /** Task events kept (ms). @default one day */
  eventRetentionMs?: number;
  /** Host the metrics server listens on. @default '0.0.0.0' */
  metricsHost?: string;
  /** Called once the metrics server listens (its port, useful with `healthPort: 0`). */
  onListening?: (server: MetricsServer, proc: WorkerProcess) => void;
  /** Called with every task event this worker records. */
  onEvent?: (event: TaskEvent) => void;
  /**
   * Spans of the task events. @default an OTLP/HTTP exporter when
   * `OTEL_EXPORTER_OTLP_ENDPOINT` is set in `env`, else none
   */
  otel?: OtelBridge;
}

/**
 * Runs an observed worker until it stops (SIGTERM/SIGINT, or an empty queue with
 * `untilEmpty`); resolves with the exit code like {@link runWorkerProcess}. The metrics server
 * starts when `healthPort` is set (0: a free port) and answers until the worker has drained.
 * @example process.exitCode = await runObservedWorker({ queue: 'images', healthPort: 9464 });
 */
export async function runObservedWorker(options: ObservedWorkerOptions = {}): Promise<number> {
  const {
    metrics: given,
    duration,
    probe,
    carrier,
    eventRetentionMs,
    metricsHost,
    onListening,
    onEvent,
    onCreated,
    onStarted,
    otel: givenOtel,
    processor,
    ...rest
  } = options;
  const metrics = given ?? createWorkerMetrics(duration ? { duration } : {});
  const otel = givenOtel ?? (await otelBridgeFromEnv(rest.env ?? process.env));
  const tracer = createTaskTracer({
    ...(carrier ? { carrier } : {}),
    ...(eventRetentionMs === undefined ? {} : { retentionMs: eventRetentionMs }),
    onEvent: (event) => {
      otel?.onEvent(event);
      onEvent?.(event);
    },
  });
  const inner: TaskProcessor =
    processor ??
    createImageProcessor({
      ...(rest.inputRoot ? { inputRoot: rest.inputRoot } : {}),
      ...(rest.outputRoot ? { outputRoot: rest.outputRoot } : {}),
    });
  let server: MetricsServer | undefined;
  let serverStarting: Promise<void> | undefined;
  try {
    return await runWorkerProcess({
      ...rest,
      processor: tracer.wrap(inner),
      onCreated: (proc) => {
        // Before start: the recovery pass at start-up is recorded too.
        tracer.attach(proc);
        metrics.instrument(proc);
        onCreated?.(proc);
      },
      onStarted: (proc) => {
        const port = proc.config.healthPort;
        if (port !== undefined) {
          serverStarting = startMetricsServer({
            port,
            ...(metricsHost ? { host: metricsHost } : {}),
            registry: metrics.registry,
            health: () => proc.health(),
            ...(probe ? { probe } : {}),
          }).then(
            (started) => {
              server = started;
              proc.logger.info(
                { port: started.port },
                'metrics and health on /metrics, /healthz, /readyz',
              );
              onListening?.(started, proc);
            },
            (error: Error) => {
              proc.logger.error(
                { err: error.message, port },
                'metrics server could not start; the worker runs without it',
              );
            },
          );
        }
        onStarted?.(proc);
      },
    });
  } finally {
    await serverStarting;
    await server?.close();
    if (!givenOtel) await otel?.shutdown().catch(() => {});
  }
}

/** Where the entry writes. */
export interface ObservedMainIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * The deployable observed worker (`bin/imgq-worker.mjs`): configuration from the environment
 * only (session 05's settings; `HEALTH_PORT` also serves `/metrics`, `EVENT_RETENTION_MS` sets
 * how long task events are kept).
 * @returns the exit code: 0 after a graceful stop; 1 when the worker cannot start, with the
 * reason on stderr
 */
export async function observedWorkerMain(
  env: NodeJS.ProcessEnv = process.env,
  io: ObservedMainIo = process,
): Promise<number> {
  try {
    const config = loadWorkerConfig(env, {}, io.stderr.isTTY === true);
    const retention = env.EVENT_RETENTION_MS ? Number(env.EVENT_RETENTION_MS) : undefined;
    return await runObservedWorker({
      ...config,
      env,
      json: config.logFormat === 'json',
      stdout: io.stdout,
      stderr: io.stderr,
      ...(retention === undefined ? {} : { eventRetentionMs: retention }),
    });
  } catch (error) {
    const text = isWorkbookError(error)
      ? `${error.code}: ${error.message}`
      : `${ImageErrorCodes.UNEXPECTED}: ${(error as Error)?.message ?? String(error)}`;
    io.stderr.write(`imgq-worker: ${text}\n`);
    return 1;
  }
}
