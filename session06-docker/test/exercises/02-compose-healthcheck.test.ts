/**
 * 06.2 checks: the student's compose file, read by Compose v2 and run on the real engine.
 */
import { findComposeCommands, runCompose } from '@workbook/session06';
import { waitFor } from '@workbook/tools/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILE } from '#ex/02-compose-healthcheck/compose-file.ts';
import { courseImages, docker } from '../support.ts';

const project = `ex0602-${process.pid}`;

interface Service {
  healthcheck?: { test?: string[] | string; interval?: string };
  depends_on?: Record<string, { condition?: string }>;
}

let loaded: Promise<{ services: Record<string, Service> }> | undefined;
/** The file as Compose v2 reads it (`config --format json`): fails on an invalid file. */
function config() {
  loaded ??= (async () => {
    const v2 = (await findComposeCommands()).find((c) => c.v2);
    if (!v2)
      throw new Error(
        '🚨 these checks need Compose v2 (`docker compose`): sudo bash .ci/docker-setup.sh',
      );
    const result = await runCompose(['config', '--format', 'json'], {
      compose: v2,
      file: COMPOSE_FILE,
      project,
      check: false,
    });
    if (result.code !== 0)
      throw new Error(
        `🚨 Compose cannot read the file (\`docker compose config\` says):\n${(result.stderr || result.stdout).trim()}`,
      );
    return JSON.parse(result.stdout);
  })();
  return loaded;
}

/** A Compose duration in seconds; an unset one is Docker's default of 30 s. */
function seconds(duration: string | undefined): number {
  if (duration === undefined || duration === '') return 30;
  const match = /^(?:(\d+)m)?(?:([\d.]+)s)?(?:(\d+)ms)?$/.exec(duration);
  if (!match) return Number.POSITIVE_INFINITY;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 1000;
}

/**
 * What is wrong with Redis's health check as Compose read it, or `undefined`: the command must
 * run `redis-cli ping` against the Redis in its own container (port 6379).
 */
function healthProblem(test: string[] | string | undefined): string | undefined {
  if (test === undefined) return 'the redis service has no healthcheck';
  const [form, ...rest] = Array.isArray(test) ? test : ['CMD-SHELL', test];
  if (form === 'NONE') return 'the health check is switched off (NONE)';
  const argv = form === 'CMD-SHELL' ? (rest[0] ?? '').trim().split(/\s+/) : rest;
  if (form === 'CMD' && argv[0]?.includes(' '))
    return `the exec form runs ONE program named "${argv[0]}" (no such file): one list item per word, [CMD, redis-cli, ping]`;
  if (argv[0] !== 'redis-cli' || !argv.includes('ping'))
    return `it runs \`${argv.join(' ')}\`, not \`redis-cli ping\``;
  const flag = argv.findIndex((a) => a === '-p' || a === '--port');
  if (flag !== -1 && argv[flag + 1] !== '6379')
    return `it asks port ${argv[flag + 1]}, but Redis listens on 6379 in its container: the check can never pass`;
  return undefined;
}

afterAll(async () => {
  await runCompose(['down', '-v', '--remove-orphans'], {
    file: COMPOSE_FILE,
    project,
    check: false,
  });
}, 120_000);

describe('06.2 Compose health check and depends_on', () => {
  it('Redis has a health check that runs redis-cli ping at least every 5 s', async () => {
    const { services } = await config();
    expect(
      healthProblem(services.redis?.healthcheck?.test),
      '🚨 the redis health check must run `redis-cli ping` against the Redis of its own container',
    ).toBeUndefined();
    expect(
      seconds(services.redis?.healthcheck?.interval),
      '🚨 check every few seconds (interval <= 5s; without one Docker waits 30 s between checks), or the worker waits long for nothing',
    ).toBeLessThanOrEqual(5);
  });

  it('the worker waits for a healthy Redis (depends_on with condition service_healthy)', async () => {
    const { services } = await config();
    expect(
      services.worker?.depends_on?.redis?.condition,
      '🚨 `depends_on: [redis]` only waits for the container to start: use condition: service_healthy',
    ).toBe('service_healthy');
  });

  it('on the engine, the worker starts only after Redis passed its first health check', async () => {
    const { services } = await config();
    const problems = [
      healthProblem(services.redis?.healthcheck?.test),
      seconds(services.redis?.healthcheck?.interval) > 5 ? 'the interval is over 5 s' : undefined,
      services.worker?.depends_on?.redis?.condition === 'service_healthy'
        ? undefined
        : '`depends_on: [redis]` only waits for the container to start: use condition: service_healthy',
    ].filter((p) => p !== undefined);
    expect(
      problems,
      '🚨 not started on the engine (it would wait for nothing or start too early): fix the file first, the checks above say how',
    ).toEqual([]);
    await courseImages();
    await runCompose(['up', '-d', '--no-build'], { file: COMPOSE_FILE, project });
    const find = async (service: string) => {
      const [c] = await docker.listContainers({
        all: true,
        filters: {
          label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
        },
      });
      return c ? docker.getContainer(c.Id).inspect() : undefined;
    };
    const redis = await waitFor(
      async () => {
        const info = await find('redis');
        return info?.State.Health?.Status === 'healthy' ? info : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'redis to be healthy' },
    );
    const worker = (await find('worker'))!;
    const firstPass = (redis.State.Health?.Log ?? [])
      .filter((probe) => probe.ExitCode === 0)
      .map((probe) => Date.parse(probe.End))
      .sort((a, b) => a - b)[0]!;
    const workerStarted = Date.parse(worker.State.StartedAt);
    expect(
      workerStarted,
      `🚨 the worker started ${((firstPass - workerStarted) / 1000).toFixed(1)} s before Redis was healthy`,
    ).toBeGreaterThanOrEqual(firstPass);
  }, 180_000);
});
