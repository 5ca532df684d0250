/** The whole system on one machine: Redis, the API with its live dashboard, worker processes sized by the autoscaler; photos and hostile files over HTTP, a worker SIGKILLed, every image accounted for. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoRedis } from '@workbook/session04/testing';
import {
  type ApiPieces,
  choosePieces,
  hostileFiles,
  ImgqClient,
  PIECE_EXERCISES,
  parseApiKeys,
  runWorkload,
  startSystem,
  workerFailures,
} from '@workbook/session10';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { fixture, fixturePhotos } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { problemFor, validateSubmission } from '#ex/01-problem-details/submission.ts';
import { idempotent } from '#ex/02-idempotency-key/idempotency.ts';
import { formatSse, queueEvent, workerEvents } from '#ex/03-sse-stream/sse.ts';
import { authorize } from '#ex/04-api-key-roles/roles.ts';

const PIPELINES = {
  thumb: {
    steps: [{ name: 'resize', params: { width: 160 } }],
    output: { format: 'webp' as const },
  },
  edges: {
    steps: [
      { name: 'resize', params: { width: 320 } },
      { name: 'grayscale' },
      { name: 'edge-sobel' },
    ],
    output: { format: 'png' as const },
  },
};

const once = process.argv.includes('--once') || !process.stdout.isTTY;

await runMain(async () => {
  title('Session 10 · The final system: API, dashboard, workers, autoscaler — one command');
  const chosen = await choosePieces({
    validateSubmission,
    problemFor,
    idempotent,
    formatSse,
    queueEvent,
    workerEvents,
    authorize,
  } satisfies ApiPieces);
  const yours = Object.entries(chosen.sources).map(([piece, source]) => {
    const id = PIECE_EXERCISES[piece as keyof ApiPieces];
    return source === 'exercise'
      ? chalk.green(`${id} ${piece}: yours`)
      : chalk.yellow(`${id} ${piece}: not solved yet, the reference runs`);
  });
  step(`Exercise pieces the API runs (#ex/...): ${yours.join(', ')}`);

  const redis = await demoRedis();
  const out = demoOutDir(import.meta.url);
  rmSync(out, { recursive: true, force: true });
  const storageDir = path.join(out, 'storage');
  mkdirSync(storageDir, { recursive: true });
  const adminKey = `demo-admin-${randomBytes(12).toString('hex')}`;
  const submitKey = `demo-submit-${randomBytes(12).toString('hex')}`;
  const queue = `final-${process.pid}`;
  const events: string[] = [];
  const system = await startSystem({
    redisUrl: redis.url,
    queue,
    storageDir,
    apiKeys: parseApiKeys(`ops:${adminKey}:admin,app:${submitKey}:submit+read`),
    port: Number(process.env.PORT ?? 0),
    autoscale: { min: 1, max: 3, timeScale: 20 },
    leaseMs: 2_000,
    pieces: chosen.pieces,
    onReplica: (e) => {
      if (e.kind !== 'started') events.push(`${e.replica} ${e.kind}`);
    },
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    step('Stopping: the autoscaler, the workers (SIGTERM: they drain), the API, Redis');
    await system.stop();
    await redis.stop();
  };
  try {
    step(
      `API on ${chalk.cyan(system.url)} (OpenAPI: ${system.url}/openapi.json, metrics: ${system.url}/metrics)`,
    );
    console.log(`  ${chalk.bold('Dashboard:')} ${chalk.cyan(`${system.url}/#key=${adminKey}`)}`);
    step(
      `Workers: session 05's imgq-worker processes, sized 1..3 by session 08's local autoscaler (time ×20), reading and writing ${path.relative(process.cwd(), storageDir)}/`,
    );

    const client = new ImgqClient(system.url, adminKey);
    const photos = fixturePhotos();
    const accounting = await runWorkload({
      system,
      client,
      photos,
      pipelines: PIPELINES,
      failures: workerFailures(fixture('photos/rocket.jpg')),
      hostile: await hostileFiles(),
      killAt: 0.3,
      timeoutMs: 90_000,
      onEvent: (text) =>
        console.log(chalk.dim(`  ${new Date().toTimeString().slice(0, 8)}  ${text}`)),
    });
    for (const line of events) console.log(chalk.dim(`  replica: ${line}`));

    console.log();
    title('Every image accounted for');
    table([
      {
        outcome: 'done',
        images: accounting.done,
        detail: `${accounting.downloaded} results downloaded through GET /v1/jobs/:id/result`,
      },
      ...Object.entries(accounting.dlq).map(([code, names]) => ({
        outcome: `DLQ ${code}`,
        images: names.length,
        detail: names.join(', '),
      })),
      ...Object.entries(accounting.refused).map(([code, names]) => ({
        outcome: `422 ${code}`,
        images: names.length,
        detail: `${names.join(', ')} (refused at the door, nothing queued)`,
      })),
      {
        outcome: 'lost',
        images: accounting.lost.length,
        detail: accounting.lost.join(', ') || 'none',
      },
    ]);
    if (accounting.killed) {
      done(
        `${accounting.killed.id} (pid ${accounting.killed.pid}) was SIGKILLed holding ${accounting.killed.held} task(s): recovered by the others, nothing lost.`,
      );
    } else {
      warn('The workload finished before a worker could be killed mid-task.');
    }
    writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(accounting, null, 2)}\n`);
    console.log(
      chalk.dim(
        `Summary written to ${path.relative(process.cwd(), path.join(out, 'summary.json'))}`,
      ),
    );
    if (
      accounting.lost.length > 0 ||
      accounting.unexpected.length > 0 ||
      accounting.downloaded !== accounting.done
    ) {
      throw new Error(
        `Accounting failed: ${[...accounting.lost.map((l) => `lost ${l}`), ...accounting.unexpected].join('; ') || 'a result could not be downloaded'}`,
      );
    }
    const dead = Object.values(accounting.dlq).reduce((n, names) => n + names.length, 0);
    const refused = Object.values(accounting.refused).reduce((n, names) => n + names.length, 0);
    done(
      chalk.bold(
        `${accounting.accepted} accepted: ${accounting.done} done, ${dead} in the DLQ with their codes, 0 lost; ${refused} hostile files refused with 422 (${(accounting.elapsedMs / 1000).toFixed(1)} s).`,
      ),
    );

    if (!once) {
      console.log();
      console.log(
        `  ${chalk.bold('Still running.')} Open ${chalk.cyan(`${system.url}/#key=${adminKey}`)}, drop images on it, retry the DLQ.`,
      );
      console.log(
        chalk.dim('  Ctrl-C stops everything gracefully (workers drain: nothing is lost).'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
  } finally {
    await stop();
  }
});
