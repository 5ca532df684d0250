/**
 * compose.yaml on the real engine: it validates with every Compose installed (v2 and 1.29),
 * `up` with 3 workers processes the sample photos end to end, `down -v` leaves nothing.
 */
import { ReliableTaskQueue } from '@workbook/session05';
import { findComposeCommands, runCompose } from '@workbook/session06';
import { freePort, waitFor } from '@workbook/tools/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { courseImages, docker, waitFinished } from './support.ts';

const FILE = new URL('../compose.yaml', import.meta.url).pathname;
const project = `s06t${process.pid}`;
const projectLabel = `com.docker.compose.project=${project}`;
let env: Record<string, string> = {};

let preparing: Promise<Record<string, string>> | undefined;
/** Images and the variables for the file; each test awaits it (no engine → each fails). */
function prepare() {
  preparing ??= (async () => {
    await courseImages();
    env = { REDIS_PORT: String(await freePort()), QUEUE: 'compose-test' };
    return env;
  })();
  return preparing;
}

afterAll(async () => {
  await runCompose(['down', '-v', '--remove-orphans'], { file: FILE, project, env, check: false });
}, 120_000);

describe('compose.yaml', () => {
  it('validates with every Compose implementation installed', async () => {
    await prepare();
    const composes = await findComposeCommands();
    expect(composes.length, '🚨 install Compose: sudo bash .ci/docker-setup.sh').toBeGreaterThan(0);
    for (const compose of composes) {
      const result = await runCompose(['config', '-q'], {
        compose,
        file: FILE,
        project,
        env,
        check: false,
      });
      expect(
        result.code,
        `🚨 ${compose.command} ${compose.version} rejects compose.yaml: ${result.stderr}`,
      ).toBe(0);
    }
    // The first test waits for the course images (built if missing): minutes on a loaded machine.
  }, 300_000);

  it('up with 3 workers processes the photos end to end; down -v leaves nothing', async () => {
    await prepare();
    await runCompose(['up', '-d', '--no-build'], { file: FILE, project, env });
    const workers = await docker.listContainers({
      filters: { label: [projectLabel, 'com.docker.compose.service=worker'] },
    });
    expect(workers.length, '🚨 compose.yaml must run 3 workers').toBe(3);
    const producer = await waitFor(
      async () => {
        const [c] = await docker.listContainers({
          all: true,
          filters: {
            label: [projectLabel, 'com.docker.compose.service=producer'],
            status: ['exited'],
          },
        });
        return c;
      },
      { timeoutMs: 120_000, intervalMs: 250, message: 'the producer to finish' },
    );
    expect(
      (await docker.getContainer(producer.Id).inspect()).State.ExitCode,
      '🚨 the producer must exit 0',
    ).toBe(0);

    const queue = new ReliableTaskQueue({
      url: `redis://127.0.0.1:${env.REDIS_PORT}`,
      name: env.QUEUE!,
    });
    try {
      const count = (await queue.counts()).enqueued;
      expect(count, '🚨 the producer enqueues the 11 sample photos').toBe(11);
      await waitFinished(queue, count, 120_000);
      const counts = await queue.counts();
      expect(counts.completed, '🚨 every photo must be processed').toBe(count);
      expect(counts.dlq, '🚨 no sample photo may end in the DLQ').toBe(0);
    } finally {
      await queue.close();
    }

    await runCompose(['down', '-v'], { file: FILE, project, env });
    const filters = { label: [projectLabel] };
    expect(
      await docker.listContainers({ all: true, filters }),
      '🚨 down must remove every container',
    ).toEqual([]);
    expect(await docker.listNetworks({ filters }), '🚨 down must remove the network').toEqual([]);
    expect(
      (await docker.listVolumes({ filters })).Volumes ?? [],
      '🚨 down -v must remove the volumes',
    ).toEqual([]);
  }, 300_000);
});
