/**
 * createWorkerProcess in this process, on a private redis-server: the handle's lifecycle and
 * health (what /healthz and /readyz answer), and a corrupt image (a PNG whose CRC is wrong)
 * dead-lettered as ERR_IMAGE_CORRUPT on its first attempt.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  makeImage,
  type RedisServerHandle,
  testRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkerProcess,
  loadWorkerConfig,
  startHealthServer,
  type WorkerConfig,
} from '../src/index.ts';

let redis: RedisServerHandle;
let scratch: string;
beforeAll(async () => {
  redis = await testRedis();
  scratch = mkdtempSync(path.join(tmpdir(), 'workbook-worker-process-'));
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
  rmSync(scratch, { recursive: true, force: true });
});

function config(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    ...loadWorkerConfig({}, {}, false),
    redisUrl: redis.url,
    queue: uniqueName('proc'),
    workerId: uniqueName('w'),
    // Margins no stall of a loaded machine reaches: a late heartbeat must not turn a healthy
    // worker dead (the test about a blocked loop sets its own TTL).
    leaseMs: 10_000,
    heartbeatIntervalMs: 50,
    heartbeatTtlMs: 5_000,
    recoveryIntervalMs: 100,
    gracePeriodMs: 2_000,
    logLevel: 'silent',
    ...overrides,
  };
}

/**
 * A small PNG whose image data is intact but whose IDAT checksum (CRC) is wrong: the header
 * check passes, and only the decoder notices — a corrupt file as a user meets one.
 */
async function pngWithBadCrc(): Promise<Buffer> {
  const png = Buffer.from(await makeImage({ width: 64, height: 48, format: 'png' }));
  const idat = png.indexOf('IDAT');
  expect(idat, 'the generated PNG has an IDAT chunk').toBeGreaterThan(0);
  const crcAt = idat + 4 + png.readUInt32BE(idat - 4);
  png.writeUInt32BE((png.readUInt32BE(crcAt) ^ 0xdeadbeef) >>> 0, crcAt);
  return png;
}

describe('createWorkerProcess', () => {
  it('health follows the lifecycle: created, running (alive and ready), stopped', async () => {
    const proc = createWorkerProcess(config());
    expect(proc.health()).toMatchObject({ status: 'created', ready: false });
    await proc.start();
    await proc.ready();
    const running = await waitFor(() => {
      const health = proc.health();
      return health.ready ? health : null;
    });
    expect(running).toMatchObject({ alive: true, status: 'running', reasons: [] });
    expect((await proc.inspector.workers()).map((w) => w.id)).toEqual([proc.config.workerId]);

    const server = await startHealthServer(() => proc.health(), { port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(404);

      const report = await proc.stop();
      expect(report.drained).toBe(true);
      expect(proc.health()).toMatchObject({ status: 'stopped', alive: false, ready: false });
      expect((await fetch(`${base}/healthz`)).status).toBe(503);
      const readyz = await fetch(`${base}/readyz`);
      expect(readyz.status).toBe(503);
      expect(((await readyz.json()) as { reasons: string[] }).reasons).toContain(
        'worker is stopped',
      );
    } finally {
      await server.close();
    }
    expect(await proc.stop(), 'stop() is idempotent').toBeDefined();
  });

  it('is not alive while a task blocks the event loop longer than a heartbeat TTL', async () => {
    // Blocked 1.5 s against a 1 s TTL: dead for sure; alive again needs 2 s without a 1 s
    // stall, which a loaded machine still gives (a 100 ms TTL did not, reliably).
    const proc = createWorkerProcess(config({ heartbeatTtlMs: 1_000 }));
    await proc.start();
    try {
      await waitFor(() => proc.health().ready);
      const end = Date.now() + 1_500;
      while (Date.now() < end) {
        // What a synchronous, CPU-bound task does to everything else in the process.
      }
      const health = proc.health();
      expect(health.alive).toBe(false);
      expect(health.reasons.join(' ')).toMatch(/event loop blocked for \d+ ms/);
      await waitFor(() => proc.health().alive, {
        timeoutMs: 10_000,
        message: 'alive again once the loop is free',
      });
    } finally {
      await proc.stop();
    }
  });

  it('a start against an unreachable Redis rejects with ERR_REDIS_UNAVAILABLE and stops', async () => {
    const proc = createWorkerProcess(config({ redisUrl: 'redis://127.0.0.1:1' }));
    await expect(proc.start()).rejects.toMatchObject({ code: 'ERR_REDIS_UNAVAILABLE' });
    expect(proc.health().status).toBe('stopped');
  }, 15_000);

  it('a PNG with a bad CRC goes to the DLQ as ERR_IMAGE_CORRUPT after one attempt', async () => {
    const input = path.join(scratch, 'in');
    const output = path.join(scratch, 'out');
    mkdirSync(input, { recursive: true });
    mkdirSync(output, { recursive: true });
    writeFileSync(path.join(input, 'bad-crc.png'), await pngWithBadCrc());
    const proc = createWorkerProcess(config({ inputRoot: input, outputRoot: output }));
    await proc.start();
    try {
      await proc.queue.enqueue({
        pipeline: { steps: [{ name: 'grayscale' }], output: { format: 'webp' } },
        input: path.join(input, 'bad-crc.png'),
        output: path.join(output, 'bad-crc.webp'),
      });
      const page = await waitFor(
        async () => {
          const dlq = await proc.inspector.deadLetters();
          return dlq.total === 1 ? dlq : null;
        },
        { timeoutMs: 15_000, message: 'the corrupt image never reached the DLQ' },
      );
      expect(page.entries[0]).toMatchObject({
        reason: 'non-retryable',
        attempts: 1,
        error: { code: 'ERR_IMAGE_CORRUPT' },
      });
      expect((await proc.inspector.counts()).retried, 'no retry of a corrupt image').toBe(0);
    } finally {
      await proc.stop();
    }
  });
});
