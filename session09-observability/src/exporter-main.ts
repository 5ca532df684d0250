/** The queue exporter as a process (`bin/imgq-exporter.mjs`). */
import { isWorkbookError } from '@workbook/session01';
import { QueueExporter } from './exporter.ts';
import { type MetricsServer, startMetricsServer } from './metrics-server.ts';

/** Options of {@link runExporter}. */
export interface RunExporterOptions {
  redisUrl?: string;
  queues?: string[];
  /** @default 9465 */
  port?: number;
  /** @default '0.0.0.0' */
  host?: string;
}

/** A running exporter. */
export interface RunningExporter {
  exporter: QueueExporter;
  server: MetricsServer;
  close(): Promise<void>;
}

/**
 * Connects the exporter and serves `/metrics`.
 * @example const running = await runExporter({ redisUrl, queues: ['images'], port: 0 });
 */
export async function runExporter(options: RunExporterOptions = {}): Promise<RunningExporter> {
  const exporter = new QueueExporter({
    ...(options.redisUrl ? { url: options.redisUrl } : {}),
    ...(options.queues ? { queues: options.queues } : {}),
  });
  try {
    await exporter.connect();
    const server = await startMetricsServer({
      port: options.port ?? 9465,
      ...(options.host ? { host: options.host } : {}),
      registry: exporter.registry,
    });
    return {
      exporter,
      server,
      close: async () => {
        await server.close();
        await exporter.close();
      },
    };
  } catch (error) {
    await exporter.close();
    throw error;
  }
}

/**
 * The exporter entry: `REDIS_URL`, `QUEUES` (comma-separated, default `QUEUE` or `images`),
 * `METRICS_PORT` (default 9465); runs until SIGTERM/SIGINT.
 * @returns the exit code (1 with the reason on stderr when it cannot start)
 */
export async function exporterMain(
  env: NodeJS.ProcessEnv = process.env,
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } } = process,
): Promise<number> {
  try {
    const queues = (env.QUEUES ?? env.QUEUE ?? 'images')
      .split(',')
      .map((q) => q.trim())
      .filter(Boolean);
    const port = env.METRICS_PORT ? Number(env.METRICS_PORT) : 9465;
    const running = await runExporter({
      ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
      queues,
      port,
    });
    io.stdout.write(`${JSON.stringify({ event: 'started', port: running.server.port, queues })}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await running.close();
    return 0;
  } catch (error) {
    const text = isWorkbookError(error) ? `${error.code}: ${error.message}` : String(error);
    io.stderr.write(`imgq-exporter: ${text}\n`);
    return 1;
  }
}
