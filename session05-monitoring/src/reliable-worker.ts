import {
  checkDuration,
  describeValue,
  InvalidOptionError,
  serializeError,
} from '@workbook/session01';
import {
  AsyncWorker,
  type AsyncWorkerOptions,
  createImageProcessor,
  type TaskProcessor,
} from '@workbook/session03';
import { LeaseLostError } from './errors.ts';
import type { ReliableTaskQueue } from './reliable-task-queue.ts';
import { WorkerRegistry, type WorkerReport } from './worker-registry.ts';

/** Options of {@link ReliableWorker}. */
export interface ReliableWorkerOptions
  extends Omit<AsyncWorkerOptions, 'queue' | 'processor' | 'id'> {
  /** The queue; its `owner` is the worker's id. The worker does not close it. */
  queue: ReliableTaskQueue;
  /** Does the work of one task. @default createImageProcessor() */
  processor?: TaskProcessor;
  /**
   * Where the worker registers and heartbeats.
   * @default a WorkerRegistry on the queue's connection, with `heartbeatTtlMs`
   */
  registry?: WorkerRegistry;
  /**
   * Time between heartbeats. Each heartbeat refreshes the registry AND extends every lease the
   * worker holds, so keep it well under the queue's `leaseMs` (a quarter by default): a lease
   * then survives three late heartbeats.
   * @default 500
   */
  heartbeatIntervalMs?: number;
  /** TTL of the heartbeat key, when the worker creates its registry. @default 2000 */
  heartbeatTtlMs?: number;
  /**
   * Time between recovery passes run by this worker (±20 % jitter, so a fleet does not run
   * them in lockstep). Every worker runs recovery: there is no single recovery process to
   * lose. `0` turns it off for this worker.
   * @default 500
   */
  recoveryIntervalMs?: number;
}

/**
 * A worker that earns trust: session 03's {@link AsyncWorker} on a {@link ReliableTaskQueue},
 * plus what keeps tasks safe when workers die.
 *
 * - registers in the {@link WorkerRegistry} when it starts, deregisters when it stops;
 * - every `heartbeatIntervalMs`: one heartbeat, and ONE call extending every lease it holds
 *   (a task whose lease turns out lost is aborted through its processor's signal);
 * - every `recoveryIntervalMs`: one recovery pass (stuck tasks of dead workers back to work);
 * - on `stop()`: stops fetching, waits `gracePeriodMs` for in-flight tasks, hands the
 *   unfinished ones back to the queue (atomically, only those it still holds), deregisters.
 *
 * @example
 * const queue = new ReliableTaskQueue({ url, owner: 'worker-1' });
 * const worker = new ReliableWorker({ queue, concurrency: 2 });
 * await worker.start();
 * // ... on SIGTERM:
 * await worker.stop(); await queue.close();
 * @throws {InvalidOptionError} for a bad option (checked at construction).
 */
export class ReliableWorker extends AsyncWorker {
  readonly registry: WorkerRegistry;
  readonly heartbeatIntervalMs: number;
  readonly recoveryIntervalMs: number;
  declare protected readonly queue: ReliableTaskQueue;
  readonly #ownsRegistry: boolean;
  readonly #controllers: Map<string, AbortController>;
  #timers: NodeJS.Timeout[] = [];
  /** Heartbeat and recovery loops run while this is true (from start to the end of stop). */
  #ticking = false;
  #leasesLost = 0;
  #lastBeatTried = 0;
  #lastBeatOk = 0;

  constructor(options: ReliableWorkerOptions) {
    const controllers = new Map<string, AbortController>();
    const processor = options.processor ?? createImageProcessor();
    if (typeof processor !== 'function') {
      throw new InvalidOptionError(
        `Expected \`processor\` to be a function (task, context) => Promise<OutputInfo>, got ${describeValue(processor)}`,
      );
    }
    // Each task gets its own abort signal too, so a task whose lease is lost can be stopped
    // without touching the others.
    const leased: TaskProcessor = async (task, context) => {
      const controller = new AbortController();
      // Forward the worker-wide signal (grace period over) by hand: AbortSignal.any() keeps
      // every combined signal alive as long as its sources, which costs a long-running worker.
      const forward = () => controller.abort(context.signal.reason);
      if (context.signal.aborted) forward();
      else context.signal.addEventListener('abort', forward, { once: true });
      controllers.set(task.id, controller);
      try {
        return await processor(task, { ...context, signal: controller.signal });
      } finally {
        controllers.delete(task.id);
        context.signal.removeEventListener('abort', forward);
      }
    };
    super({ ...options, id: options.queue?.owner, processor: leased });
    this.#controllers = controllers;
    this.heartbeatIntervalMs = checkDuration(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs ?? 500,
    );
    this.recoveryIntervalMs = checkDuration(
      'recoveryIntervalMs',
      options.recoveryIntervalMs ?? 500,
      { min: 0 },
    );
    if (this.heartbeatIntervalMs >= this.queue.leaseMs) {
      throw new InvalidOptionError(
        `Expected \`heartbeatIntervalMs\` (${this.heartbeatIntervalMs}) to be shorter than the ` +
          `queue's \`leaseMs\` (${this.queue.leaseMs}): leases would expire between heartbeats. ` +
          'A quarter of leaseMs is a good value.',
      );
    }
    this.#ownsRegistry = options.registry === undefined;
    this.registry =
      options.registry ??
      new WorkerRegistry({
        connection: this.queue.connection,
        name: this.queue.name,
        prefix: this.queue.prefix,
        ...(options.heartbeatTtlMs === undefined ? {} : { heartbeatTtlMs: options.heartbeatTtlMs }),
      });
  }

  /** Leases this worker found taken over (its tasks were recovered while it held them). */
  get leasesLost(): number {
    return this.#leasesLost;
  }

  /**
   * When the heartbeat loop last ran (tried), and when a heartbeat last reached Redis (epoch
   * ms, this process's clock; 0 before the first). A health check reads them: a loop that has
   * not run for a TTL is stuck; beats that do not arrive mean Redis is away.
   */
  get heartbeats(): { lastTriedAt: number; lastOkAt: number } {
    return { lastTriedAt: this.#lastBeatTried, lastOkAt: this.#lastBeatOk };
  }

  /** What the next heartbeat reports. */
  report(): WorkerReport {
    const stats = this.stats();
    return {
      status: this.status === 'busy' || this.status === 'stopping' ? this.status : 'idle',
      processed: stats.processed,
      failed: stats.failed,
      current: this.queue
        .held()
        .map(({ task, since }) => ({ taskId: task.id, input: task.input, since })),
    };
  }

  protected override async onStart(): Promise<void> {
    this.#ticking = true;
    await this.registry.register({ id: this.id, concurrency: this.concurrency });
    this.#lastBeatTried = this.#lastBeatOk = Date.now();
    // A fresh worker first takes back what crashed predecessors left behind.
    if (this.recoveryIntervalMs > 0) await this.#recover();
    this.#every(this.heartbeatIntervalMs, () => this.#heartbeat(), false);
    if (this.recoveryIntervalMs > 0)
      this.#every(this.recoveryIntervalMs, () => this.#recover(), true);
  }

  protected override async onStopped(): Promise<void> {
    try {
      const released = await this.queue.release();
      if (released.length > 0) {
        this.logger.warn(
          { released },
          'grace period over: unfinished tasks handed back to the queue',
        );
      }
    } catch (error) {
      // Redis is away: the leases simply expire and recovery takes the tasks back.
      this.logger.error(
        { err: serializeError(error) },
        'could not hand tasks back; their leases will expire',
      );
    }
    this.#ticking = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    try {
      await this.registry.deregister(this.id);
    } catch (error) {
      this.logger.error(
        { err: serializeError(error) },
        'could not deregister; the registry will report this worker dead',
      );
    }
    if (this.#ownsRegistry) await this.registry.close();
  }

  async #heartbeat(): Promise<void> {
    this.#lastBeatTried = Date.now();
    const [lost] = await Promise.all([
      this.queue.extendLeases(),
      this.registry.heartbeat(this.id, this.report()),
    ]);
    this.#lastBeatOk = Date.now();
    for (const taskId of lost) {
      this.#leasesLost++;
      this.#controllers
        .get(taskId)
        ?.abort(new LeaseLostError('keep working on', taskId, 'its lease could not be extended'));
    }
  }

  async #recover(): Promise<void> {
    const report = await this.queue.recover();
    if (report.requeued.length + report.deadLettered.length > 0) {
      this.logger.info(
        {
          requeued: report.requeued,
          deadLettered: report.deadLettered,
          reaped: report.reapedWorkers,
        },
        'recovered stuck tasks',
      );
    }
  }

  /**
   * Runs `tick` every `ms` until stopped: one at a time (a slow Redis never stacks calls) and
   * never letting an error end the loop (Redis down: log, try again next time).
   */
  #every(ms: number, tick: () => Promise<void>, jitter: boolean): void {
    const schedule = () => {
      if (!this.#ticking) return;
      const delay = jitter ? ms * (0.8 + Math.random() * 0.4) : ms;
      const timer = setTimeout(async () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        try {
          await tick();
        } catch (error) {
          this.logger.warn(
            { err: serializeError(error) },
            'heartbeat or recovery failed; retrying',
          );
        }
        schedule();
      }, delay);
      timer.unref();
      this.#timers.push(timer);
    };
    schedule();
  }
}
