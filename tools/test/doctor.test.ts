import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  atLeast,
  diagnose,
  type ProbeResults,
  printDoctor,
  probePnpm,
  redactUrl,
} from '../src/doctor.ts';
import { freePort, startRedis } from '../src/testkit/index.ts';
import { childEnv } from '../src/vitest-run.ts';
import { SLOW_MS } from './helpers.ts';

const healthy: ProbeResults = {
  node: '22.11.0',
  pnpm: '10.34.9',
  sharp: { ok: true, version: '0.35.5', vips: '8.18.7' },
  redisServer: { path: '/usr/bin/redis-server', version: 'Redis 7.2.4' },
  redis: { url: 'redis://127.0.0.1:6379', fromEnv: false, ok: true },
  docker: { endpoint: 'unix:///var/run/docker.sock', ok: true, version: '27.3.1' },
  kubectl: { version: 'v1.31.0' },
};

function run(probes: Partial<ProbeResults>) {
  const lines = diagnose({ ...healthy, ...probes });
  const printed: string[] = [];
  const code = printDoctor(lines, (l) => printed.push(l));
  const byName = Object.fromEntries(lines.map((l) => [l.name, l]));
  return { code, byName, text: printed.join('\n') };
}

describe('diagnose', () => {
  it('is all green on a complete machine', () => {
    const { code, byName, text } = run({});
    expect(code).toBe(0);
    expect(Object.values(byName).every((l) => l.level === 'ok')).toBe(true);
    expect(byName.sharp?.detail).toBe('0.35.5 loads (libvips 8.18.7)');
    expect(text).toContain('Everything the course needs is here.');
  });

  it('fails (exit 1) on a Node older than 20.9 or a sharp that does not load', () => {
    const old = run({ node: '20.8.1' });
    expect(old.code).toBe(1);
    expect(old.byName['Node.js']).toMatchObject({ level: 'fail' });
    expect(old.byName['Node.js']?.fix).toContain('Node 22 LTS');
    const noSharp = run({ sharp: { ok: false, error: 'Could not load the "sharp" module' } });
    expect(noSharp.code).toBe(1);
    expect(noSharp.byName.sharp?.fix).toContain('install --frozen-lockfile');
  });

  it('only warns about Redis, Docker and kubectl, which later sessions need', () => {
    const { code, byName } = run({
      redisServer: null,
      redis: { url: 'redis://127.0.0.1:6379', fromEnv: false, ok: false, error: 'ECONNREFUSED' },
      docker: { endpoint: 'unix:///var/run/docker.sock', ok: false, error: 'ENOENT' },
      kubectl: null,
    });
    expect(code).toBe(0);
    expect(byName['redis-server']).toMatchObject({ level: 'warn' });
    expect(byName['redis-server']?.fix).toContain('apt-get install -y redis-server');
    expect(byName.Redis?.detail).toContain('no redis-server is installed; needed from session 04');
    expect(byName.Docker?.detail).toContain('needed from session 06');
    expect(byName.kubectl?.detail).toContain('needed from session 07');
  });

  it('says an unreachable Redis is fine for tests when redis-server is installed, and where it looked', () => {
    const { byName } = run({
      redis: { url: 'redis://:secret@10.0.0.5:6380', fromEnv: true, ok: false },
    });
    expect(byName.Redis?.level).toBe('warn');
    expect(byName.Redis?.detail).toBe(
      'nothing answers at redis://:***@10.0.0.5:6380 (from REDIS_URL); fine for tests, which start their own redis-server',
    );
    expect(byName.Redis?.fix).toContain('redis-server --port 6380');
  });

  it('warns about a pnpm other than the pinned one', () => {
    expect(run({ pnpm: '9.1.0' }).byName.pnpm).toMatchObject({
      level: 'warn',
      detail: '9.1.0; the course pins 10.34.9',
    });
    expect(run({ pnpm: null }).byName.pnpm?.fix).toContain('npm i -g pnpm@10.34.9');
  });
});

describe('helpers', () => {
  it('compares versions and hides passwords', () => {
    expect(atLeast('20.9.0', [20, 9])).toBe(true);
    expect(atLeast('v20.10.1', [20, 9])).toBe(true);
    expect(atLeast('20.8.9', [20, 9])).toBe(false);
    expect(atLeast('18.20.0', [20, 9])).toBe(false);
    expect(atLeast('24.0.0', [20, 9])).toBe(true);
    expect(redactUrl('redis://user:pw@h:1/2')).toBe('redis://user:***@h:1/2');
  });

  it('reads the pnpm version from the user agent pnpm gives scripts', () => {
    expect(probePnpm({ npm_config_user_agent: 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64' })).toBe(
      '10.34.9',
    );
  });
});

describe('pnpm run doctor on this machine', { timeout: SLOW_MS }, () => {
  const cli = fileURLToPath(new URL('../src/workbook.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');

  function doctor(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', tsx, cli, 'doctor'], {
        env: { ...childEnv(), NO_COLOR: '1', npm_config_user_agent: 'pnpm/10.34.9', ...env },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
  }

  it('finds a running Redis through REDIS_URL', async () => {
    await using redis = await startRedis();
    const { code, out } = await doctor({ REDIS_URL: redis.url });
    expect(out).toContain(`✅ Redis         reachable at ${redis.url} (from REDIS_URL)`);
    expect(out).toMatch(/✅ Node\.js\s+\d+\.\d+\.\d+ \(20\.9 or newer needed/);
    expect(out).toMatch(/✅ sharp\s+0\.35\.5 loads \(libvips \d+\.\d+\.\d+\)/);
    expect(code).toBe(0);
  });

  it('warns, without failing, when nothing answers at REDIS_URL', async () => {
    const port = await freePort();
    const { code, out } = await doctor({ REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(out).toContain(
      `⚠️  Redis         nothing answers at redis://127.0.0.1:${port} (from REDIS_URL)`,
    );
    expect(code).toBe(0);
  });
});
