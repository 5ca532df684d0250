/**
 * The worker image on a real engine, in one stack (Redis + 3 workers): what the container
 * prints and who it runs as, then `docker stop` of a busy worker (exit 0 within the grace
 * period, nothing lost), `docker kill` of another mid-task (the others recover its tasks), and
 * hostile inputs (DLQ with codes, containers keep running). Order matters: one stack, in turn.
 */
import { ReliableTaskQueue } from '@workbook/session05';
import { demuxLogs, type Stack } from '@workbook/session06';
import { waitFor } from '@workbook/tools/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  accounting,
  cleanup,
  courseImages,
  docker,
  enqueue,
  execIn,
  hostileFiles,
  photoFiles,
  SLOW_PIPELINE,
  testStack,
  waitFinished,
} from './support.ts';

const GRACE_MS = 20_000;
const BIG = ['rocket.jpg', 'coffee.png', 'chelsea.png'];

let stack: Stack;
let queue: ReliableTaskQueue;
let inputs: string[];
const allIds: string[] = [];

/** Waits until `worker` holds a task (a lease in Redis) and returns its id. */
async function busy(worker: string): Promise<string> {
  return waitFor(async () => (await queue.leases()).find((l) => l.owner === worker)?.taskId, {
    timeoutMs: 90_000,
    intervalMs: 50,
    message: `${worker} to take a task`,
  });
}

let starting: Promise<void> | undefined;
/** The stack, started once for the whole file (each test awaits it: no engine → each fails). */
function ready(): Promise<void> {
  starting ??= (async () => {
    await courseImages();
    stack = testStack('workers', { gracePeriodMs: GRACE_MS, workerCpus: 1 });
    await stack.up({ workers: 3 });
    queue = new ReliableTaskQueue({ url: await stack.redisUrl(), name: stack.queue });
    inputs = await stack.putInputs(photoFiles(BIG));
  })();
  return starting;
}

afterAll(async () => {
  await queue?.close();
  await stack?.down();
  await cleanup();
}, 60_000);

describe('worker containers on a real engine', () => {
  it('run as uid 1000 with Node as PID 1, and print the libvips version at start-up', async () => {
    await ready();
    const [first] = await stack.workers();
    const container = docker.getContainer(first!.id);
    const pid1 = await execIn(container, [
      'node',
      '-e',
      "const s=require('fs').statSync('/proc/1');console.log(require('fs').readFileSync('/proc/1/cmdline','utf8').split('\\0').join(' ').trim(), s.uid)",
    ]);
    expect(pid1, '🚨 PID 1 must be node itself (exec-form CMD), run by uid 1000').toMatch(
      /^node bin\/imgq-worker\.mjs 1000$/,
    );
    const info = await container.inspect();
    expect(info.Config.User, '🚨 the image must run as the non-root user `node`').toBe('node');
    const logs = demuxLogs(
      (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer,
    );
    const library = logs.find((l) => l.text.includes('"image-library"'));
    expect(library?.text, '🚨 the worker must say which libvips it runs').toMatch(
      /"libvips":"\d+\.\d+/,
    );
    // The first test waits for the images (built if missing) and the stack: minutes under load.
  }, 300_000);

  it('docker stop of a busy worker: exit 0 within the grace period, its task finished or handed back', async () => {
    await ready();
    allIds.push(...(await enqueue(queue, inputs, SLOW_PIPELINE, 'stop-')));
    const [victim] = await stack.workers();
    const held = await busy(victim!.name);
    const result = await stack.stopWorker(victim!.name);
    expect(
      result.exitCode,
      '🚨 SIGTERM must end in a graceful stop (exit 0), not a SIGKILL (137)',
    ).toBe(0);
    expect(result.killed, '🚨 the worker must be done before docker stop gives up').toBe(false);
    const record = await queue.inspect(held);
    expect(
      ['completed', 'pending', 'processing'].includes(record!.state),
      `🚨 the task held at SIGTERM must be finished or handed back, it is ${record?.state}`,
    ).toBe(true);
    await stack.scale(3);
  }, 180_000);

  it('docker kill mid-task: the other workers recover its tasks, none is lost', async () => {
    await ready();
    allIds.push(...(await enqueue(queue, inputs, SLOW_PIPELINE, 'kill-')));
    const workers = await stack.workers();
    const victim = workers.find((w) => w.state === 'running')!;
    const held = await busy(victim.name);
    await stack.kill(victim.name);
    expect(await queue.result(held), 'the kill must land while the task is in flight').toBeNull();
    await waitFinished(queue, allIds.length, 180_000);
    const result = await queue.result(held);
    expect(
      result?.status,
      '🚨 the killed worker’s task must be recovered and done by another',
    ).toBe('completed');
    expect(result?.workerId, '🚨 another worker must have done it').not.toBe(victim.name);
    expect(result?.attempt, '🚨 the recovered task ran again (attempt 2)').toBeGreaterThanOrEqual(
      2,
    );
    const { done, dead, lost } = await accounting(queue, allIds);
    expect(lost, '🚨 every task must end done or in the DLQ').toEqual([]);
    expect(done.length + dead.size).toBe(allIds.length);
    expect(
      (await queue.counts()).recovered,
      '🚨 recovery must have taken the task back',
    ).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('hostile inputs end in the DLQ with their codes, and the containers keep running', async () => {
    await ready();
    const hostile = hostileFiles();
    const before = (await stack.workers()).filter((w) => w.state === 'running').map((w) => w.name);
    const paths = await stack.putInputs(hostile);
    const ids = await enqueue(queue, paths, SLOW_PIPELINE, 'hostile-');
    await waitFinished(queue, allIds.length + ids.length, 120_000);
    const { dead, lost } = await accounting(queue, ids);
    expect(lost).toEqual([]);
    expect(
      ids.map((id) => dead.get(id)),
      '🚨 each hostile file must be dead-lettered with the code that names its problem',
    ).toEqual(hostile.map((h) => h.code));
    const running = (await stack.workers()).filter((w) => w.state === 'running');
    expect(
      running.map((w) => w.name),
      '🚨 bad input must not crash a worker container',
    ).toEqual(before);
    for (const w of running) {
      const info = await docker.getContainer(w.id).inspect();
      expect(info.RestartCount, `🚨 ${w.name} must not have restarted`).toBe(0);
    }
  }, 180_000);
});
