/**
 * The Redis a demo talks to: the one in REDIS_URL, or a private redis-server started here.
 * Exported as `@workbook/session04/testing` so later sessions' demos share it (it needs the
 * course's test kit, a development dependency: demos and tests only, never a worker).
 */
import { WorkbookError } from '@workbook/session01';
import { findRedisServer, startRedis } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { Redis } from 'ioredis';
import { redisUrlIfSet } from '../config.ts';
import { waitUntilReady } from '../connection.ts';
import { RedisErrorCodes, redactUrl } from '../errors.ts';

/** Where a demo's start-up lines go. @default one line on stdout */
type Say = (line: string) => void;
const sayOnStdout: Say = (line) => process.stdout.write(`${line}\n`);

/** A Redis for one demo run. */
export interface DemoRedis {
  url: string;
  /** `true` when it is the Redis of REDIS_URL (someone else's: clean up after the demo). */
  external: boolean;
  /** Stops the private server, if the demo started one. */
  stop(): Promise<void>;
}

/**
 * Uses REDIS_URL when it is set (checked within 3 s, with the fix if it is down); otherwise
 * starts a private redis-server on a free port in a temporary folder, says so, and stops it
 * at the end. Without a redis-server binary, fails with install instructions.
 */
export async function demoRedis(
  options: { persistence?: boolean; say?: Say } = {},
): Promise<DemoRedis> {
  const say = options.say ?? sayOnStdout;
  const url = redisUrlIfSet();
  if (url) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await waitUntilReady(client, url, 3_000);
    } finally {
      client.disconnect();
    }
    say(chalk.dim(`Using the Redis in REDIS_URL: ${redactUrl(url)} (keys of this demo only).`));
    return { url, external: true, stop: async () => {} };
  }
  if (!findRedisServer()) {
    throw new WorkbookError(
      RedisErrorCodes.REDIS_UNAVAILABLE,
      'This demo needs Redis. Install it (Debian/Ubuntu/WSL: `sudo apt-get install -y ' +
        'redis-server`; macOS: `brew install redis`) so the demo can start a private one, or ' +
        'set REDIS_URL to a Redis you own, e.g. `REDIS_URL=redis://127.0.0.1:6379 pnpm demo`.',
    );
  }
  const server = await startRedis(options);
  say(
    chalk.dim(
      `REDIS_URL is not set: started a private redis-server on port ${server.port} ` +
        `(${options.persistence ? 'AOF on' : 'in memory'}; stopped when the demo ends).`,
    ),
  );
  return { url: server.url, external: false, stop: () => server[Symbol.asyncDispose]() };
}
