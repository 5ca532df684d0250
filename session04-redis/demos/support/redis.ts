/**
 * The Redis a demo talks to: the one in REDIS_URL, or a private redis-server started here.
 * Exported as `@workbook/session04/demo-support` so later sessions' demos share it.
 */
import { redactUrl, redisUrlFromEnv, waitUntilReady } from '@workbook/session04';
import { findRedisServer, startRedis } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { Redis } from 'ioredis';

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
export async function demoRedis(options: { persistence?: boolean } = {}): Promise<DemoRedis> {
  if (process.env.REDIS_URL) {
    const url = redisUrlFromEnv();
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await waitUntilReady(client, url, 3_000);
    } finally {
      client.disconnect();
    }
    console.log(
      chalk.dim(`Using the Redis in REDIS_URL: ${redactUrl(url)} (keys of this demo only).`),
    );
    return { url, external: true, stop: async () => {} };
  }
  if (!findRedisServer()) {
    throw Object.assign(
      new Error(
        'This demo needs Redis. Install it (Debian/Ubuntu/WSL: `sudo apt-get install -y ' +
          'redis-server`; macOS: `brew install redis`) so the demo can start a private one, or ' +
          'set REDIS_URL to a Redis you own, e.g. `REDIS_URL=redis://127.0.0.1:6379 pnpm demo`.',
      ),
      { code: 'ERR_REDIS_UNAVAILABLE' },
    );
  }
  const server = await startRedis(options);
  console.log(
    chalk.dim(
      `REDIS_URL is not set: started a private redis-server on port ${server.port} ` +
        `(${options.persistence ? 'AOF on' : 'in memory'}; stopped when the demo ends).`,
    ),
  );
  return { url: server.url, external: false, stop: () => server[Symbol.asyncDispose]() };
}
