/**
 * The final system's HTTP API: accepted submissions per second with p50/p99 latency under a
 * fixed concurrency (autocannon), and end-to-end images per second through the API against
 * the same photos enqueued directly (the library under `imgq enqueue`), same workers.
 *
 * 1. Acceptance: autocannon POSTs one small PNG with a pipeline to /v1/jobs, `--connections`
 *    (default 10) at a time for `--seconds` (default 10); no workers run, so this is the cost
 *    of the door (multipart, session 01's safe input, storage, Redis), not of image work.
 * 2. End to end: the course photos × `--copies` (default 3) through POST /v1/jobs in requests
 *    of one photo each (`--connections` at a time), processed by 2 worker processes, from the
 *    first request to the last result; then the same photos written to the storage and
 *    enqueued directly with enqueueMany, the same 2 workers. Goal: API path >= 0.9x direct.
 * Writes .bench/api.json.
 *
 *   pnpm bench api [--seconds 10] [--connections 10] [--copies 3]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ImgqClient, parseApiKeys, type RunningSystem, startSystem } from '@workbook/session10';
import { fixturePhotos, makeImage, uniqueName } from '@workbook/tools/testkit';
import { argValue, formatTable, type Measurement, withBenchRedis, writeBenchJson } from './kit.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const seconds = Number(argValue('--seconds') ?? 10);
const connections = Number(argValue('--connections') ?? 10);
const copies = Number(argValue('--copies') ?? 3);
const KEY = `bench-${randomUUID()}`;
const SPEC = { steps: [{ name: 'resize', params: { width: 320 } }], output: { format: 'webp' } };

function multipartBody(image: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----bench${randomUUID()}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="pipeline"\r\n\r\n${JSON.stringify(SPEC)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="small.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    image,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function withSystem<T>(
  redisUrl: string,
  workers: number,
  fn: (system: RunningSystem) => Promise<T>,
): Promise<T> {
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'imgq-bench-api-'));
  const system = await startSystem({
    redisUrl,
    queue: uniqueName('bench-api'),
    storageDir,
    apiKeys: parseApiKeys(`bench:${KEY}:admin`),
    workers,
    config: { rateLimit: { max: 10_000_000, windowMs: 60_000 }, logLevel: 'error' },
  });
  try {
    if (workers > 0) {
      const deadline = Date.now() + 30_000;
      while (system.driver.replicas().filter((r) => r.state === 'ready').length < workers) {
        if (Date.now() > deadline) throw new Error('workers did not become ready within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return await fn(system);
  } finally {
    await system.stop();
    rmSync(storageDir, { recursive: true, force: true });
  }
}

async function waitDone(system: RunningSystem, total: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const c = await system.api.context.inspector.counts();
    if (c.completed + c.dlq >= total) return;
    if (Date.now() > deadline)
      throw new Error(`only ${c.completed + c.dlq} of ${total} done in 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function row(name: string, ms: number, images: number): Measurement {
  return {
    name,
    iterations: 1,
    unit: 'images',
    unitsPerIteration: images,
    totalMs: ms,
    meanMs: ms,
    medianMs: ms,
    p95Ms: ms,
    minMs: ms,
    maxMs: ms,
    perSecond: images / (ms / 1000),
    peakRssBytes: process.memoryUsage().rss,
  };
}

await withBenchRedis(async (redis) => {
  // ---- 1. acceptance ------------------------------------------------------------------------
  const small = await makeImage({ width: 64, height: 48, format: 'png' });
  const { body, contentType } = multipartBody(small);
  const acceptance = await withSystem(redis.url, 0, async (system) => {
    await autocannon({
      url: `${system.url}/v1/jobs`,
      method: 'POST',
      connections,
      duration: 1,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': contentType },
      body,
    });
    return autocannon({
      url: `${system.url}/v1/jobs`,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': contentType },
      body,
    });
  });
  console.log(
    `POST /v1/jobs, one ${small.length}-byte PNG per request, ${connections} connections, ${seconds} s (autocannon)`,
  );
  console.log('');
  console.log('  accepted/s   p50 ms   p99 ms   mean ms   non-2xx   errors');
  console.log(
    `  ${acceptance.requests.average.toFixed(0).padStart(10)}   ${String(acceptance.latency.p50).padStart(6)}   ${String(acceptance.latency.p99).padStart(6)}   ${acceptance.latency.average.toFixed(1).padStart(7)}   ${String(acceptance.non2xx).padStart(7)}   ${String(acceptance.errors).padStart(6)}`,
  );
  console.log('');

  // ---- 2. end to end --------------------------------------------------------------------------
  const photos = fixturePhotos().flatMap((p) =>
    Array.from({ length: copies }, (_, i) => ({
      name: `${i}-${path.basename(p)}`,
      data: readFileSync(p),
    })),
  );
  const viaApi = await withSystem(redis.url, 2, async (system) => {
    const client = new ImgqClient(system.url, KEY);
    const started = performance.now();
    const queue = [...photos];
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let photo = queue.shift(); photo; photo = queue.shift())
          await client.submit([photo], SPEC);
      }),
    );
    await waitDone(system, photos.length);
    return performance.now() - started;
  });
  const direct = await withSystem(redis.url, 2, async (system) => {
    const { storage, queue } = system.api.context;
    const started = performance.now();
    const tasks = photos.map((photo) => {
      const id = randomUUID();
      const input = storage.uploadName(id, path.extname(photo.name) === '.png' ? 'png' : 'jpeg');
      writeFileSync(storage.uploadPath(input), photo.data);
      return {
        id,
        pipeline: SPEC as {
          steps: Array<{ name: string; params: { width: number } }>;
          output: { format: 'webp' };
        },
        input,
        output: storage.resultName(id, 'webp'),
      };
    });
    await queue.enqueueMany(tasks);
    await waitDone(system, photos.length);
    return performance.now() - started;
  });
  const rows = [
    row('direct (enqueueMany, as imgq)', direct, photos.length),
    row('through the API', viaApi, photos.length),
  ];
  console.log(
    formatTable(rows, {
      baseline: rows[0]!.name,
      title: `End to end: ${photos.length} photos (${fixturePhotos().length} × ${copies}), resize 320 → webp, 2 worker processes`,
    }),
  );
  const ratioApi = rows[1]!.perSecond / rows[0]!.perSecond;
  console.log('');
  console.log(
    `API path / direct: ${ratioApi.toFixed(2)}× (goal >= 0.90×) ${ratioApi >= 0.9 ? 'met' : 'NOT met'}`,
  );
  const file = writeBenchJson('api', {
    acceptance: {
      connections,
      seconds,
      imageBytes: small.length,
      acceptedPerSecond: acceptance.requests.average,
      total: acceptance.requests.total,
      p50Ms: acceptance.latency.p50,
      p99Ms: acceptance.latency.p99,
      non2xx: acceptance.non2xx,
      errors: acceptance.errors,
    },
    endToEnd: { photos: photos.length, rows, ratio: ratioApi },
  });
  console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
});
