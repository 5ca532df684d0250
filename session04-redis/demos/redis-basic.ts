/** One worker, 3 image tasks on Redis, printing the queue's keys at every step. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { PipelineSpec } from '@workbook/session02';
import { createImageProcessor } from '@workbook/session03';
import { createRedisWorker, queueKeys, RedisTaskQueue } from '@workbook/session04';
import { demoRedis } from '@workbook/session04/testing';
import { demoOutDir, done, runMain, step, table, title } from '@workbook/tools/demo-kit';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { Redis } from 'ioredis';

const PIPELINE: PipelineSpec = {
  steps: [{ name: 'resize', params: { width: 320 } }, { name: 'sepia' }],
  output: { format: 'webp', quality: 80 },
};
const PHOTOS = ['chelsea.png', 'coffee.png', 'rocket.jpg'];

await runMain(async () => {
  title('Session 04 · A task queue in Redis');
  const redis = await demoRedis();
  const name = `demo-basic-${randomUUID().slice(0, 8)}`;
  const keys = queueKeys(name);
  const queue = new RedisTaskQueue({ url: redis.url, name, resultTtlMs: 600_000 });
  const inspector = new Redis(redis.url);
  const out = demoOutDir(import.meta.url);
  try {
    await queue.connect();
    step(`Queue ${chalk.bold(name)}: every key starts with ${chalk.cyan(keys.base)}`);

    const tasks = await queue.enqueueMany(
      PHOTOS.map((photo) => ({
        pipeline: PIPELINE,
        input: fixture(`photos/${photo}`),
        output: path.join(out, photo.replace(/\.\w+$/, '.webp')),
      })),
    );
    const short = new Map(tasks.map((t, n) => [t.id, `task-${n + 1} (${t.id.slice(0, 8)})`]));
    await showKeys(inspector, keys, short, 'after enqueue: 3 ids in pending, a hash per task');

    const imageProcessor = createImageProcessor();
    let previous = '';
    const worker = createRedisWorker({
      queue,
      concurrency: 1,
      dequeueTimeoutMs: 200,
      // The image processor, plus a look at Redis while the worker holds the task.
      processor: async (task, context) => {
        const acked = previous
          ? `; ${previous} was acked: its id left processing, its result is stored`
          : '';
        await showKeys(
          inspector,
          keys,
          short,
          `${short.get(task.id)} is running: its id moved to processing${acked}`,
        );
        previous = short.get(task.id)!;
        return imageProcessor(task, context);
      },
    });
    const rows: Record<string, string | number>[] = [];
    let finished = 0;
    const allDone = new Promise<void>((resolve) => {
      worker.on('completed', ({ task, result }) => {
        rows.push({
          task: short.get(task.id)!,
          output: path.relative(process.cwd(), result.output!.path),
          size: `${result.output!.width}x${result.output!.height}`,
          ms: Math.round(result.durationMs),
        });
        if (++finished === tasks.length) resolve();
      });
      worker.on('failed', ({ result }) => {
        console.log(chalk.red(`  failed: ${result.error?.code} ${result.error?.message}`));
        if (++finished === tasks.length) resolve();
      });
    });
    await worker.start();
    await allDone;
    await worker.stop();
    await showKeys(
      inspector,
      keys,
      short,
      `all acked: the lists are empty (deleted), 3 results stored`,
    );

    const first = tasks[0]!.id;
    step('Retention: results and finished tasks expire, so Redis does not fill up');
    console.log(
      `  ${keys.result(first)}  TTL ${Math.round((await inspector.pttl(keys.result(first))) / 1000)} s\n` +
        `  ${keys.task(first)}    TTL ${Math.round((await inspector.pttl(keys.task(first))) / 1000)} s`,
    );
    console.log();
    table(rows);
    const stats = await queue.stats();
    done(
      `${stats.completed} tasks completed, ${stats.failed} failed; images in ${path.relative(process.cwd(), out)}/`,
    );
  } finally {
    if (redis.external) {
      // A Redis someone else owns: leave nothing of this demo behind.
      const leftovers = await inspector.keys(`${keys.base}:*`);
      if (leftovers.length > 0) await inspector.del(...leftovers);
    }
    inspector.disconnect();
    await queue.close();
    await redis.stop();
  }
});

/**
 * Prints every key of the queue with its type and content, the way `redis-cli` would show it
 * (task hashes: their `state` and `attempts` fields and the size of the task JSON).
 * Reads everything first and prints in one go, so lines never interleave.
 */
async function showKeys(
  redis: Redis,
  keys: ReturnType<typeof queueKeys>,
  short: Map<string, string>,
  caption: string,
): Promise<void> {
  const label = (id: string) => short.get(id) ?? id;
  const found = (await redis.keys(`${keys.base}:*`)).sort();
  const rows: Array<[string, string, string]> = [];
  for (const key of found) {
    const type = await redis.type(key);
    const shown = key.replace(/:(task|result):(.{8}).+$/, ':$1:$2…');
    let value: string;
    if (type === 'list') {
      value = `[${(await redis.lrange(key, 0, -1)).map(label).join(', ')}]`;
    } else if (type === 'hash' && key.includes(':task:')) {
      const hash = await redis.hgetall(key);
      value = `state=${hash.state} attempts=${hash.attempts}  data=${hash.data?.length ?? 0} bytes of JSON`;
    } else if (type === 'hash') {
      value = JSON.stringify(await redis.hgetall(key));
    } else {
      const text = (await redis.get(key)) ?? '';
      value = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    }
    rows.push([shown, type, value]);
  }
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = rows.map(
    ([key, type, value]) =>
      `  ${chalk.bold(key.padEnd(width))}  ${chalk.dim(type.padEnd(6))} ${value}`,
  );
  console.log(`\n${chalk.cyan('→')} ${caption}\n${lines.join('\n')}`);
}
