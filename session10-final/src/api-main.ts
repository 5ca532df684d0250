/**
 * The API process's entry (`bin/imgq-api.mjs`): settings from the environment, the server on
 * PORT, and a graceful stop on SIGTERM/SIGINT (stop accepting, finish the requests, close).
 */
import { readFileSync } from 'node:fs';
import { isWorkbookError } from '@workbook/session01';
import { createApi } from './app.ts';
import { loadApiConfig } from './config.ts';

/** Runs the API until a signal; resolves with the exit code. */
export async function apiMain(
  env: NodeJS.ProcessEnv = process.env,
  io: { error(text: string): void } = { error: (text) => process.stderr.write(`${text}\n`) },
): Promise<number> {
  let config: ReturnType<typeof loadApiConfig>;
  try {
    config = loadApiConfig(env, (file) => readFileSync(file, 'utf8'));
  } catch (error) {
    if (isWorkbookError(error)) {
      io.error(`imgq-api: ${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let api: Awaited<ReturnType<typeof createApi>>;
  try {
    api = await createApi({ config });
  } catch (error) {
    io.error(`imgq-api: cannot start: ${(error as Error).message}`);
    return 1;
  }
  await api.app.listen({ port: config.port, host: config.host });
  return new Promise((resolve) => {
    const stop = () => {
      api.app.log.info('stopping: finishing the requests in flight');
      api.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
