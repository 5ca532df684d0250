/**
 * Exercise 10.2: an `Idempotency-Key` makes a retried request return the first request's
 * answer instead of queuing the images twice. The API runs it on every POST /v1/jobs.
 */
import {
  ApiError,
  ApiErrorCodes,
  type IdempotencyStore,
  type IdempotentOptions,
  type IdempotentOutcome,
} from '@workbook/session10';

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/**
 * Runs `run` once per idempotency key. Without a key it just runs. With one it claims the key
 * (`setIfAbsent` of a `running` record with the request's `fingerprint`), runs, and stores the
 * `done` record with the value; a later call with the same key and fingerprint gets that value
 * back (`replayed: true`) without running. A failed run frees the key.
 * @throws {ApiError} 400 `ERR_INVALID_IDEMPOTENCY_KEY` for a key that is not 1-255 visible
 * ASCII characters; 422 `ERR_IDEMPOTENCY_KEY_REUSED` for the same key with another fingerprint;
 * 409 `ERR_IDEMPOTENCY_IN_PROGRESS` while the first request still runs.
 */
export async function idempotent<T>(
  store: IdempotencyStore,
  key: string | undefined,
  fingerprint: string,
  run: () => Promise<T>,
  options: IdempotentOptions = {},
): Promise<IdempotentOutcome<T>> {
  if (key === undefined) return { value: await run(), replayed: false };
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError(
      400,
      ApiErrorCodes.INVALID_IDEMPOTENCY_KEY,
      'The Idempotency-Key header must be 1-255 visible ASCII characters, e.g. a UUID',
    );
  }
  const { ttlMs = 86_400_000, runningTtlMs = 60_000 } = options;
  const claimed = await store.setIfAbsent(
    key,
    JSON.stringify({ state: 'running', fingerprint }),
    runningTtlMs,
  );
  if (!claimed) {
    const text = await store.get(key);
    const record = text
      ? (JSON.parse(text) as { state: string; fingerprint: string; value?: T })
      : null;
    if (!record) return idempotent(store, key, fingerprint, run, options);
    if (record.fingerprint !== fingerprint) {
      throw new ApiError(
        422,
        ApiErrorCodes.IDEMPOTENCY_KEY_REUSED,
        `The Idempotency-Key \`${key}\` was used for a different request: use a new key for new content`,
      );
    }
    if (record.state !== 'done') {
      throw new ApiError(
        409,
        ApiErrorCodes.IDEMPOTENCY_IN_PROGRESS,
        `The first request with Idempotency-Key \`${key}\` is still running: retry in a moment`,
        { headers: { 'retry-after': '1' } },
      );
    }
    return { value: record.value as T, replayed: true };
  }
  let value: T;
  try {
    value = await run();
  } catch (error) {
    await store.delete(key);
    throw error;
  }
  await store.set(key, JSON.stringify({ state: 'done', fingerprint, value }), ttlMs);
  return { value, replayed: false };
}
