/**
 * Replicas as worker processes on this machine: each one is `node
 * session05-monitoring/bin/imgq-worker.mjs`, configured only by environment variables (the
 * deployable worker contract), exactly what a container or a pod runs. Scale-down sends
 * SIGTERM and lets the worker drain — finish its tasks within GRACE_PERIOD_MS, hand back the
 * rest, deregister, exit 0. Never a kill.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  checkDuration,
  checkInteger,
  describeValue,
  InvalidOptionError,
} from '@workbook/session01';
import { ReplicaError, ScalingErrorCodes } from '../errors.ts';
import type { PodSample } from '../hpa/types.ts';
import type { ReplicaDriver, ReplicaInfo } from './replica-driver.ts';

/** `session05-monitoring/bin/imgq-worker.mjs`, found through the package `@workbook/session05`. */
export function workerEntry(): string {
  const index = createRequire(import.meta.url).resolve('@workbook/session05');
  return path.join(path.dirname(index), '..', 'bin', 'imgq-worker.mjs');
}

/** What happened to a replica (for a log or a live view). */
export interface ReplicaEvent {
  replica: string;
  kind: 'started' | 'ready' | 'stopping' | 'exited' | 'failed';
  at: number;
  detail?: string;
}

/** Options of {@link ProcessReplicaDriver}. */
export interface ProcessDriverOptions {
  /** REDIS_URL of the workers. */
  redisUrl: string;
  /** QUEUE of the workers. @default 'images' */
  queue?: string;
  /** Prefix of WORKER_ID: `<prefix>-1`, `<prefix>-2`, … @default 'autoscaled' */
  idPrefix?: string;
  /** CONCURRENCY of each worker. @default 1 */
  concurrency?: number;
  /** GRACE_PERIOD_MS: how long a draining worker may finish its tasks. @default 10000 */
  gracePeriodMs?: number;
  /** More environment for the workers (LEASE_MS, INPUT_ROOT, …). */
  env?: Record<string, string>;
  /** How long a draining worker may take to exit before it counts as failed to drain. @default gracePeriodMs + 15000 */
  drainTimeoutMs?: number;
  /** The worker entry. @default {@link workerEntry} */
  entry?: string;
  /** CPU request of one replica in cores, for CPU utilization. @default 0.5 */
  cpuRequest?: number;
  /** Called on every replica event. */
  onEvent?: (event: ReplicaEvent) => void;
}

interface Tracked {
  info: ReplicaInfo;
  child: ChildProcess;
  exited: Promise<void>;
  stderrTail: string[];
  cpu: { at: number; seconds: number } | null;
}

/**
 * {@link ReplicaDriver} over worker processes.
 * @example
 * const driver = new ProcessReplicaDriver({ redisUrl, queue: 'images' });
 * await driver.scale(3);   // three `imgq-worker` processes
 * await driver.scale(1);   // the two newest get SIGTERM and drain
 * await driver.close();
 */
export class ProcessReplicaDriver implements ReplicaDriver {
  readonly kind = 'process';
  readonly #options: Required<Omit<ProcessDriverOptions, 'onEvent' | 'env'>> &
    Pick<ProcessDriverOptions, 'onEvent' | 'env'>;
  readonly #tracked: Tracked[] = [];
  readonly #failures: ReplicaError[] = [];
  #desired = 0;
  #seq = 0;

  /** @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad option. */
  constructor(options: ProcessDriverOptions) {
    if (typeof options?.redisUrl !== 'string' || options.redisUrl === '') {
      throw new InvalidOptionError(
        `Expected \`redisUrl\` to be a redis:// URL, got ${describeValue(options?.redisUrl)}`,
      );
    }
    const gracePeriodMs = checkDuration('gracePeriodMs', options.gracePeriodMs ?? 10_000, {
      min: 0,
    });
    this.#options = {
      redisUrl: options.redisUrl,
      queue: options.queue ?? 'images',
      idPrefix: options.idPrefix ?? 'autoscaled',
      concurrency: checkInteger('concurrency', options.concurrency ?? 1, { min: 1, max: 1_000 }),
      gracePeriodMs,
      drainTimeoutMs: checkDuration(
        'drainTimeoutMs',
        options.drainTimeoutMs ?? gracePeriodMs + 15_000,
      ),
      entry: options.entry ?? workerEntry(),
      cpuRequest: options.cpuRequest ?? 0.5,
      env: options.env,
      onEvent: options.onEvent,
    };
  }

  get desired(): number {
    return this.#desired;
  }

  /** Replicas that failed to start or to drain (each a {@link ReplicaError}). */
  get failures(): readonly ReplicaError[] {
    return this.#failures;
  }

  async scale(replicas: number): Promise<void> {
    const target = checkInteger('replicas', replicas, { min: 0, max: 1_000 });
    this.#desired = target;
    const live = this.#tracked.filter(
      (t) => t.info.state === 'starting' || t.info.state === 'ready',
    );
    for (let n = live.length; n < target; n++) this.#start();
    // Scale-down: the newest first (what a ReplicaSet deletes first: not yet ready, then youngest).
    const victims = [...live].sort(
      (a, b) =>
        Number(a.info.state === 'ready') - Number(b.info.state === 'ready') ||
        b.info.startedAt - a.info.startedAt,
    );
    for (const victim of victims.slice(0, Math.max(0, live.length - target))) this.#drain(victim);
  }

  replicas(): ReplicaInfo[] {
    return this.#tracked.map((t) => ({ ...t.info }));
  }

  async settled(timeoutMs = this.#options.drainTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#tracked.some((t) => t.info.state === 'starting' || t.info.state === 'draining')) {
      if (Date.now() > deadline) {
        const stuck = this.#tracked.filter(
          (t) => t.info.state === 'starting' || t.info.state === 'draining',
        );
        throw new ReplicaError(
          ScalingErrorCodes.DRAIN_TIMEOUT,
          stuck[0]!.info.id,
          `Replicas did not settle within ${timeoutMs} ms: ${stuck.map((t) => `${t.info.id} (${t.info.state})`).join(', ')}. ` +
            'A draining worker should exit within GRACE_PERIOD_MS; look at its log.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * CPU used by each ready replica since the previous call, in cores, with the request: the
   * per-pod samples of a `cpu` Resource metric (Linux `/proc`; empty elsewhere).
   */
  cpuSamples(): PodSample[] {
    const now = Date.now();
    const samples: PodSample[] = [];
    for (const t of this.#tracked) {
      if (t.info.state !== 'ready' || t.child.pid === undefined) continue;
      const seconds = processCpuSeconds(t.child.pid);
      if (seconds === null) continue;
      const previous = t.cpu;
      t.cpu = { at: now, seconds };
      const sample: PodSample = { name: t.info.id, request: this.#options.cpuRequest };
      if (previous && now > previous.at)
        sample.value = (seconds - previous.seconds) / ((now - previous.at) / 1000);
      samples.push(sample);
    }
    return samples;
  }

  async close(): Promise<void> {
    this.#desired = 0;
    for (const t of this.#tracked)
      if (t.info.state === 'starting' || t.info.state === 'ready') this.#drain(t);
    await Promise.all(this.#tracked.map((t) => t.exited));
  }

  #start(): void {
    const id = `${this.#options.idPrefix}-${++this.#seq}`;
    const o = this.#options;
    const child = spawn(process.execPath, [o.entry], {
      env: {
        ...process.env,
        REDIS_URL: o.redisUrl,
        QUEUE: o.queue,
        WORKER_ID: id,
        CONCURRENCY: String(o.concurrency),
        GRACE_PERIOD_MS: String(o.gracePeriodMs),
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'warn',
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const info: ReplicaInfo = {
      id,
      handle: String(child.pid ?? '?'),
      state: 'starting',
      startedAt: Date.now(),
      readyAt: null,
      stoppingAt: null,
      exitedAt: null,
      exitCode: null,
      completed: null,
    };
    const tracked: Tracked = { info, child, stderrTail: [], cpu: null, exited: Promise.resolve() };
    tracked.exited = new Promise<void>((resolve) => {
      child.once('exit', (code) => {
        this.#exited(tracked, code);
        resolve();
      });
    });
    createInterface({ input: child.stdout! }).on('line', (line) => this.#stdout(tracked, line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      tracked.stderrTail.push(line);
      if (tracked.stderrTail.length > 20) tracked.stderrTail.shift();
    });
    this.#tracked.push(tracked);
    this.#emit(id, 'started', `pid ${child.pid}`);
  }

  #stdout(t: Tracked, line: string): void {
    let event: { event?: string; completed?: number };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.event === 'started' && t.info.state === 'starting') {
      t.info.state = 'ready';
      t.info.readyAt = Date.now();
      this.#emit(t.info.id, 'ready');
    } else if (event.event === 'stopped' && typeof event.completed === 'number') {
      t.info.completed = event.completed;
    }
  }

  #drain(t: Tracked): void {
    t.info.state = 'draining';
    t.info.stoppingAt = Date.now();
    t.child.kill('SIGTERM');
    this.#emit(t.info.id, 'stopping', 'SIGTERM: drain');
    const timer = setTimeout(() => {
      if (t.info.state !== 'draining') return;
      const error = new ReplicaError(
        ScalingErrorCodes.DRAIN_TIMEOUT,
        t.info.id,
        `Worker ${t.info.id} (pid ${t.info.handle}) did not exit within ${this.#options.drainTimeoutMs} ms of SIGTERM ` +
          `(GRACE_PERIOD_MS is ${this.#options.gracePeriodMs}). Its last log lines:\n${t.stderrTail.join('\n')}`,
      );
      this.#failures.push(error);
      this.#emit(t.info.id, 'failed', error.message);
    }, this.#options.drainTimeoutMs);
    timer.unref();
    void t.exited.then(() => clearTimeout(timer));
  }

  #exited(t: Tracked, code: number | null): void {
    const was = t.info.state;
    t.info.state = 'exited';
    t.info.exitedAt = Date.now();
    t.info.exitCode = code;
    if (was === 'draining' && code === 0) {
      this.#emit(
        t.info.id,
        'exited',
        `exit 0 after draining, ${t.info.completed ?? '?'} tasks done`,
      );
      return;
    }
    const [code_, what] =
      was === 'draining'
        ? [
            ScalingErrorCodes.DRAIN_FAILED,
            `exited with ${code ?? 'a signal'} while draining (expected 0)`,
          ]
        : [
            ScalingErrorCodes.REPLICA_START_FAILED,
            `exited with ${code ?? 'a signal'} while ${was} (nobody asked it to stop)`,
          ];
    const error = new ReplicaError(
      code_,
      t.info.id,
      `Worker ${t.info.id} ${what}. Its last log lines:\n${t.stderrTail.join('\n')}`,
    );
    this.#failures.push(error);
    this.#emit(t.info.id, 'failed', error.message);
  }

  #emit(replica: string, kind: ReplicaEvent['kind'], detail?: string): void {
    this.#options.onEvent?.({ replica, kind, at: Date.now(), ...(detail ? { detail } : {}) });
  }
}

/** User + system CPU seconds of a process (Linux `/proc/<pid>/stat`), or `null`. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}
