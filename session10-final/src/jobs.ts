/**
 * What the API remembers about the jobs it accepted, next to the queue's own records: the
 * batch, the display name, the upload's size, the trace id. One JSON string per job and per
 * batch in Redis, expiring with the storage retention.
 */
import type { QueueInspector, TaskRecord } from '@workbook/session05';
import type { Redis } from 'ioredis';

/** What the API stored about one job when it accepted it. */
export interface JobMeta {
  id: string;
  batchId: string;
  name: string;
  input: { format: string; width: number; height: number; bytes: number };
  /** The result's name in `results/`. */
  outputName: string;
  traceId: string;
  submittedAt: number;
  /** The key that submitted it (its name, never the secret). */
  keyId: string;
}

/** A job as the API shows it: the queue's record, its result and the API's metadata together. */
export interface JobView {
  id: string;
  batchId: string | null;
  name: string;
  state: TaskRecord['state'] | 'expired';
  attempts: number;
  worker: string | null;
  error: { name: string; code: string; message: string } | null;
  traceId: string | null;
  input: JobMeta['input'] | Record<string, never>;
  output: { format: string; width: number; height: number; bytes: number } | null;
  timings: {
    submittedAt: number | null;
    startedAt: number | null;
    finishedAt: number | null;
    durationMs: number | null;
  };
  links: { self: string; result: string; input: string };
}

/** The API's records in Redis under `<prefix>api:`. */
export class JobStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, queuePrefix: string, ttlMs: number) {
    this.#redis = redis;
    this.#prefix = `${queuePrefix}api:`;
    this.#ttlMs = ttlMs;
  }

  /** The key prefix (idempotency records live under it too). */
  get prefix(): string {
    return this.#prefix;
  }

  /** Records a batch and its jobs, and marks the jobs active (followed by the event hub). */
  async saveBatch(batchId: string, jobs: readonly JobMeta[], createdAt: number): Promise<void> {
    const multi = this.#redis.multi();
    multi.set(
      `${this.#prefix}batch:${batchId}`,
      JSON.stringify({ id: batchId, createdAt, ids: jobs.map((j) => j.id) }),
      'PX',
      this.#ttlMs,
    );
    for (const job of jobs) {
      multi.set(`${this.#prefix}job:${job.id}`, JSON.stringify(job), 'PX', this.#ttlMs);
      multi.zadd(`${this.#prefix}active`, String(createdAt), job.id);
    }
    await multi.exec();
  }

  async meta(id: string): Promise<JobMeta | null> {
    const text = await this.#redis.get(`${this.#prefix}job:${id}`);
    return text ? (JSON.parse(text) as JobMeta) : null;
  }

  async batch(id: string): Promise<{ id: string; createdAt: number; ids: string[] } | null> {
    const text = await this.#redis.get(`${this.#prefix}batch:${id}`);
    return text ? JSON.parse(text) : null;
  }

  /** Jobs not yet final, oldest first (at most `limit`). */
  active(limit = 500): Promise<string[]> {
    return this.#redis.zrange(`${this.#prefix}active`, 0, String(limit - 1));
  }

  /** Jobs accepted most recently (for the dashboard), newest first. */
  async recent(limit = 20): Promise<string[]> {
    return this.#redis.lrange(`${this.#prefix}recent`, 0, limit - 1);
  }

  async noteRecent(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#redis
      .multi()
      .lpush(`${this.#prefix}recent`, ...ids)
      .ltrim(`${this.#prefix}recent`, 0, 199)
      .exec();
  }

  /** Follows jobs again (retried from the dead letter queue). */
  async watch(ids: readonly string[], now = Date.now()): Promise<void> {
    if (ids.length === 0) return;
    const multi = this.#redis.multi();
    for (const id of ids) multi.zadd(`${this.#prefix}active`, String(now), id);
    await multi.exec();
  }

  /** Stops following jobs that reached a final state. */
  async settle(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#redis.zrem(`${this.#prefix}active`, ...ids);
  }

  /** The job as the API shows it, or `null` when neither the queue nor the API knows it. */
  async view(inspector: QueueInspector, id: string): Promise<JobView | null> {
    const [meta, record, result] = await Promise.all([
      this.meta(id),
      inspector.task(id),
      inspector.result(id),
    ]);
    if (!meta && !record) return null;
    const error = result?.error ?? record?.lastError ?? null;
    return {
      id,
      batchId: meta?.batchId ?? null,
      name: meta?.name ?? record?.task.input ?? id,
      state: record?.state ?? 'expired',
      attempts: record?.task.attempts ?? result?.attempt ?? 0,
      worker: result?.workerId ?? record?.owner ?? null,
      error: error ? { name: error.name, code: error.code, message: error.message } : null,
      traceId: meta?.traceId ?? null,
      input: meta?.input ?? {},
      output:
        result?.status === 'completed' && result.output
          ? {
              format: result.output.format,
              width: result.output.width,
              height: result.output.height,
              bytes: result.output.bytes,
            }
          : null,
      timings: {
        submittedAt: meta?.submittedAt ?? record?.task.createdAt ?? null,
        startedAt: record?.task.startedAt ?? null,
        finishedAt: result?.finishedAt ?? null,
        durationMs: result?.durationMs ?? null,
      },
      links: {
        self: `/v1/jobs/${id}`,
        result: `/v1/jobs/${id}/result`,
        input: `/v1/jobs/${id}/input`,
      },
    };
  }
}
