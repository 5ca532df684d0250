/**
 * `pnpm run doctor`: checks the machine for what the course needs, each line with a fix.
 *
 * The probes (what is installed, what answers) are separate from the diagnosis (what that
 * means for a student), so the diagnosis is tested with injected probe results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import path from 'node:path';
import chalk from 'chalk';

/** Pinned pnpm version of the course. */
export const PNPM_VERSION = '10.34.9';
/** Oldest Node that sharp 0.35 and the course support. */
export const MIN_NODE = [20, 9] as const;

/** What the probes found, before any judgement. */
export interface ProbeResults {
  /** `process.versions.node`. */
  node: string;
  /** pnpm version, or `null` when pnpm is not found. */
  pnpm: string | null;
  /** sharp's version and libvips version, or the load error. */
  sharp: { ok: true; version: string; vips: string } | { ok: false; error: string };
  /** redis-server binary and version, or `null`. */
  redisServer: { path: string; version: string } | null;
  /** Where Redis was looked for and whether it answered PING. */
  redis: { url: string; fromEnv: boolean; ok: boolean; error?: string };
  /** The Docker endpoint tried and whether the engine answered. */
  docker: { endpoint: string; ok: boolean; version?: string; error?: string };
  /** kubectl client version, or `null`. */
  kubectl: { version: string } | null;
}

/** One line of the report. */
export interface DoctorLine {
  level: 'ok' | 'warn' | 'fail';
  name: string;
  detail: string;
  /** What to do about it (absent when all is well). */
  fix?: string;
}

/** Compares dotted versions; `atLeast('20.9.0', [20, 9])` is true. */
export function atLeast(version: string, min: readonly number[]): boolean {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== min[i]) return have > min[i]!;
  }
  return true;
}

/** Turns probe results into the report. Pure. */
export function diagnose(p: ProbeResults): DoctorLine[] {
  const lines: DoctorLine[] = [];
  const nodeMajor = Number(p.node.split('.')[0]);
  lines.push(
    atLeast(p.node, MIN_NODE)
      ? {
          level: 'ok',
          name: 'Node.js',
          detail: `${p.node} (20.9 or newer needed; 22 and 24 work too)${nodeMajor % 2 ? ' · odd versions are not LTS' : ''}`,
        }
      : {
          level: 'fail',
          name: 'Node.js',
          detail: `${p.node} is too old: the course and sharp need 20.9 or newer`,
          fix: 'install Node 22 LTS from https://nodejs.org (or `nvm install 22`)',
        },
  );
  lines.push(
    p.pnpm === null
      ? {
          level: 'warn',
          name: 'pnpm',
          detail: 'not found on PATH (the README commands use `npx -y pnpm@10.34.9`, which works)',
          fix: `npm i -g pnpm@${PNPM_VERSION} to type \`pnpm\` directly`,
        }
      : p.pnpm === PNPM_VERSION
        ? { level: 'ok', name: 'pnpm', detail: p.pnpm }
        : {
            level: 'warn',
            name: 'pnpm',
            detail: `${p.pnpm}; the course pins ${PNPM_VERSION}`,
            fix: `npm i -g pnpm@${PNPM_VERSION}`,
          },
  );
  lines.push(
    p.sharp.ok
      ? { level: 'ok', name: 'sharp', detail: `${p.sharp.version} loads (libvips ${p.sharp.vips})` }
      : {
          level: 'fail',
          name: 'sharp',
          detail: `does not load: ${p.sharp.error}`,
          fix:
            'reinstall the dependencies: `npx -y pnpm@10.34.9 install --frozen-lockfile`; ' +
            'see https://sharp.pixelplumbing.com/install for unusual platforms',
        },
  );
  const installRedis =
    'Debian/Ubuntu/WSL: `sudo apt-get install -y redis-server`; macOS: `brew install redis`';
  lines.push(
    p.redisServer
      ? {
          level: 'ok',
          name: 'redis-server',
          detail: `${p.redisServer.version} at ${p.redisServer.path} (tests start private servers)`,
        }
      : {
          level: 'warn',
          name: 'redis-server',
          detail: 'not found; needed from session 04 (tests start their own private server)',
          fix: installRedis,
        },
  );
  const where = `${redactUrl(p.redis.url)} (${p.redis.fromEnv ? 'from REDIS_URL' : 'the default; set REDIS_URL to use another'})`;
  if (p.redis.ok) {
    lines.push({ level: 'ok', name: 'Redis', detail: `reachable at ${where}` });
  } else if (p.redisServer) {
    lines.push({
      level: 'warn',
      name: 'Redis',
      detail: `nothing answers at ${where}; fine for tests, which start their own redis-server`,
      fix: `for the demos, start one: \`redis-server --port ${portOf(p.redis.url)}\` (or set REDIS_URL)`,
    });
  } else {
    lines.push({
      level: 'warn',
      name: 'Redis',
      detail: `nothing answers at ${where} and no redis-server is installed; needed from session 04`,
      fix: `${installRedis}; or set REDIS_URL to a Redis you own`,
    });
  }
  lines.push(
    p.docker.ok
      ? {
          level: 'ok',
          name: 'Docker',
          detail: `engine ${p.docker.version ?? ''} reachable at ${p.docker.endpoint}`.replace(
            '  ',
            ' ',
          ),
        }
      : {
          level: 'warn',
          name: 'Docker',
          detail: `engine not reachable at ${p.docker.endpoint}${p.docker.error ? ` (${p.docker.error})` : ''}; needed from session 06`,
          fix: 'install Docker Engine or Docker Desktop and start it (or set DOCKER_HOST)',
        },
  );
  lines.push(
    p.kubectl
      ? { level: 'ok', name: 'kubectl', detail: `${p.kubectl.version}` }
      : {
          level: 'warn',
          name: 'kubectl',
          detail: 'not found; needed from session 07',
          fix: 'install it: https://kubernetes.io/docs/tasks/tools/',
        },
  );
  return lines;
}

function portOf(url: string): string {
  try {
    return new URL(url).port || '6379';
  } catch {
    return '6379';
  }
}

/** Hides a password in a Redis URL before printing it. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** Prints the report; returns the exit code (1 only when something needed now fails). */
export function printDoctor(
  lines: DoctorLine[],
  print: (line: string) => void = console.log,
): number {
  const marks = { ok: '✅', warn: '⚠️ ', fail: '❌' };
  const width = Math.max(...lines.map((l) => l.name.length));
  for (const line of lines) {
    const text = `${marks[line.level]} ${chalk.bold(line.name.padEnd(width))}  ${line.detail}`;
    print(line.level === 'fail' ? chalk.red(text) : text);
    if (line.fix) print(`   ${' '.repeat(width)}  ${chalk.cyan('→ fix:')} ${line.fix}`);
  }
  const failed = lines.filter((l) => l.level === 'fail').length;
  const warned = lines.filter((l) => l.level === 'warn').length;
  print('');
  if (failed)
    print(
      chalk.red.bold(
        `${failed} problem(s) stop the course from working now. Fix them and run \`pnpm run doctor\` again.`,
      ),
    );
  else if (warned)
    print(
      chalk.green(`Ready for the first sessions. ${warned} warning(s) concern later sessions.`),
    );
  else print(chalk.green.bold('Everything the course needs is here.'));
  return failed ? 1 : 0;
}

/* ----------------------------------- probes ----------------------------------- */

function command(cmd: string, args: string[], timeoutMs = 5_000): string | null {
  const result = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  return result.status === 0 ? result.stdout.trim() : null;
}

function which(name: string): string | null {
  return command(process.platform === 'win32' ? 'where' : 'which', [name])?.split('\n')[0] ?? null;
}

/** The pnpm version: from the user agent pnpm sets for scripts, else `pnpm --version`. */
export function probePnpm(env: NodeJS.ProcessEnv = process.env): string | null {
  const agent = /\bpnpm\/(\d+\.\d+\.\d+)/.exec(env.npm_config_user_agent ?? '');
  if (agent) return agent[1]!;
  return command('pnpm', ['--version'], 15_000);
}

async function probeSharp(): Promise<ProbeResults['sharp']> {
  try {
    const sharp = (await import('sharp')).default;
    const versions = sharp.versions as Record<string, string | undefined>;
    return { ok: true, version: versions.sharp ?? 'unknown', vips: versions.vips ?? 'unknown' };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] ?? String(error) };
  }
}

function probeRedisServer(): ProbeResults['redisServer'] {
  const binary = which('redis-server');
  if (!binary) return null;
  const out = command(binary, ['--version']) ?? '';
  const version = /v=(\S+)/.exec(out)?.[1];
  return { path: binary, version: version ? `Redis ${version}` : out || 'unknown version' };
}

/** PINGs the Redis at `url` with a short timeout. */
export async function probeRedis(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProbeResults['redis']> {
  const fromEnv = Boolean(env.REDIS_URL);
  const url = env.REDIS_URL || 'redis://127.0.0.1:6379';
  const { pingRedis } = await import('./redis-ping.ts'); // ioredis only when it is asked for
  const { ok, error } = await pingRedis(url, { connectTimeout: 1_500 });
  return { url, fromEnv, ok, ...(error === undefined ? {} : { error }) };
}

/** Where the Docker engine should be: DOCKER_HOST, else the usual socket paths. */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const desktop = path.join(homedir(), '.docker', 'run', 'docker.sock');
  if (!existsSync('/var/run/docker.sock') && existsSync(desktop)) return `unix://${desktop}`;
  return 'unix:///var/run/docker.sock';
}

/** Asks the Docker engine for its version over its HTTP API (`GET /version`). */
export function probeDocker(env: NodeJS.ProcessEnv = process.env): Promise<ProbeResults['docker']> {
  const endpoint = dockerEndpoint(env);
  const target = endpoint.startsWith('unix://')
    ? { socketPath: endpoint.slice('unix://'.length) }
    : (() => {
        const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
        return { host: url.hostname, port: Number(url.port || 2375) };
      })();
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/version', method: 'GET', timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        try {
          const info = JSON.parse(body) as { Version?: string };
          resolve({ endpoint, ok: res.statusCode === 200, version: info.Version });
        } catch {
          resolve({ endpoint, ok: false, error: `unexpected answer (HTTP ${res.statusCode})` });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ endpoint, ok: false, error: error.code ?? error.message }),
    );
    req.end();
  });
}

function probeKubectl(): ProbeResults['kubectl'] {
  const out = command('kubectl', ['version', '--client', '-o', 'json']);
  if (!out) return null;
  try {
    const info = JSON.parse(out) as { clientVersion?: { gitVersion?: string } };
    return { version: info.clientVersion?.gitVersion ?? 'unknown version' };
  } catch {
    return { version: out.split('\n')[0] ?? 'unknown version' };
  }
}

/** Runs every probe on this machine. */
export async function probeAll(env: NodeJS.ProcessEnv = process.env): Promise<ProbeResults> {
  const [sharp, redis, docker] = await Promise.all([
    probeSharp(),
    probeRedis(env),
    probeDocker(env),
  ]);
  return {
    node: process.versions.node,
    pnpm: probePnpm(env),
    sharp,
    redisServer: probeRedisServer(),
    redis,
    docker,
    kubectl: probeKubectl(),
  };
}
