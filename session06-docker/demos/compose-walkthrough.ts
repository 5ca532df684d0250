/** compose.yaml step by step: config, up (Redis healthy first, 3 workers, producer), status from the host, down -v; then YOUR 06.2 compose file, Redis health before the worker. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueInspector } from '@workbook/session05';
import {
  checkEngine,
  connectEngine,
  ensureCourseImages,
  ensurePulled,
  findCompose,
  REDIS_IMAGE,
  runCompose,
} from '@workbook/session06';
import { done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { freePort, waitFor } from '@workbook/tools/testkit';
import chalk from 'chalk';
import type Dockerode from 'dockerode';
// Exercise 06.2 through the switch: your compose file (exercises/), or the reference (--solution).
import { COMPOSE_FILE as YOUR_FILE } from '#ex/02-compose-healthcheck/compose-file.ts';

const FILE = fileURLToPath(new URL('../compose.yaml', import.meta.url));

/**
 * Exercise 06.2: `up` with YOUR compose file, then when Redis passed its first health check and
 * when the worker started. The starter is announced, not run.
 */
async function yourComposeFile(
  docker: Dockerode,
  compose: Awaited<ReturnType<typeof findCompose>>,
) {
  const where = path.relative(process.cwd(), YOUR_FILE);
  title(`06.2: your compose file, ${where}`);
  if (readFileSync(YOUR_FILE, 'utf8').includes('🐨 TODO (06.2)')) {
    warn('06.2 is not solved yet (the starter): nothing to run. `pnpm check 06.2`, or --solution.');
    return;
  }
  const project = `yours${process.pid}`;
  const options = { compose, file: YOUR_FILE, project };
  const find = async (service: string) => {
    const [c] = await docker.listContainers({
      all: true,
      filters: {
        label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
      },
    });
    return c ? docker.getContainer(c.Id).inspect() : undefined;
  };
  try {
    await runCompose(['up', '-d', '--no-build'], options);
    const redis = await waitFor(
      async () => {
        const info = await find('redis');
        return info?.State.Health?.Status === 'healthy' ? info : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'redis to be healthy (your health check)' },
    );
    const worker = await find('worker');
    const healthy = (redis.State.Health?.Log ?? [])
      .filter((probe) => probe.ExitCode === 0)
      .map((probe) => Date.parse(probe.End))
      .sort((a, b) => a - b)[0]!;
    const started = Date.parse(worker?.State.StartedAt ?? '');
    const gap = ((started - healthy) / 1000).toFixed(1);
    (started >= healthy ? done : warn)(
      started >= healthy
        ? `the worker started ${gap} s AFTER Redis passed its first health check: your depends_on waits`
        : `the worker started ${gap} s before Redis was healthy: depends_on does not wait (pnpm check 06.2)`,
    );
  } catch (error) {
    warn(
      `06.2: your compose file did not come up: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`,
    );
  } finally {
    await runCompose(['down', '-v', '--remove-orphans'], { ...options, check: false });
  }
}

await runMain(async () => {
  title('Session 06 · compose.yaml: the system with one file');
  const docker = connectEngine();
  await checkEngine(docker);
  const compose = await findCompose();
  step(`Compose: ${compose.command} ${compose.prefix.join(' ')} ${compose.version}`);
  await ensurePulled(docker, REDIS_IMAGE);
  await ensureCourseImages(docker);
  const project = `walkthrough${process.pid}`;
  const env = { REDIS_PORT: String(await freePort()), QUEUE: 'walkthrough' };
  const options = { compose, file: FILE, project, env };
  const label = `com.docker.compose.project=${project}`;
  try {
    step('docker compose config -q: the file is valid (variables filled in: REDIS_PORT, QUEUE)');
    await runCompose(['config', '-q'], options);
    step(
      'docker compose up -d --no-build: network, volumes, Redis, then (once healthy) workers and producer',
    );
    const up = await runCompose(['up', '-d', '--no-build'], options);
    console.log(
      chalk.dim(
        up.stderr
          .trim()
          .split('\n')
          .map((l) => `  ${l.trim()}`)
          .join('\n'),
      ),
    );
    const inspector = new QueueInspector({
      url: `redis://127.0.0.1:${env.REDIS_PORT}`,
      name: env.QUEUE,
    });
    try {
      await waitFor(
        async () =>
          (
            await docker.listContainers({
              all: true,
              filters: {
                label: [label, 'com.docker.compose.service=producer'],
                status: ['exited'],
              },
            })
          ).length === 1,
        { timeoutMs: 120_000, intervalMs: 250, message: 'the producer to finish' },
      );
      step('the one-shot producer has exited: the photos are in the queue');
      step(`the host watches through the published port 127.0.0.1:${env.REDIS_PORT}`);
      const counts = await waitFor(
        async () => {
          const c = await inspector.counts();
          return c.enqueued > 0 && c.pending + c.processing === 0 ? c : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, message: 'the photos to be processed' },
      );
      done(`${counts.completed} of ${counts.enqueued} photos processed, ${counts.dlq} in the DLQ`);
      table(
        (await inspector.workers()).map((w) => ({
          worker: w.id,
          status: w.status,
          processed: w.processed,
        })),
      );
    } finally {
      await inspector.close();
    }
    step('the containers (docker ps, by the compose project label)');
    const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
    table(
      containers.map((c) => ({
        container: c.Names[0]!.replace(/^\//, ''),
        service: c.Labels['com.docker.compose.service'] ?? '',
        status: c.Status,
      })),
    );
  } finally {
    step('docker compose down -v: containers, network AND volumes');
    await runCompose(['down', '-v'], { ...options });
    const left = await docker.listContainers({ all: true, filters: { label: [label] } });
    const volumes = (await docker.listVolumes({ filters: { label: [label] } })).Volumes ?? [];
    done(`left behind: ${left.length} container(s), ${volumes.length} volume(s)`);
  }
  await yourComposeFile(docker, compose);
});
