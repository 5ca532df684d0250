/**
 * End to end: the API, two real worker processes and the shared storage; the photos go in over
 * HTTP while a worker is SIGKILLed mid-task. Every job ends done (its result downloadable
 * through the API) or in the DLQ with its code; nothing is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  fixture,
  fixturePhotos,
  type RedisServerHandle,
  testRedis,
  uniqueName,
} from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostileFiles,
  ImgqClient,
  parseApiKeys,
  type RunningSystem,
  runWorkload,
  startSystem,
  workerFailures,
} from '../src/index.ts';

const ADMIN = 'e2e-admin-key-0123456789';
let redis: RedisServerHandle;
let storage: string;
let system: RunningSystem;

beforeAll(async () => {
  redis = await testRedis();
  storage = mkdtempSync(path.join(os.tmpdir(), 'imgq-e2e-'));
  system = await startSystem({
    redisUrl: redis.url,
    queue: uniqueName('e2e'),
    storageDir: storage,
    apiKeys: parseApiKeys(`ops:${ADMIN}:admin`),
    workers: 2,
    leaseMs: 1_500,
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await redis?.stop();
  if (storage) rmSync(storage, { recursive: true, force: true });
}, 60_000);

describe('the final system end to end', () => {
  it('photos over HTTP, a worker SIGKILLed: every job done or in the DLQ with its code, nothing lost', async () => {
    const accounting = await runWorkload({
      system,
      client: new ImgqClient(system.url, ADMIN),
      photos: fixturePhotos(),
      pipelines: {
        thumb: { steps: [{ name: 'resize', params: { width: 120 } }], output: { format: 'webp' } },
        gray: {
          steps: [{ name: 'resize', params: { width: 200 } }, { name: 'grayscale' }],
          output: { format: 'png' },
        },
      },
      failures: workerFailures(fixture('photos/rocket.jpg')),
      hostile: (await hostileFiles()).slice(0, 3),
      killAt: 0.1,
      timeoutMs: 100_000,
    });
    const photos = fixturePhotos().length;
    expect(accounting.killed, '🚨 a worker holding a task was SIGKILLed').not.toBeNull();
    expect(accounting.lost, '🚨 nothing lost').toEqual([]);
    expect(accounting.unexpected, '🚨 every failure ended with its expected code').toEqual([]);
    expect(accounting.accepted).toBe(photos * 2 + 2);
    expect(accounting.done, '🚨 every photo done').toBe(photos * 2);
    expect(accounting.downloaded, '🚨 every result downloadable through the API').toBe(photos * 2);
    expect(accounting.dlq).toEqual({
      ERR_IMAGE_CORRUPT: ['damaged-scan.jpg'],
      ERR_INVALID_OPTION: ['crop-outside-rocket.jpg'],
    });
    expect(Object.values(accounting.refused).flat()).toHaveLength(3);
    const counts = await system.api.context.inspector.counts();
    expect(
      counts.completed + counts.dlq,
      '🚨 the queue agrees: nothing pending, processing or delayed',
    ).toBe(photos * 2 + 2);
  }, 150_000);
});
