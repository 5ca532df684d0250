import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  compareImages,
  fixturePhotos,
  makeImage,
  pixels,
  startRedis,
  uniqueName,
  waitFor,
} from '../src/testkit/index.ts';

describe('startRedis', () => {
  it('starts a private server on a free port, never 6379, and stops it', async () => {
    const redis = await startRedis();
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url);
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();
    await redis[Symbol.asyncDispose]();
    const probe = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });

  it('keeps data across a crash when persistence is on', async () => {
    await using redis = await startRedis({ persistence: true });
    const client = new Redis(redis.url, { lazyConnect: true });
    await client.connect();
    await client.rpush('list', 'a', 'b');
    client.disconnect();
    await redis.kill();
    await redis.start();
    const again = new Redis(redis.url);
    expect(await again.lrange('list', 0, -1)).toEqual(['a', 'b']);
    again.disconnect();
  });

  it('loses data on restart without persistence', async () => {
    await using redis = await startRedis();
    const client = new Redis(redis.url);
    await client.set('k', 'v');
    client.disconnect();
    await redis.restart();
    const again = new Redis(redis.url);
    expect(await again.get('k')).toBeNull();
    again.disconnect();
  });
});

describe('helpers', () => {
  it('uniqueName never repeats', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('q')));
    expect(names.size).toBe(100);
  });

  it('waitFor returns the value and times out with the message', async () => {
    let n = 0;
    expect(await waitFor(() => ++n >= 3 && n)).toBe(3);
    await expect(waitFor(() => false, { timeoutMs: 50, message: 'never' })).rejects.toThrow(
      'never within 50 ms',
    );
  });

  it('makeImage is deterministic and compareImages sees differences', async () => {
    const a = await makeImage({ fill: 'noise', seed: 7 });
    const b = await makeImage({ fill: 'noise', seed: 7 });
    const c = await makeImage({ fill: 'noise', seed: 8 });
    expect((await compareImages(a, b)).maxDiff).toBe(0);
    expect((await compareImages(a, c)).meanAbsDiff).toBeGreaterThan(40);
    const p = await pixels(a);
    expect([p.width, p.height, p.channels]).toEqual([64, 64, 3]);
  });

  it('finds the fixture photos', () => {
    expect(fixturePhotos().length).toBeGreaterThanOrEqual(10);
  });
});
