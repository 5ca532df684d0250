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
    });
    return JSON.parse(result.stdout);
  })();
  return loaded;
}

function seconds(duration: string | undefined): number {
  const match = /^(?:(\d+)m)?(?:([\d.]+)s)?(?:(\d+)ms)?$/.exec(duration ?? '');
  if (!match) return Number.POSITIVE_INFINITY;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 1000;
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
    const test = services.redis?.healthcheck?.test;
    const command = Array.isArray(test) ? test.join(' ') : (test ?? '');
    expect(command, '🚨 the redis health check must run `redis-cli ping`').toMatch(
      /redis-cli.*ping/,
    );
    expect(
      seconds(services.redis?.healthcheck?.interval),
      '🚨 check every few seconds (interval <= 5s), or the worker waits long for nothing',
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
    await config();
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
