import { Redis, type RedisOptions } from 'ioredis';

/**
 * One PING to a Redis server with a throwaway client that never retries, never queues commands
 * and swallows its own connection errors: the question "does a Redis answer there, now?" asked
 * by the doctor and by the test kit while it waits for a redis-server it started.
 *
 * @param target a `redis://` URL, or ioredis connection options (host, port, password, ...).
 * @returns `ok` when the server answered PONG; otherwise the error message.
 * @example await pingRedis('redis://127.0.0.1:6379', { connectTimeout: 1_500 })
 */
export async function pingRedis(
  target: string | RedisOptions,
  options: RedisOptions = {},
): Promise<{ ok: boolean; error?: string }> {
  const settings: RedisOptions = {
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  };
  const client =
    typeof target === 'string'
      ? new Redis(target, settings)
      : new Redis({ ...target, ...settings });
  client.on('error', () => {});
  try {
    await client.connect();
    return { ok: (await client.ping()) === 'PONG' };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    client.disconnect();
  }
}
