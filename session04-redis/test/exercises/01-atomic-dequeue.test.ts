import { queueKeys } from '@workbook/session04';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reliableTake } from '#ex/01-atomic-dequeue/reliable-take.ts';
import { crashAfterFirstChange } from '../helpers/crash-after.ts';

let server: RedisServerHandle;
let redis: Redis;
const consumers: Redis[] = [];
beforeAll(async () => {
  server = await testRedis();
  redis = new Redis(server.url);
});
afterEach(() => {
  // Disconnecting also ends a BLMOVE that is still blocked (e.g. one with timeout 0).
  for (const consumer of consumers.splice(0)) consumer.disconnect();
});
afterAll(async () => {
  redis?.disconnect();
  await server?.[Symbol.asyncDispose]();
});

/**
 * A connection of its own for a take that may block: a blocked BLMOVE holds its connection
 * until it returns, so it must never be the shared one. Named, so Redis can tell us about it.
 */
function consumer(): { client: Redis; name: string } {
  const name = uniqueName('consumer');
  const client = new Redis(server.url, { connectionName: name });
  consumers.push(client);
  return { client, name };
}

/** The command the named connection is blocked in right now (`blmove`, ...), or `null`. */
async function blockedIn(name: string): Promise<string | null> {
  const list = (await redis.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  if (!line) return null;
  const flags = / flags=(\S+)/.exec(line)?.[1] ?? '';
  return flags.includes('b') ? (/ cmd=(\S+)/.exec(line)?.[1] ?? 'a blocking command') : null;
}

interface Watched<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

function watch<T>(promise: Promise<T>): Watched<T> {
  const state: Watched<T> = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Waits until the take has settled or its connection is blocked inside Redis. */
async function settledOrBlocked<T>(taken: Watched<T>, name: string): Promise<string | null> {
  return waitFor(
    async () => {
      if (taken.settled) return 'settled';
      return (await blockedIn(name)) ? 'blocked' : null;
    },
    { timeoutMs: 10_000, message: '🚨 reliableTake neither returned nor blocked in Redis' },
  );
}

describe('04.1 atomic dequeue', () => {
  it('moves the oldest id from pending to processing and returns it', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    await redis.lpush(keys.pending, 'a', 'b', 'c'); // a first, so a is the oldest
    expect(
      await reliableTake(redis, keys, 1_000),
      '🚨 take the OLDEST id: ids are LPUSHed, so the oldest is at the RIGHT end of pending',
    ).toBe('a');
    expect(
      await redis.lrange(keys.processing, 0, -1),
      '🚨 the id taken must now be in processing',
    ).toEqual(['a']);
    expect(await reliableTake(redis, keys, 1_000), '🚨 the next oldest id is b').toBe('b');
    expect(await redis.lrange(keys.pending, 0, -1), '🚨 only c is left in pending').toEqual(['c']);
    expect(
      await redis.lrange(keys.processing, 0, -1),
      '🚨 new ids go to the LEFT of processing',
    ).toEqual(['b', 'a']);
  });

  it('timeoutMs 0 returns null at once on an empty list, without blocking', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    const { client, name } = consumer();
    const taken = watch(reliableTake(client, keys, 0));
    const seen = await settledOrBlocked(taken, name);
    expect(
      seen,
      `🚨 reliableTake(…, 0) is blocked inside Redis (in ${await blockedIn(name)}): BLMOVE with timeout 0 blocks FOREVER. timeoutMs 0 means "do not wait": use the non-blocking LMOVE`,
    ).toBe('settled');
    expect(taken.error, '🚨 reliableTake(…, 0) must not throw on an empty list').toBeUndefined();
    expect(taken.value, '🚨 timeoutMs 0 on an empty pending list resolves null').toBeNull();
    await redis.lpush(keys.pending, 'x');
    expect(
      await reliableTake(client, keys, 0),
      '🚨 timeoutMs 0 still takes an id that is there',
    ).toBe('x');
    expect(
      await redis.lrange(keys.processing, 0, -1),
      '🚨 with timeoutMs 0 too, the id goes to processing',
    ).toEqual(['x']);
  });

  it('blocks in Redis while the list is empty, and takes an id pushed meanwhile', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    const { client, name } = consumer();
    const taken = watch(reliableTake(client, keys, 30_000));
    const seen = await settledOrBlocked(taken, name);
    expect(
      seen,
      `🚨 with timeoutMs 30000 and nothing pending, reliableTake must WAIT for an id (BLMOVE blocks); it ${taken.error ? `rejected (${String(taken.error)})` : `resolved ${JSON.stringify(taken.value)}`} at once. The timeout is in SECONDS for BLMOVE: timeoutMs / 1000`,
    ).toBe('blocked');
    await redis.lpush(keys.pending, 'late');
    const id = await waitFor(() => (taken.settled ? { value: taken.value } : null), {
      timeoutMs: 10_000,
      message: '🚨 an id was pushed while reliableTake was blocked: it must return it',
    });
    expect(id.value, '🚨 the blocked take must return the id pushed meanwhile').toBe('late');
    expect(await redis.lrange(keys.processing, 0, -1), '🚨 the id must be in processing').toEqual([
      'late',
    ]);
  });

  it('returns null once timeoutMs has passed with nothing pushed (timeout in seconds)', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    const { client } = consumer();
    const taken = watch(reliableTake(client, keys, 300));
    // Generous on purpose: 300 ms plus any delay of a loaded machine; 300 SECONDS (the unit
    // mistake) or timeout 0 (Math.floor(0.3) = 0: forever) never comes back.
    const outcome = await waitFor(() => (taken.settled ? taken : null), {
      timeoutMs: 5_000,
      message:
        '🚨 reliableTake(…, 300) was still waiting after 5 s: BLMOVE takes its timeout in SECONDS, decimals allowed (300 ms = 0.3, not 300 and not Math.floor to 0, which blocks forever)',
    });
    expect(outcome.error, '🚨 a take that times out must not throw').toBeUndefined();
    expect(outcome.value, '🚨 no id within the timeout: resolve null').toBeNull();
    expect(await redis.llen(keys.processing), '🚨 nothing was taken').toBe(0);
  });

  it('a worker that dies right after its first change loses nothing', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    await redis.lpush(keys.pending, 'older', 'precious');
    await reliableTake(redis, keys, 1_000); // takes 'older'; 'precious' is next
    const lists = async () =>
      JSON.stringify([
        await redis.lrange(keys.pending, 0, -1),
        await redis.lrange(keys.processing, 0, -1),
      ]);
    // This client runs commands for real until one of them changes the lists; then it "dies":
    // later calls never reach Redis. Reads on the way are harmless and do not count.
    const dying = await crashAfterFirstChange(redis, lists);
    await reliableTake(dying, keys, 1_000).catch(() => null);
    const pending = await redis.lrange(keys.pending, 0, -1);
    const processing = await redis.lrange(keys.processing, 0, -1);
    expect(
      [...pending, ...processing],
      '🚨 the id vanished: it left pending and never reached processing. Two commands are not atomic — move it with ONE command (BLMOVE)',
    ).toContain('precious');
    expect(
      processing,
      '🚨 the first command that changed anything must already have moved the id to processing',
    ).toEqual(['precious', 'older']);
  });
});
