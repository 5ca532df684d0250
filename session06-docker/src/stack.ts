/**
 * A stack: Redis and N workers on a network of their own, with named volumes, driven through
 * the engine's API — what compose.yaml declares, done step by step by a program. Every object
 * is named `<stack>-…` and labelled `io.workbook.stack=<stack>`, so any process can find the
 * stack again (`pnpm stack ps` after `pnpm stack up`) and {@link Stack.down} leaves nothing.
 */
import { checkInteger, InvalidOptionError } from '@workbook/session01';
import type Dockerode from 'dockerode';
import {
  isPortInUse,
  lastLines,
  redisContainer,
  type StopResult,
  stopContainer,
  waitHealthy,
  workerContainer,
} from './containers.ts';
import { DockerError, DockerErrorCodes } from './errors.ts';
import { IMGQ_IMAGE, REDIS_IMAGE, WORKER_IMAGE } from './images.ts';
import {
  isGone,
  type RemovedObjects,
  ROLE_LABEL,
  removeLabelled,
  STACK_LABEL,
  stackLabels,
} from './labels.ts';
import { followLogs, type LogLine, prefixColour, prefixLine } from './logs.ts';
import { type ContainerStats, readStats } from './stats.ts';
import { packTar, type TarEntry } from './tar.ts';

/** Label with a worker's number in its stack (1, 2, ...). */
export const INDEX_LABEL = 'io.workbook.index';

/**
 * Seconds `docker stop` gives a worker after its grace period before the SIGKILL: the time to
 * hand unfinished tasks back, deregister and exit. A 1-CPU container on a busy host needs
 * seconds for that (5 s was seen to run out, ending a graceful stop as 137).
 */
export const STOP_MARGIN_S = 10;

/** `docker stop`'s timeout for a worker with this grace period: grace + {@link STOP_MARGIN_S}. */
export function stopTimeoutS(gracePeriodMs: number): number {
  return Math.ceil(gracePeriodMs / 1000) + STOP_MARGIN_S;
}

/** Options of {@link Stack}. */
export interface StackOptions {
  /** Prefix of every object's name, and the value of its stack label. @default 'imgq' */
  name?: string;
  /** @default WORKER_IMAGE */
  workerImage?: string;
  /** @default IMGQ_IMAGE */
  imgqImage?: string;
  /** @default REDIS_IMAGE */
  redisImage?: string;
  /** @default 'images' */
  queue?: string;
  /** Publish Redis on 127.0.0.1:<port>; 0 picks a free port, `null` does not publish. @default 0 */
  redisPort?: number | null;
  /** More environment for every worker (CONCURRENCY, LEASE_MS, ...). @default {} */
  workerEnv?: Record<string, string>;
  /** CPUs of each worker. @default 1 */
  workerCpus?: number;
  /** Memory limit of each worker. @default 512 MiB */
  workerMemoryBytes?: number;
  /** The workers' GRACE_PERIOD_MS; `docker stop` waits {@link STOP_MARGIN_S} longer before SIGKILL. @default 10000 */
  gracePeriodMs?: number;
  /** Extra labels on every object (a test or demo run's id). @default {} */
  labels?: Record<string, string>;
  /** Progress, for people. @default none */
  onEvent?: (message: string) => void;
}

/** One container of the stack as `ps` shows it. */
export interface StackContainer {
  name: string;
  role: string;
  /** Worker number (0 for others). */
  index: number;
  /** `running`, `exited`, `created`, ... */
  state: string;
  /** `healthy`, `starting`, `unhealthy`, or '' without a health check. */
  health: string;
  /** The engine's one-line status, e.g. `Up 5 seconds (healthy)`. */
  status: string;
  id: string;
}

/**
 * @example
 * await using stack = new Stack(docker, { name: 'demo', redisPort: 0 });
 * await stack.up({ workers: 3 });
 * const url = await stack.redisUrl();          // redis://127.0.0.1:<port> for the host
 * await stack.scale(1);                        // two workers drain and exit 0
 * // leaving the block: stack.down() removes containers, network and volumes
 */
export class Stack {
  readonly name: string;
  readonly queue: string;
  readonly network: string;
  readonly volumes: { redis: string; input: string; output: string };
  readonly #docker: Dockerode;
  readonly #options: Required<Omit<StackOptions, 'onEvent' | 'redisPort'>> & {
    redisPort: number | null;
  };
  readonly #say: (message: string) => void;

  constructor(docker: Dockerode, options: StackOptions = {}) {
    const name = options.name ?? 'imgq';
    if (!/^[a-z0-9][a-z0-9_.-]{0,40}$/.test(name)) {
      throw new InvalidOptionError(
        `Expected \`name\` to be 1-41 lower-case letters, digits, \`_\`, \`.\` or \`-\`, got \`${name}\` (string)`,
      );
    }
    if (options.redisPort != null)
      checkInteger('redisPort', options.redisPort, { min: 0, max: 65_535 });
    this.#docker = docker;
    this.name = name;
    this.queue = options.queue ?? 'images';
    this.network = `${name}-net`;
    this.volumes = {
      redis: `${name}-redis-data`,
      input: `${name}-input`,
      output: `${name}-output`,
    };
    this.#options = {
      name,
      workerImage: options.workerImage ?? WORKER_IMAGE,
      imgqImage: options.imgqImage ?? IMGQ_IMAGE,
      redisImage: options.redisImage ?? REDIS_IMAGE,
      queue: this.queue,
      redisPort: options.redisPort === undefined ? 0 : options.redisPort,
      workerEnv: options.workerEnv ?? {},
      workerCpus: options.workerCpus ?? 1,
      workerMemoryBytes: options.workerMemoryBytes ?? 512 * 1024 * 1024,
      gracePeriodMs: options.gracePeriodMs ?? 10_000,
      labels: options.labels ?? {},
    };
    this.#say = options.onEvent ?? (() => {});
  }

  /** The dockerode client. */
  get docker(): Dockerode {
    return this.#docker;
  }

  #labels(role: string, extra: Record<string, string> = {}): Record<string, string> {
    return stackLabels(this.name, role, { ...this.#options.labels, ...extra });
  }

  /**
   * Creates the network and volumes, starts Redis and waits for its health check, then starts
   * `workers` workers and waits until each is healthy. On failure, removes what it created.
   * @throws {DockerError} `ERR_PORT_IN_USE` when the Redis port is taken, `ERR_CONTAINER_FAILED`
   */
  async up(options: { workers?: number } = {}): Promise<void> {
    const workers = checkInteger('workers', options.workers ?? 3, { min: 0, max: 50 });
    try {
      await this.#docker.createNetwork({
        Name: this.network,
        Driver: 'bridge',
        Labels: this.#labels('network'),
      });
      for (const [role, volume] of Object.entries(this.volumes)) {
        await this.#docker.createVolume({ Name: volume, Labels: this.#labels(`volume-${role}`) });
      }
      this.#say(`network ${this.network}, volumes ${Object.values(this.volumes).join(', ')}`);
      await this.startRedis();
      await this.scale(workers);
    } catch (error) {
      await this.down();
      throw error;
    }
  }

  /** Creates (if needed) and starts the Redis container; resolves when it answers PING. */
  async startRedis(): Promise<void> {
    const name = `${this.name}-redis`;
    let container = this.#docker.getContainer(name);
    const exists = await container.inspect().then(
      () => true,
      (error) => (isGone(error) ? false : Promise.reject(error)),
    );
    if (!exists) {
      container = await this.#docker.createContainer(
        redisContainer({
          name,
          image: this.#options.redisImage,
          network: this.network,
          dataVolume: this.volumes.redis,
          labels: this.#labels('redis'),
          hostPort: this.#options.redisPort,
        }),
      );
    }
    try {
      await container.start();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 304) return;
      if (isPortInUse(error)) {
        throw new DockerError(
          DockerErrorCodes.PORT_IN_USE,
          `Cannot publish Redis on 127.0.0.1:${this.#options.redisPort}: the port is taken ` +
            `(${(error as Error).message.trim()}). Choose another (--redis-port / REDIS_PORT), ` +
            'or 0 for a free one; `docker ps` shows which container holds it.',
        );
      }
      throw error;
    }
    await waitHealthy(container, { timeoutMs: 60_000 });
    this.#say(`${name} healthy (AOF on volume ${this.volumes.redis})`);
  }

  /** `redis://127.0.0.1:<published port>`: how the host reaches the stack's Redis. */
  async redisUrl(): Promise<string> {
    const info = await this.#docker.getContainer(`${this.name}-redis`).inspect();
    const binding = info.NetworkSettings.Ports['6379/tcp']?.[0];
    if (!binding) {
      throw new DockerError(
        DockerErrorCodes.STACK_NOT_FOUND,
        `Redis of stack \`${this.name}\` is not published on the host (start it with a redisPort).`,
      );
    }
    return `redis://127.0.0.1:${binding.HostPort}`;
  }

  /** Every container of the stack, Redis first, then workers by number. */
  async ps(): Promise<StackContainer[]> {
    const list = await this.#docker.listContainers({
      all: true,
      filters: { label: [`${STACK_LABEL}=${this.name}`] },
    });
    return list
      .map((c) => ({
        name: c.Names[0]?.replace(/^\//, '') ?? c.Id,
        role: c.Labels[ROLE_LABEL] ?? '?',
        index: Number(c.Labels[INDEX_LABEL] ?? 0),
        state: c.State,
        health:
          /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1]?.replace('health: ', '') ??
          '',
        status: c.Status,
        id: c.Id,
      }))
      .sort((a, b) =>
        a.role === b.role ? a.index - b.index : a.role === 'redis' ? -1 : a.role < b.role ? -1 : 1,
      );
  }

  /** The worker containers, by number. */
  async workers(): Promise<StackContainer[]> {
    return (await this.ps()).filter((c) => c.role === 'worker');
  }

  /**
   * Makes `count` workers run: starts new ones (numbered after the highest), or stops the
   * highest-numbered ones GRACEFULLY (`docker stop`: SIGTERM, the worker finishes or hands back
   * its tasks, deregisters and exits 0) and removes them. Resolves when done.
   */
  async scale(count: number): Promise<{ started: string[]; stopped: StopResult[] }> {
    checkInteger('count', count, { min: 0, max: 50 });
    const current = (await this.workers()).filter(
      (w) => w.state === 'running' || w.state === 'created',
    );
    const started: string[] = [];
    let next = Math.max(0, ...(await this.workers()).map((w) => w.index)) + 1;
    const creating: Promise<void>[] = [];
    for (let n = current.length; n < count; n++, next++) {
      const name = `${this.name}-worker-${next}`;
      started.push(name);
      creating.push(this.#startWorker(name, next));
    }
    await Promise.all(creating);
    const excess = current.slice(count).reverse();
    const stopped = await Promise.all(excess.map((w) => this.stopWorker(w.name)));
    return { started, stopped };
  }

  async #startWorker(name: string, index: number): Promise<void> {
    const o = this.#options;
    const container = await this.#docker.createContainer(
      workerContainer({
        name,
        image: o.workerImage,
        network: this.network,
        inputVolume: this.volumes.input,
        outputVolume: this.volumes.output,
        env: {
          REDIS_URL: 'redis://redis:6379',
          QUEUE: this.queue,
          WORKER_ID: name,
          GRACE_PERIOD_MS: String(o.gracePeriodMs),
          LOG_FORMAT: 'json',
          ...o.workerEnv,
        },
        labels: this.#labels('worker', { [INDEX_LABEL]: String(index) }),
        cpus: o.workerCpus,
        memoryBytes: o.workerMemoryBytes,
        stopTimeoutS: stopTimeoutS(o.gracePeriodMs),
      }),
    );
    await container.start();
    this.#say(`${name} started`);
    await waitHealthy(container, { timeoutMs: 90_000 });
    this.#say(`${name} healthy`);
  }

  /** Stops one worker gracefully (`docker stop`) and removes it; resolves with how it exited. */
  async stopWorker(name: string): Promise<StopResult> {
    const container = this.#docker.getContainer(name);
    this.#say(`${name}: docker stop (SIGTERM, grace ${this.#options.gracePeriodMs} ms)`);
    const result = await stopContainer(container, stopTimeoutS(this.#options.gracePeriodMs));
    this.#say(
      `${name} exited with code ${result.exitCode} after ${(result.ms / 1000).toFixed(1)} s`,
    );
    await container.remove({ v: true });
    return result;
  }

  /** `docker kill`: SIGKILL (or `signal`) now, no grace. The container stays, exited. */
  async kill(name: string, signal = 'SIGKILL'): Promise<void> {
    await this.#docker.getContainer(name).kill({ signal });
    this.#say(`${name}: docker kill --signal ${signal}`);
  }

  /** CPU and memory of every running container of the stack. */
  async stats(): Promise<Array<StackContainer & { stats: ContainerStats | null }>> {
    const running = (await this.ps()).filter((c) => c.state === 'running');
    return Promise.all(
      running.map(async (c) => ({ ...c, stats: await readStats(this.#docker.getContainer(c.id)) })),
    );
  }

  /**
   * Streams the logs of every container (or of `names`), one coloured `name |` prefix per
   * container. With `follow`, runs until `signal` aborts.
   */
  async logs(options: {
    follow?: boolean;
    tail?: number;
    names?: string[];
    signal?: AbortSignal;
    onLine: (prefixed: string, line: LogLine & { container: string }) => void;
  }): Promise<void> {
    const containers = (await this.ps()).filter(
      (c) => !options.names || options.names.includes(c.name),
    );
    const width = Math.max(0, ...containers.map((c) => c.name.length));
    await Promise.all(
      containers.map((c, i) =>
        followLogs(this.#docker.getContainer(c.id), {
          ...(options.follow !== undefined ? { follow: options.follow } : {}),
          ...(options.tail !== undefined ? { tail: options.tail } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onLine: (line) =>
            options.onLine(prefixLine(c.name, line, prefixColour(i), width), {
              ...line,
              container: c.name,
            }),
        }),
      ),
    );
  }

  /**
   * Puts files into the input volume (through a created, never started, helper container and
   * the archive API), owned by uid 1000 like the workers. Returns the paths the workers see.
   */
  async putInputs(files: Array<{ name: string; data: Buffer }>): Promise<string[]> {
    const helper = await this.#docker.createContainer({
      name: `${this.name}-inputs-${Date.now().toString(36)}`,
      Image: this.#options.imgqImage,
      Labels: this.#labels('helper'),
      HostConfig: { Mounts: [{ Type: 'volume', Source: this.volumes.input, Target: '/data/in' }] },
    });
    try {
      const entries: TarEntry[] = files.map((f) => ({
        name: f.name,
        data: f.data,
        uid: 1000,
        gid: 1000,
      }));
      await helper.putArchive(packTar(entries), { path: '/data/in' });
    } finally {
      await helper.remove({ force: true, v: true });
    }
    return files.map((f) => `/data/in/${f.name}`);
  }

  /**
   * Runs the one-shot producer: copies the image's sample photos into the input volume and
   * enqueues them with `pipeline` (a file in /pipelines of the imgq image). Resolves with the
   * ids it enqueued once the container has exited 0, and removes it.
   * @throws {DockerError} (`ERR_CONTAINER_FAILED`) when it exits non-zero, with its output
   */
  async produce(pipeline = 'thumbnail'): Promise<string[]> {
    const container = await this.#docker.createContainer({
      name: `${this.name}-producer-${Date.now().toString(36)}`,
      Image: this.#options.imgqImage,
      Entrypoint: ['sh', '-c'],
      Cmd: [
        'cp /photos/* /data/in/ && exec node /app/bin/imgq.mjs enqueue /data/in ' +
          `--pipeline /pipelines/${pipeline}.json --out /data/out --json`,
      ],
      Env: ['REDIS_URL=redis://redis:6379', `QUEUE=${this.queue}`],
      Labels: this.#labels('producer'),
      Tty: false,
      HostConfig: {
        NetworkMode: this.network,
        Mounts: [
          { Type: 'volume', Source: this.volumes.input, Target: '/data/in' },
          { Type: 'volume', Source: this.volumes.output, Target: '/data/out' },
        ],
      },
    });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const output = await lastLines(container, 1_000);
      if (StatusCode !== 0) {
        throw new DockerError(
          DockerErrorCodes.CONTAINER_FAILED,
          `The producer exited with code ${StatusCode}:\n${output}`,
        );
      }
      const report = output
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l.startsWith('{'));
      const enqueued =
        (JSON.parse(report ?? '{}') as { enqueued?: Array<{ id: string }> }).enqueued ?? [];
      this.#say(`producer enqueued ${enqueued.length} photo(s) with pipeline ${pipeline}`);
      return enqueued.map((t) => t.id);
    } finally {
      await container.remove({ force: true, v: true });
    }
  }

  /** Removes every container, the network and the volumes of the stack (by its label). */
  async down(): Promise<RemovedObjects> {
    const removed = await removeLabelled(this.#docker, `${STACK_LABEL}=${this.name}`);
    const n = removed.containers.length + removed.networks.length + removed.volumes.length;
    if (n > 0)
      this.#say(
        `removed ${removed.containers.length} container(s), ${removed.networks.length} network(s), ${removed.volumes.length} volume(s)`,
      );
    return removed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
