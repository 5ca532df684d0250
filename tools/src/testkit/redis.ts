import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { pingRedis } from '../redis-ping.ts';
import { makeRedisDir, recordServerPid, removeRedisDir, trackRedisDir } from './redis-dirs.ts';
import { waitFor } from './wait-for.ts';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /**
   * Keep data on disk with the append-only file (fsync every write), so a restart keeps it.
   * @default false
   */
  persistence?: boolean;
  /**
   * Require this password (`requirepass`).
   * @default undefined
   */
  password?: string;
}

/** A private redis-server started for a test. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` (with the password if one was set). */
  url: string;
  host: string;
  port: number;
  /** The folder the server keeps its files in (AOF when persistence is on). */
  dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). With persistence, data stays on disk. */
  stop(): Promise<void>;
  /** SIGKILLs the server at once, as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and folder (after `stop` or `kill`). */
  start(): Promise<void>;
  /** `stop` then `start`. */
  restart(): Promise<void>;
  /** Stops the server and deletes its folder. */
  [Symbol.asyncDispose](): Promise<void>;
}

const INSTALL_HELP =
  'No redis-server binary was found on PATH and REDIS_URL is not set. Install Redis to run the ' +
  'Redis sessions: Debian/Ubuntu/WSL `sudo apt-get install -y redis-server`, macOS ' +
  '`brew install redis`; or point REDIS_URL at a Redis you own (its data will be namespaced, ' +
  'never flushed). Then run `pnpm run doctor` to confirm.';

/** Path of the redis-server binary, or `null` when none is on PATH. */
export function findRedisServer(): string | null {
  const which = spawnSync(process.platform === 'win32' ? 'where' : 'which', ['redis-server'], {
    encoding: 'utf8',
  });
  const found = which.status === 0 ? which.stdout.split('\n')[0]?.trim() : '';
  return found ? found : null;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private `redis-server` on a free loopback port, in a temporary folder, with no
 * persistence unless asked. Never touches a Redis on 6379.
 *
 * @example
 * const redis = await startRedis();
 * const queue = new RedisTaskQueue({ url: redis.url, name: uniqueName('q') });
 * await redis.stop();
 * @throws {Error} with install instructions when no redis-server binary exists.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServerHandle> {
  const binary = findRedisServer();
  if (!binary) throw new Error(INSTALL_HELP);
  const port = await freePort();
  const dir = makeRedisDir();
  const host = '127.0.0.1';
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  let child: ChildProcess | null = null;
  trackRedisDir(dir, () => child);

  // biome-ignore format: one flag and its value per line reads best
  const args = [
    '--port', String(port),
    '--bind', host,
    '--dir', dir,
    '--save', '',
    '--appendonly', options.persistence ? 'yes' : 'no',
    '--appendfsync', 'always',
    '--daemonize', 'no',
    '--protected-mode', 'no',
    '--logfile', path.join(dir, 'redis.log'),
    ...(options.password ? ['--requirepass', options.password] : []),
  ];

  const start = async () => {
    const proc = spawn(binary, args, { stdio: 'ignore' });
    child = proc;
    recordServerPid(dir, proc.pid);
    let exited = false;
    proc.once('exit', () => {
      exited = true;
    });
    await waitFor(
      async () => {
        if (exited) throw new Error(`redis-server exited at start; see ${dir}/redis.log`);
        return ping(host, port, options.password);
      },
      { timeoutMs: 10_000, intervalMs: 25, message: `redis-server did not answer on port ${port}` },
    );
  };

  const halt = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url: `redis://${auth}${host}:${port}`,
    host,
    port,
    dir,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    start,
    restart: async () => {
      await halt('SIGTERM');
      await start();
    },
    async [Symbol.asyncDispose]() {
      await halt('SIGTERM');
      removeRedisDir(dir);
    },
  };
}

/**
 * The Redis a test should use: a private server from {@link startRedis}, or the one named by
 * `REDIS_URL` when no redis-server binary exists. Fails (never skips) when neither is available.
 */
export async function testRedis(options: StartRedisOptions = {}): Promise<RedisServerHandle> {
  const external = process.env.REDIS_URL;
  if (!findRedisServer() && external) {
    const url = new URL(external);
    const noop = async () => {};
    return {
      url: external,
      host: url.hostname,
      port: Number(url.port || 6379),
      dir: '',
      stop: noop,
      kill: noop,
      start: noop,
      restart: async () => {
        throw new Error('Cannot restart the external Redis named by REDIS_URL');
      },
      [Symbol.asyncDispose]: noop,
    };
  }
  return startRedis(options);
}

async function ping(host: string, port: number, password?: string): Promise<boolean> {
  return (await pingRedis({ host, port, ...(password ? { password } : {}) })).ok;
}

/**
 * A name no other test uses, for queue names and key prefixes, e.g. `queue-3f2a9c1e`.
 * Tests that share a Redis never see each other's keys.
 */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
