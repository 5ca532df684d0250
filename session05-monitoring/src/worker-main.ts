import { ImageErrorCodes, isWorkbookError } from '@workbook/session01';
import sharp from 'sharp';
import { type HealthServer, startHealthServer } from './health-server.ts';
import { runWorkerProcess } from './run-worker.ts';
import { loadWorkerConfig } from './worker-config.ts';

/** Where the entry writes. */
export interface MainIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * The deployable worker: configuration from the environment only (`loadWorkerConfig`), the
 * image library's version said at start-up, a health server on `HEALTH_PORT` when set, and
 * {@link runWorkerProcess} until SIGTERM/SIGINT. This is what `node bin/imgq-worker.mjs` runs, in
 * a container or from a production install (`pnpm deploy --prod`).
 *
 * Events go to stdout and logs to stderr, as JSON lines when `LOG_FORMAT=json` (the default when
 * stderr is not a terminal), as short readable lines otherwise.
 *
 * @returns the exit code: 0 after a graceful stop; 1 when the worker cannot start (a bad
 * setting, Redis unreachable), with the reason and the fix on stderr — never a stack trace.
 */
export async function workerMain(
  env: NodeJS.ProcessEnv = process.env,
  io: MainIo = process,
): Promise<number> {
  let health: HealthServer | undefined;
  try {
    const config = loadWorkerConfig(env, {}, io.stderr.isTTY === true);
    const json = config.logFormat === 'json';
    const versions = { sharp: sharp.versions.sharp, libvips: sharp.versions.vips };
    io.stdout.write(
      json
        ? `${JSON.stringify({ event: 'image-library', ...versions, workerId: config.workerId })}\n`
        : `Image library: sharp ${versions.sharp}, libvips ${versions.libvips}\n`,
    );
    return await runWorkerProcess({
      ...config,
      env,
      json,
      stdout: io.stdout,
      stderr: io.stderr,
      onStarted: (proc) => {
        if (config.healthPort === undefined) return;
        startHealthServer(() => proc.health(), { port: config.healthPort }).then(
          (server) => {
            health = server;
            proc.logger.info({ port: server.port }, 'health server listening (/healthz, /readyz)');
          },
          (error: Error) => {
            proc.logger.error(
              { err: error.message, port: config.healthPort },
              'health server could not start (is HEALTH_PORT in use?); the worker runs without it',
            );
          },
        );
      },
    });
  } catch (error) {
    const text = isWorkbookError(error)
      ? `${error.code}: ${error.message}`
      : `${ImageErrorCodes.UNEXPECTED}: ${(error as Error)?.message ?? String(error)}`;
    io.stderr.write(`imgq-worker: ${text}\n`);
    return 1;
  } finally {
    await health?.close();
  }
}
