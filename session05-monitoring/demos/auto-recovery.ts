/** Retries with YOUR backoff, a corrupt image to the DLQ, a crashed worker found dead and its task taken back by YOUR recovery script, then YOUR graceful shutdown (05.1-05.4). */
import { EventEmitter } from 'node:events';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createImageProcessor, type TaskProcessor } from '@workbook/session03';
import { demoRedis } from '@workbook/session04/testing';
import {
  type BackoffOptions,
  backoffRange,
  ReliableTaskQueue,
  ReliableWorker,
} from '@workbook/session05';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { Redis } from 'ioredis';
import {
  computeBackoff,
  fallback,
  findDeadWorkers,
  installGracefulShutdown,
  isTodo,
  type Piece,
  piece,
  printPieces,
  probeOffline,
  recoverExpired,
  sendHeartbeat,
} from './support/exercise-pieces.ts';

const BACKOFF: BackoffOptions = { baseMs: 400, factor: 2, maxMs: 5_000, jitter: 'equal' };
const PIPELINE = {
  steps: [{ name: 'resize', params: { width: 320 } }, { name: 'sepia' }],
  output: { format: 'jpeg' as const, quality: 85 },
};

await runMain(async () => {
  title('Session 05 · Retries with backoff, the dead letter queue, and a stuck task taken back');
  const redis = await demoRedis();
  const out = demoOutDir(import.meta.url);
  rmSync(out, { recursive: true, force: true });
  const inDir = path.join(out, 'in');
  mkdirSync(inDir, { recursive: true });
  copyFileSync(fixture('photos/coffee.png'), path.join(inDir, 'coffee.png'));
  copyFileSync(fixture('photos/rocket.jpg'), path.join(inDir, 'rocket.jpg'));
  copyFileSync(fixture('hostile/truncated.jpg'), path.join(inDir, 'truncated.jpg'));
  const name = `demo-recovery-${process.pid}`;
  const started = Date.now();
  const clock = () => chalk.dim(`${((Date.now() - started) / 1000).toFixed(2).padStart(5)}s`);
  const raw = new Redis(redis.url);
  const pieces = probeOffline();

  // A 1 s lease (default 2 s) so the stuck task comes back quickly.
  const queue = new ReliableTaskQueue({
    url: redis.url,
    name,
    owner: 'worker-1',
    leaseMs: 1_000,
    maxAttempts: 4,
    backoff: BACKOFF,
    // Exercise 05.2: the retry delays come from your computeBackoff once it is solved.
    ...(pieces.backoff.ours ? { computeDelay: computeBackoff } : {}),
  });
  const images = createImageProcessor({ inputRoot: inDir, outputRoot: path.join(out, 'images') });
  // coffee.png sits on a "flaky network share": its first two reads fail.
  const processor: TaskProcessor = async (task, context) => {
    if (task.input === 'coffee.png' && task.attempts < 3) {
      throw Object.assign(new Error('the network share did not answer in time'), {
        code: 'ERR_SHARE_TIMEOUT',
      });
    }
    return images(task, context);
  };
  const worker = new ReliableWorker({
    queue,
    processor,
    heartbeatIntervalMs: 250,
    // With your recovery script (05.3) running every 250 ms below, the worker's own pass runs
    // rarely: it still promotes due retries and reaps dead workers, but yours takes back the
    // expired lease first. (Both at once is safe: that is what the one Lua script is for.)
    recoveryIntervalMs: pieces.recovery.ours ? 5_000 : 250,
  });
  const crashed = new ReliableTaskQueue({
    url: redis.url,
    name,
    owner: 'worker-crashed',
    leaseMs: 1_000,
  });

  queue.on('retried', ({ task, error, delayMs }) => {
    const { minMs, maxMs } = backoffRange(task.attempts, BACKOFF);
    console.log(
      `${clock()}  ${chalk.yellow('retry')}  ${task.input} attempt ${task.attempts} failed with ` +
        `${error.code}; next try in ${chalk.bold(`${delayMs} ms`)} ` +
        chalk.dim(`(equal jitter: ${minMs}-${maxMs} ms)`),
    );
  });
  queue.on('deadLettered', ({ task, error, reason }) => {
    console.log(
      `${clock()}  ${chalk.red('DLQ')}    ${task.input} attempt ${task.attempts}: ${error.code} ` +
        `(${reason}) — no retry can fix a corrupt file`,
    );
  });
  queue.on('recovered', (report) => {
    if (report.requeued.length === 0) return;
    console.log(
      `${clock()}  ${chalk.magenta('recover')} lease of ${report.requeued.length} task(s) expired ` +
        '(owner stopped extending it): back to the head of pending',
    );
  });
  worker.on('completed', ({ task, result }) => {
    console.log(
      `${clock()}  ${chalk.green('done')}   ${task.input} on attempt ${result.attempt} ` +
        `→ ${path.relative(process.cwd(), result.output!.path)}`,
    );
  });

  let watcher: NodeJS.Timeout | undefined;
  try {
    await queue.connect();
    // Exercise 05.1: the worker that will crash beats with your sendHeartbeat (TTL 1 s).
    let heartbeat: Piece;
    try {
      await sendHeartbeat(raw, queue.keys, 'worker-crashed', 1_000);
      await findDeadWorkers(raw, queue.keys);
      heartbeat = piece('05.1', 'sendHeartbeat + findDeadWorkers', true, 'worker-crashed beats');
    } catch (error) {
      heartbeat = fallback('05.1', 'sendHeartbeat + findDeadWorkers', error);
    }
    printPieces([heartbeat, pieces.backoff, pieces.recovery, pieces.shutdown]);
    let announcedDead = false;
    let recoveryBroken = false;
    const watch = async () => {
      if (heartbeat.ours && !announcedDead) {
        const dead = await findDeadWorkers(raw, queue.keys);
        if (dead.includes('worker-crashed')) {
          announcedDead = true;
          console.log(
            `${clock()}  ${chalk.red('dead')}   your findDeadWorkers: worker-crashed sent no heartbeat for 1 s`,
          );
        }
      }
      if (pieces.recovery.ours && !recoveryBroken) {
        try {
          const { requeued, deadLettered } = await recoverExpired(raw, queue.keys, {
            maxAttempts: 4,
          });
          if (requeued.length + deadLettered.length > 0) {
            console.log(
              `${clock()}  ${chalk.magenta('recover')} your recovery script: ${requeued.length} expired lease(s) back to the head of pending, ${deadLettered.length} to the DLQ`,
            );
          }
        } catch (error) {
          recoveryBroken = true;
          warn(
            `05.3 recovery script failed (${isTodo(error) ? 'not solved yet' : String(error)}): the worker's own recovery takes over`,
          );
        }
      }
    };
    watcher = setInterval(() => void watch().catch(() => {}), 250);
    step('The worker that will crash: takes rocket.jpg, then dies without a word');
    const [rocket] = await crashed.enqueueMany([
      { pipeline: PIPELINE, input: 'rocket.jpg', output: 'rocket.jpg' },
    ]);
    await crashed.dequeue();
    await crashed.close(); // no ack, no release, no more lease extensions: as after a SIGKILL
    console.log(
      `${clock()}  ${chalk.red('crash')}  worker-crashed held rocket.jpg with a 1 s lease`,
    );

    step(
      `Queueing coffee.png (flaky) and truncated.jpg (corrupt); worker-1 starts ` +
        `(backoff ${BACKOFF.baseMs} ms doubling, cap ${BACKOFF.maxMs} ms, equal jitter; max 4 attempts)`,
    );
    const [coffee, corrupt] = await queue.enqueueMany([
      { pipeline: PIPELINE, input: 'coffee.png', output: 'coffee.jpg' },
      { pipeline: PIPELINE, input: 'truncated.jpg', output: 'truncated-out.jpg' },
    ]);
    await worker.start();

    const ids = [coffee!.id, corrupt!.id, rocket!.id];
    const deadline = Date.now() + 20_000;
    while ((await Promise.all(ids.map((id) => queue.result(id)))).some((r) => r === null)) {
      if (Date.now() > deadline) throw new Error('The tasks did not finish within 20 s');
      await sleep(100);
    }
    await stopWithSignal(worker, pieces.shutdown.ours, clock);

    console.log();
    const results = await Promise.all(ids.map((id) => queue.result(id)));
    table(
      results.map((r, i) => ({
        task: ['coffee.png (flaky)', 'truncated.jpg (corrupt)', 'rocket.jpg (stuck)'][i]!,
        outcome: r!.status === 'completed' ? 'done' : 'DLQ',
        attempts: r!.attempt,
        by: r!.workerId,
        detail: r!.status === 'completed' ? path.basename(r!.output!.path) : r!.error!.code,
      })),
    );
    const page = await queue.dlqList();
    console.log();
    step(`The dead letter queue (imgq dlq list): ${page.total} entry`);
    for (const entry of page.entries) {
      console.log(
        `  ${entry.task.id}  ${chalk.red(entry.error.code)}  ${entry.reason}, ${entry.attempts} attempt, ` +
          `last worker ${entry.lastWorker}\n  ${chalk.dim(entry.error.message.slice(0, 110))}`,
      );
    }
    const ok =
      results[0]?.status === 'completed' &&
      results[0].attempt === 3 &&
      results[1]?.error?.code === 'ERR_IMAGE_CORRUPT' &&
      results[2]?.status === 'completed' &&
      results[2].attempt === 2;
    if (!ok) warn('Something did not go as described above: see the table.');
    else
      done(
        'Flaky: done on attempt 3 · corrupt: in the DLQ on attempt 1 · stuck: recovered and done',
      );
  } finally {
    clearInterval(watcher);
    await worker.stop();
    await queue.close();
    await crashed.close();
    raw.disconnect();
    await redis.stop();
  }
});

/**
 * Exercise 05.4: a SIGTERM (sent on a stand-in for `process`, so the demo lives on) stops the
 * worker through your installGracefulShutdown; without it, a plain `worker.stop()`.
 */
async function stopWithSignal(
  worker: ReliableWorker,
  yours: boolean,
  clock: () => string,
): Promise<void> {
  if (!yours) {
    await worker.stop();
    return;
  }
  const signals = new EventEmitter();
  const shutdown = installGracefulShutdown({
    stop: () => worker.stop(),
    exit: (code) =>
      console.log(`${clock()}  ${chalk.cyan('exit')}   your shutdown called exit(${code})`),
    signals,
  });
  console.log(
    `${clock()}  ${chalk.cyan('SIGTERM')} sent to worker-1 (your installGracefulShutdown)`,
  );
  signals.emit('SIGTERM', 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    shutdown.done,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), 15_000);
    }),
  ]);
  clearTimeout(timer);
  shutdown.uninstall();
  if (code === 'timeout') warn('05.4: done did not resolve within 15 s of the SIGTERM');
  else if (code !== 0) warn(`05.4: the graceful shutdown exited ${code}, not 0`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
