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

/**
 * Runs `run` once per idempotency key.
 */
export async function idempotent<T>(
  store: IdempotencyStore,
  key: string | undefined,
  fingerprint: string,
  run: () => Promise<T>,
  options: IdempotentOptions = {},
): Promise<IdempotentOutcome<T>> {
  // 🐨 1. No key: run it, { value, replayed: false }.
  // 🐨 2. A key that is not 1-255 visible ASCII characters (/^[\x21-\x7e]{1,255}$/):
  //       ApiError(400, ApiErrorCodes.INVALID_IDEMPOTENCY_KEY, ...).
  // 🐨 3. Claim it: store.setIfAbsent(key, JSON.stringify({ state: 'running', fingerprint }),
  //       options.runningTtlMs ?? 60_000).
  // 🐨 4. Claimed: run; on error store.delete(key) and rethrow; on success store.set(key,
  //       JSON.stringify({ state: 'done', fingerprint, value }), options.ttlMs ?? 86_400_000).
  // 🐨 5. Not claimed: read the record. Another fingerprint → 422 IDEMPOTENCY_KEY_REUSED; still
  //       running → 409 IDEMPOTENCY_IN_PROGRESS; done → { value: record.value, replayed: true }.
  void [ApiError, ApiErrorCodes, store, key, fingerprint, run, options];
  throw new Error('🐨 TODO (10.2): make the request idempotent (see the README)');
}
