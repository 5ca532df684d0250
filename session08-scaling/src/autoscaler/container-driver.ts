/**
 * Replicas as worker containers, through session 06's dockerode `Stack`: `stack.scale(n)` starts
 * containers of the `imgq-worker` image (and waits for their health check) or stops the
 * highest-numbered ones with `docker stop` — SIGTERM, the worker drains, exit 0 — and removes
 * them. A scale takes seconds, so this driver applies one at a time in the background and
 * reports the containers' states meanwhile, like a Deployment's status lags its spec.
 */
import { checkInteger } from '@workbook/session01';
import type { Stack, StackContainer, StopResult } from '@workbook/session06';
import { ReplicaError, ScalingErrorCodes } from '../errors.ts';
import type { ReplicaEvent } from './process-driver.ts';
import type { ReplicaDriver, ReplicaInfo } from './replica-driver.ts';

/** What the driver needs of session 06's `Stack`. */
export type ContainerStack = Pick<Stack, 'scale' | 'workers'>;

/** Options of {@link ContainerReplicaDriver}. */
export interface ContainerDriverOptions {
  /** How often the containers' states are read, ms. @default 500 */
  pollMs?: number;
  /** Called on every replica event. */
  onEvent?: (event: ReplicaEvent) => void;
}

/**
 * {@link ReplicaDriver} over session 06's `Stack` of worker containers.
 * @example
 * const stack = new Stack(connectEngine(), { name: 'scaling', redisPort: 0 });
 * await stack.up({ workers: 0 });
 * const driver = new ContainerReplicaDriver(stack);
 * const autoscaler = new LocalAutoscaler({ redisUrl: await stack.redisUrl(), driver, queue: stack.queue });
 */
export class ContainerReplicaDriver implements ReplicaDriver {
  readonly kind = 'container';
  readonly #stack: ContainerStack;
  readonly #options: ContainerDriverOptions;
  readonly #known = new Map<string, ReplicaInfo>();
  readonly #failures: ReplicaError[] = [];
  #desired = 0;
  #applied = 0;
  #applying: Promise<void> | null = null;
  #poller: NodeJS.Timeout | null = null;

  constructor(stack: ContainerStack, options: ContainerDriverOptions = {}) {
    this.#stack = stack;
    this.#options = options;
  }

  get desired(): number {
    return this.#desired;
  }

  /** Containers that failed to start or did not stop gracefully. */
  get failures(): readonly ReplicaError[] {
    return this.#failures;
  }

  async scale(replicas: number): Promise<void> {
    this.#desired = checkInteger('replicas', replicas, { min: 0, max: 50 });
    this.#poller ??= setInterval(
      () => void this.#refresh().catch(() => {}),
      this.#options.pollMs ?? 500,
    );
    this.#poller.unref();
    this.#applying ??= this.#apply().finally(() => {
      this.#applying = null;
    });
  }

  replicas(): ReplicaInfo[] {
    return [...this.#known.values()].map((r) => ({ ...r }));
  }

  async settled(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.#refresh();
      const busy =
        this.#applying !== null ||
        [...this.#known.values()].some((r) => r.state === 'starting' || r.state === 'draining');
      if (!busy) return;
      if (Date.now() > deadline) {
        throw new ReplicaError(
          ScalingErrorCodes.DRAIN_TIMEOUT,
          'stack',
          `Containers did not settle within ${timeoutMs} ms; \`docker ps\` shows them.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async close(): Promise<void> {
    await this.scale(0);
    await this.settled();
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = null;
  }

  /** Applies the desired count until it stops changing (one `stack.scale` at a time). */
  async #apply(): Promise<void> {
    while (this.#applied !== this.#desired) {
      const target = this.#desired;
      const running = (await this.#stack.workers()).filter(
        (w) => w.state === 'running' || w.state === 'created',
      );
      for (const w of running.slice(target))
        this.#mark(w.name, 'draining', 'docker stop: SIGTERM, drain');
      try {
        const { stopped } = await this.#stack.scale(target);
        for (const result of stopped) this.#stopped(result);
      } catch (error) {
        this.#failures.push(
          new ReplicaError(
            ScalingErrorCodes.REPLICA_START_FAILED,
            'stack',
            `Scaling the stack to ${target} failed: ${(error as Error).message}`,
            { cause: error },
          ),
        );
      }
      this.#applied = target;
      await this.#refresh();
    }
  }

  async #refresh(): Promise<void> {
    const seen = new Set<string>();
    for (const w of await this.#stack.workers()) {
      seen.add(w.name);
      const info = this.#known.get(w.name) ?? this.#created(w);
      if (info.state === 'draining' || info.state === 'exited') continue;
      if (w.state === 'running' && w.health === 'healthy' && info.state !== 'ready')
        this.#mark(w.name, 'ready');
    }
    // A container gone without a stop result (removed by hand, crashed and removed): exited.
    for (const info of this.#known.values()) {
      if (!seen.has(info.id) && info.state !== 'exited' && info.state !== 'draining')
        this.#mark(info.id, 'exited', 'gone');
    }
  }

  #created(w: StackContainer): ReplicaInfo {
    const info: ReplicaInfo = {
      id: w.name,
      handle: w.id.slice(0, 12),
      state: 'starting',
      startedAt: Date.now(),
      readyAt: null,
      stoppingAt: null,
      exitedAt: null,
      exitCode: null,
      completed: null,
    };
    this.#known.set(w.name, info);
    this.#emit(w.name, 'started', `container ${info.handle}`);
    return info;
  }

  #mark(name: string, state: ReplicaInfo['state'], detail?: string): void {
    const info = this.#known.get(name);
    if (!info) return;
    info.state = state;
    const now = Date.now();
    if (state === 'ready') info.readyAt = now;
    if (state === 'draining') info.stoppingAt = now;
    if (state === 'exited') info.exitedAt = now;
    this.#emit(
      name,
      state === 'draining' ? 'stopping' : state === 'ready' ? 'ready' : 'exited',
      detail,
    );
  }

  #stopped(result: StopResult): void {
    const info = this.#known.get(result.name);
    if (!info) return;
    info.state = 'exited';
    info.exitedAt = Date.now();
    info.exitCode = result.exitCode;
    if (result.exitCode !== 0 || result.killed) {
      const error = new ReplicaError(
        result.killed ? ScalingErrorCodes.DRAIN_TIMEOUT : ScalingErrorCodes.DRAIN_FAILED,
        result.name,
        `Container ${result.name} ${result.killed ? 'was killed after the stop timeout' : `exited with ${result.exitCode}`} while draining; \`docker logs ${result.name}\` says why.`,
      );
      this.#failures.push(error);
      this.#emit(result.name, 'failed', error.message);
      return;
    }
    this.#emit(result.name, 'exited', `exit 0 after draining (${(result.ms / 1000).toFixed(1)} s)`);
  }

  #emit(replica: string, kind: ReplicaEvent['kind'], detail?: string): void {
    this.#options.onEvent?.({ replica, kind, at: Date.now(), ...(detail ? { detail } : {}) });
  }
}
