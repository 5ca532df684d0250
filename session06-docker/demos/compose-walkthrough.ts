/** compose.yaml step by step: config, up (Redis healthy first, 3 workers, producer), status from the host, down -v. */
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
import { done, runMain, step, table, title } from '@workbook/tools/demo-kit';
import { freePort, waitFor } from '@workbook/tools/testkit';
import chalk from 'chalk';

const FILE = fileURLToPath(new URL('../compose.yaml', import.meta.url));

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
});
