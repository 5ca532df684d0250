/** Workers join the registry and heartbeat; one goes silent and is reported dead; one leaves cleanly. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoRedis } from '@workbook/session04/testing';
import { ReliableTaskQueue, type WorkerInfo, WorkerRegistry } from '@workbook/session05';
import { demoOutDir, done, runMain, step, table, title } from '@workbook/tools/demo-kit';
import chalk from 'chalk';

/** Short, so the demo takes seconds; workers default to a 2 s TTL with a beat every 0.5 s. */
const TTL_MS = 1_500;
const BEAT_MS = 300;

await runMain(async () => {
  title('Session 05 · The worker registry: heartbeats with a TTL, and a worker that goes silent');
  const redis = await demoRedis();
  const out = demoOutDir(import.meta.url);
  const name = `demo-registry-${process.pid}`;
  const registry = new WorkerRegistry({ url: redis.url, name, heartbeatTtlMs: TTL_MS });
  const queue = new ReliableTaskQueue({ url: redis.url, name });
  const beating = new Map<string, NodeJS.Timeout>();
  const started = Date.now();
  const clock = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(4)}s`;

  /** A worker, simulated by its heartbeat loop: the registry only ever sees the beats. */
  const join = async (id: string, concurrency: number) => {
    await registry.register({ id, concurrency });
    let processed = 0;
    beating.set(
      id,
      setInterval(() => {
        processed += concurrency;
        void registry.heartbeat(id, { status: 'busy', processed, failed: 0, current: [] });
      }, BEAT_MS),
    );
  };
  const silence = (id: string) => {
    clearInterval(beating.get(id));
    beating.delete(id);
  };

  try {
    step(
      `Three workers join and send a heartbeat every ${BEAT_MS} ms: SET worker:<id>:alive PX ${TTL_MS}`,
    );
    for (const [id, concurrency] of [
      ['worker-a', 2],
      ['worker-b', 2],
      ['worker-c', 4],
    ] as const) {
      await join(id, concurrency);
    }
    await sleep(700);
    table((await registry.list()).map(row));

    step(
      'worker-c freezes (a hung event loop, a paused VM, a SIGKILL): its heartbeats stop. ' +
        'Nobody tells the registry; its key just expires.',
    );
    silence('worker-c');
    const silentSince = Date.now();
    let dead: WorkerInfo | undefined;
    while (!dead) {
      await sleep(400);
      const workers = await registry.list();
      console.log(`  ${chalk.dim(clock())}  ${workers.map(brief).join('   ')}`);
      dead = workers.find((w) => w.id === 'worker-c' && !w.alive);
    }
    done(
      `worker-c reported dead ${((Date.now() - silentSince) / 1000).toFixed(1)} s after its beats ` +
        `stopped (TTL ${TTL_MS / 1000} s); worker-a and worker-b still alive`,
    );

    step('A recovery pass (every worker runs one each 0.5 s) notices the dead worker');
    const report = await queue.recover();
    done(
      `recover(): reaped ${report.reapedWorkers.join(', ') || 'nobody'} — any task it held would ` +
        'go back to pending now, even before its lease ran out',
    );

    step('worker-b shuts down cleanly (deregisters); worker-d joins');
    silence('worker-b');
    await registry.deregister('worker-b');
    await join('worker-d', 1);
    await sleep(700);
    const final = await registry.list();
    table(final.map(row));
    done('worker-b is simply gone (not dead): a clean exit leaves nothing for recovery to do');

    const file = path.join(out, 'registry.json');
    writeFileSync(file, `${JSON.stringify(final, null, 2)}\n`);
    console.log(chalk.dim(`Registry written to ${path.relative(process.cwd(), file)}`));
  } finally {
    for (const id of [...beating.keys()]) silence(id);
    await queue.close();
    await registry.close();
    await redis.stop();
  }
});

function row(w: WorkerInfo): Record<string, string | number> {
  return {
    worker: w.id,
    state: w.alive ? 'alive' : 'DEAD',
    'last heartbeat': `${(w.silentForMs / 1000).toFixed(1)} s ago`,
    pid: w.pid,
    concurrency: w.concurrency,
    processed: w.processed,
  };
}

function brief(w: WorkerInfo): string {
  const silent = `${(w.silentForMs / 1000).toFixed(1)}s`;
  return w.alive
    ? `${chalk.green('●')} ${w.id} ${chalk.dim(silent)}`
    : `${chalk.red('✖')} ${chalk.red(`${w.id} dead`)} ${chalk.dim(`silent ${silent}`)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
