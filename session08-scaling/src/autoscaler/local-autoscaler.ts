/**
 * The local autoscaler: KEDA and the HPA (this session's libraries, unchanged) driving real
 * workers on this machine. Every tick it reads the queue from Redis through session 05's
 * read-only `QueueInspector` — the length of the pending list, exactly the list a KEDA
 * `redis` trigger watches, plus what is in processing — steps the ScaledObject controller on a
 * compressed clock, and resizes the {@link ReplicaDriver}. Everything it saw and decided goes
 * to a timeline (for the live view and the chart).
 */
import { checkDuration, describeValue, InvalidOptionError } from '@workbook/session01';
import { QueueInspector, reliableKeys } from '@workbook/session05';
import type { HpaControllerOptions } from '../hpa/types.ts';
import type { ScaledObjectSpec } from '../keda/scaled-object.ts';
import { ScaledObjectController, type ScalingStep } from '../keda/scaled-object-controller.ts';
import { type Clock, CompressedClock } from './clock.ts';
import { countReplicas, type ReplicaCounts, type ReplicaDriver } from './replica-driver.ts';

/** One reading of the queue and the replicas. */
export interface TimelineSample {
  /** Wall ms since the autoscaler started. */
  t: number;
  /** Model ms (what the controllers saw as `now`). */
  model: number;
  pending: number;
  processing: number;
  completed: number;
  dlq: number;
  replicas: ReplicaCounts;
}

/** One scaling decision. */
export interface TimelineDecision {
  t: number;
  model: number;
  from: number;
  to: number;
  source: 'keda' | 'hpa';
  reason: string;
}

/** What the live view shows after each tick. */
export interface AutoscalerSnapshot {
  sample: TimelineSample;
  step: ScalingStep;
  lastDecision: TimelineDecision | null;
  timeScale: number;
  driverKind: string;
}

/** Options of {@link LocalAutoscaler}. */
export interface LocalAutoscalerOptions {
  /** Redis of the queue. */
  redisUrl: string;
  /** Queue name. @default 'images' */
  queue?: string;
  /** What runs the workers. */
  driver: ReplicaDriver;
  /**
   * The ScaledObject to run. Its `redis` trigger must watch the queue's pending list
   * (`reliableKeys(queue).pending`). @default {@link queueScaledObject}(queue)
   */
  scaledObject?: ScaledObjectSpec;
  /** Model seconds per wall second. @default 20 */
  timeScale?: number;
  /**
   * Where model time comes from. @default a {@link CompressedClock} at `timeScale` (a test
   * passes a {@link ManualClock} to decide when syncs, windows and cooldowns come due)
   */
  clock?: Clock;
  /** Wall ms between two readings. @default 100 */
  tickMs?: number;
  /** The HPA controller's sync period, model ms. @default 15000 */
  syncPeriodMs?: number;
  /** Tolerance and default scale-down window of the HPA controller. */
  hpa?: HpaControllerOptions;
  /** Called after every tick. */
  onTick?: (snapshot: AutoscalerSnapshot) => void;
  /** Called when a tick fails (Redis down, …); the loop goes on. */
  onError?: (error: unknown) => void;
}

/**
 * The ScaledObject this course deploys for the worker (`k8s/overlays/keda`): the queue's pending
 * list, `listLength` 5, from 0 to `maxReplicaCount` workers, KEDA's defaults otherwise.
 */
export function queueScaledObject(
  queue = 'images',
  overrides: Partial<ScaledObjectSpec> = {},
): ScaledObjectSpec {
  return {
    scaleTargetRef: { name: 'imgq-worker' },
    minReplicaCount: 0,
    maxReplicaCount: 8,
    ...overrides,
    triggers: overrides.triggers ?? [
      {
        type: 'redis',
        metadata: {
          listName: reliableKeys(queue).pending,
          listLength: '5',
          activationListLength: '0',
        },
      },
    ],
  };
}

/**
 * Runs a ScaledObject against a real queue and real replicas.
 * @example
 * const autoscaler = new LocalAutoscaler({ redisUrl, queue: 'images', driver, timeScale: 20 });
 * await autoscaler.start();
 * // … load arrives, workers come and go …
 * await autoscaler.stop();
 * await driver.close();
 */
export class LocalAutoscaler {
  readonly clock: Clock;
  readonly #timeScale: number;
  /** When the clock started (epoch ms): sample and decision times `t` count from here. */
  readonly startedAt: number;
  readonly controller: ScaledObjectController;
  readonly samples: TimelineSample[] = [];
  readonly decisions: TimelineDecision[] = [];
  readonly #options: LocalAutoscalerOptions;
  readonly #inspector: QueueInspector;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #tick: Promise<void> = Promise.resolve();

  /** @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad option, or a trigger that does not watch the queue's pending list. */
  constructor(options: LocalAutoscalerOptions) {
    const queue = options.queue ?? 'images';
    this.#options = options;
    this.#tickMs = checkDuration('tickMs', options.tickMs ?? 100);
    this.startedAt = Date.now();
    const compressed = new CompressedClock(options.timeScale ?? 20);
    this.#timeScale = compressed.factor;
    this.clock = options.clock ?? compressed;
    const spec = options.scaledObject ?? queueScaledObject(queue);
    const pending = reliableKeys(queue).pending;
    for (const [i, trigger] of spec.triggers.entries()) {
      if (trigger.metadata?.listName !== pending) {
        throw new InvalidOptionError(
          `Expected \`triggers[${i}].metadata.listName\` to be the pending list of queue \`${queue}\` (\`${pending}\`), got ${describeValue(trigger.metadata?.listName)}`,
        );
      }
    }
    this.controller = new ScaledObjectController(spec, this.clock.now(), {
      syncPeriodMs: options.syncPeriodMs ?? 15_000,
      ...(options.hpa ? { hpa: options.hpa } : {}),
    });
    this.#inspector = new QueueInspector({ url: options.redisUrl, name: queue });
  }

  /** Connects (fails within 3 s when Redis is not there) and starts the loop. */
  async start(): Promise<void> {
    await this.#inspector.connect(3_000);
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops the loop (the replicas keep running: close the driver for that). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#tick;
    await this.#inspector.close();
  }

  /** The latest sample, if any. */
  get last(): TimelineSample | undefined {
    return this.samples.at(-1);
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#tick = this.#once()
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => {
          if (this.#running) this.#schedule(this.#tickMs);
        });
    }, delayMs);
  }

  async #once(): Promise<void> {
    const { driver } = this.#options;
    const counts = await this.#inspector.counts();
    const model = this.clock.now();
    const before = countReplicas(driver);
    const step = this.controller.step(
      {
        lengths: [counts.pending],
        currentReplicas: driver.desired,
        statusReplicas: before.existing,
        readyReplicas: before.ready,
      },
      model,
    );
    const t = Date.now() - this.startedAt;
    if (step.changed && step.source) {
      this.decisions.push({
        t,
        model,
        from: driver.desired,
        to: step.desiredReplicas,
        source: step.source,
        reason: step.reason,
      });
    }
    // Always reconcile (like a ReplicaSet): a replica that died is replaced.
    await driver.scale(step.desiredReplicas);
    const sample: TimelineSample = {
      t,
      model,
      pending: counts.pending,
      processing: counts.processing,
      completed: counts.completed,
      dlq: counts.dlq,
      replicas: countReplicas(driver),
    };
    this.samples.push(sample);
    this.#options.onTick?.({
      sample,
      step,
      lastDecision: this.decisions.at(-1) ?? null,
      timeScale: this.#timeScale,
      driverKind: driver.kind,
    });
  }
}
