/**
 * 06.4 checks: the student's scaleDown on a real stack with busy workers.
 */
import { QueueInspector, ReliableTaskQueue } from '@workbook/session05';
import { isGone, NODE_BASE_IMAGE, RUN_LABEL, type Stack } from '@workbook/session06';
import { waitFor } from '@workbook/tools/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { scaleDown } from '#ex/04-graceful-scale-down/scale-down.ts';
import {
  accounting,
  cleanup,
  courseImages,
  docker,
  enqueue,
  photoFiles,
  RUN_ID,
  SLOW_PIPELINE,
  testStack,
  waitFinished,
} from '../support.ts';

const GRACE_MS = 15_000;
let stack: Stack | undefined;

let scenario:
  | Promise<{
      results: Awaited<ReturnType<typeof scaleDown>>;
      victim: string;
      recovered: number;
      lost: string[];
      done: number;
      total: number;
      dead: string[];
      exists: boolean;
    }>
  | undefined;

/** Two busy workers; the student's scaleDown takes one away; the run finishes. Once. */
function run() {
  scenario ??= (async () => {
    await courseImages();
    stack = testStack('ex0604', { gracePeriodMs: GRACE_MS });
    await stack.up({ workers: 2 });
    const url = await stack.redisUrl();
    const queue = new ReliableTaskQueue({ url, name: stack.queue });
    const inspector = new QueueInspector({ url, name: stack.queue });
    try {
      const inputs = await stack.putInputs(
        photoFiles(['rocket.jpg', 'coffee.png', 'chelsea.png', 'astronaut.png']),
      );
      const ids = await enqueue(queue, inputs, SLOW_PIPELINE, 'ex4-');
      const workers = await stack.workers();
      const victim = workers.at(-1)!.name;
      await waitFor(async () => (await queue.leases()).some((l) => l.owner === victim), {
        timeoutMs: 60_000,
        intervalMs: 50,
        message: `${victim} to take a task`,
      });
      const results = await scaleDown(docker, [victim], { stopTimeoutS: GRACE_MS / 1000 + 5 });
      const exists = await stillThere(victim);
      await waitFinished(queue, ids.length, 120_000);
      const { done, lost } = await accounting(queue, ids);
      const dead = (await inspector.workers()).filter((w) => !w.alive).map((w) => w.id);
      return {
        results,
        victim,
        recovered: (await queue.counts()).recovered,
        lost,
        done: done.length,
        total: ids.length,
        dead,
        exists,
      };
    } finally {
      await inspector.close();
      await queue.close();
    }
  })();
  return scenario;
}

/** Whether the engine still knows the container. */
function stillThere(name: string): Promise<boolean> {
  return docker
    .getContainer(name)
    .inspect()
    .then(
      () => true,
      (error) => (isGone(error) ? false : Promise.reject(error)),
    );
}

afterAll(async () => {
  await stack?.down();
  await cleanup();
}, 60_000);

describe('06.4 a scale-down that drains instead of killing', () => {
  it('the worker taken away exits 0 (graceful), not 137 (killed), and is removed', async () => {
    const { results, victim, exists } = await run();
    expect(results, '🚨 one result per name').toHaveLength(1);
    expect(results[0]?.name).toBe(victim);
    expect(
      results[0]?.exitCode,
      '🚨 docker stop lets the worker drain and exit 0; a kill gives 137',
    ).toBe(0);
    expect(
      exists,
      '🚨 the container must be removed after it stopped (container.remove()), or the stack keeps counting it',
    ).toBe(false);
  }, 300_000);

  it('no lease expires and nothing is recovered: every task is done', async () => {
    const { recovered, lost, done, total } = await run();
    expect(
      recovered,
      '🚨 a drained worker finishes or hands back its task; nothing is left to recover',
    ).toBe(0);
    expect(lost).toEqual([]);
    expect(done).toBe(total);
  }, 300_000);

  it('a worker that is already stopped is waited for and removed (the engine answers 304: not an error)', async () => {
    await courseImages();
    // A container that already exited 0 (like a worker that drained, or was stopped by someone
    // else first): its own, so this test does not wait for the stack of the tests above.
    const name = `${RUN_ID}-exited`;
    const container = await docker.createContainer({
      name,
      Image: NODE_BASE_IMAGE,
      Cmd: ['true'],
      Labels: { [RUN_LABEL]: RUN_ID },
      Tty: false,
    });
    await container.start();
    await container.wait();
    const outcome = await scaleDown(docker, [name], { stopTimeoutS: 1 }).then(
      (r) => `exit ${r[0]?.exitCode}`,
      (error: { statusCode?: number; message?: string }) =>
        `threw ${error.statusCode ?? ''} ${String(error.message).slice(0, 120)}`,
    );
    expect(
      outcome,
      `🚨 ${name} was already stopped: docker stop answers 304 (not modified), which is not an error: wait for it and remove it`,
    ).toBe('exit 0');
    expect(await stillThere(name), '🚨 the already stopped container must be removed too').toBe(
      false,
    );
  }, 120_000);

  it('the worker deregisters instead of being reported dead', async () => {
    const { dead, victim } = await run();
    expect(dead, `🚨 ${victim} must leave the registry on SIGTERM, not die in it`).not.toContain(
      victim,
    );
  }, 300_000);

  it('stopTimeoutS is how long docker stop waits: a container deaf to SIGTERM is killed after it (137)', async () => {
    await courseImages();
    const name = `${RUN_ID}-deaf`;
    // `sleep` as PID 1 has no SIGTERM handler, so the kernel drops the signal: only SIGKILL ends
    // it. Its own StopTimeout is 300 s: a docker stop without `t` would wait that long.
    const container = await docker.createContainer({
      name,
      Image: NODE_BASE_IMAGE,
      Cmd: ['sleep', '600'],
      StopTimeout: 300,
      Labels: { [RUN_LABEL]: RUN_ID },
      Tty: false,
    });
    await container.start();
    const stopping = scaleDown(docker, [name], { stopTimeoutS: 1 }).then((r) => r[0]);
    stopping.catch(() => undefined); // still pending when the bound below gives up
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'still stopping'>((resolve) => {
      timer = setTimeout(() => resolve('still stopping'), 20_000);
    });
    const outcome = await Promise.race([stopping, bound]).finally(() => clearTimeout(timer));
    expect(
      outcome,
      `🚨 scaleDown(docker, ['${name}'], { stopTimeoutS: 1 }) of a container that ignores SIGTERM was still running after 20 s: pass { t: stopTimeoutS } to container.stop(), or docker stop waits the container's own StopTimeout (300 s here) before its SIGKILL`,
    ).not.toBe('still stopping');
    expect(
      outcome,
      '🚨 after stopTimeoutS the engine SIGKILLs the container: report its real exit code (137), read from container.wait()',
    ).toEqual({ name, exitCode: 137 });
  }, 120_000);
});
