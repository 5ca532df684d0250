/**
 * What the stack's containers look like (the same settings as compose.yaml, through the API),
 * and waiting on containers: until healthy, until stopped.
 */
import type Dockerode from 'dockerode';
import { DockerError, DockerErrorCodes } from './errors.ts';
import { demuxLogs } from './logs.ts';

const SECOND_NS = 1_000_000_000;

/** Settings of a worker container. */
export interface WorkerSpec {
  name: string;
  image: string;
  network: string;
  inputVolume: string;
  outputVolume: string;
  /** Environment of the worker (REDIS_URL, QUEUE, WORKER_ID, ...). */
  env: Record<string, string>;
  labels: Record<string, string>;
  /** CPUs (fractions allowed). */
  cpus: number;
  memoryBytes: number;
  /** Seconds `docker stop` waits before SIGKILL: longer than the worker's grace period. */
  stopTimeoutS: number;
}

/**
 * A hardened worker: read-only root filesystem with a tmpfs for scratch, every capability
 * dropped, no privilege escalation, CPU and memory limits, no TTY (so logs are multiplexed),
 * input mounted read-only.
 */
export function workerContainer(spec: WorkerSpec): Dockerode.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    Hostname: spec.name,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    Tty: false,
    StopTimeout: spec.stopTimeoutS,
    // Check often, so that a test or demo sees "healthy" a second after the worker is.
    Healthcheck: {
      Interval: 2 * SECOND_NS,
      Timeout: 3 * SECOND_NS,
      Retries: 3,
      StartPeriod: 60 * SECOND_NS,
    },
    HostConfig: {
      NetworkMode: spec.network,
      Mounts: [
        { Type: 'volume', Source: spec.inputVolume, Target: '/data/in', ReadOnly: true },
        { Type: 'volume', Source: spec.outputVolume, Target: '/data/out' },
      ],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,size=64m' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      NanoCpus: Math.round(spec.cpus * SECOND_NS),
      Memory: spec.memoryBytes,
    },
  };
}

/** Settings of the Redis container. */
export interface RedisSpec {
  name: string;
  image: string;
  network: string;
  dataVolume: string;
  labels: Record<string, string>;
  /** Publish 6379 on 127.0.0.1 at this port (0: a free one); `null`: not published. */
  hostPort: number | null;
}

/** Redis with AOF on a named volume (every write logged, fsync each second), health by PING. */
export function redisContainer(spec: RedisSpec): Dockerode.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    Hostname: spec.name,
    Cmd: ['redis-server', '--appendonly', 'yes', '--appendfsync', 'everysec'],
    Labels: spec.labels,
    Tty: false,
    ExposedPorts: { '6379/tcp': {} },
    Healthcheck: {
      Test: ['CMD', 'redis-cli', 'ping'],
      Interval: SECOND_NS,
      Timeout: 3 * SECOND_NS,
      Retries: 30,
    },
    HostConfig: {
      NetworkMode: spec.network,
      Mounts: [{ Type: 'volume', Source: spec.dataVolume, Target: '/data' }],
      PortBindings:
        spec.hostPort === null
          ? {}
          : {
              '6379/tcp': [
                { HostIp: '127.0.0.1', HostPort: spec.hostPort ? String(spec.hostPort) : '' },
              ],
            },
      SecurityOpt: ['no-new-privileges'],
    },
    NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: ['redis'] } } },
  };
}

/** Options of {@link waitHealthy}. */
export interface WaitOptions {
  /** @default 90000 */
  timeoutMs?: number;
  /** @default 250 */
  everyMs?: number;
}

/**
 * Waits until the container's health check passes. "unhealthy" is not the end: the engine
 * goes on probing, and a worker that started slowly on a loaded machine (more than its start
 * period plus its retries) turns healthy at its next passing probe; only the deadline decides.
 * @throws {DockerError} (`ERR_CONTAINER_FAILED`) when it exits or the time is up (saying whether
 *   it was unhealthy or still starting), with its last log lines.
 */
export async function waitHealthy(
  container: Dockerode.Container,
  options: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    const info = await container.inspect();
    const health = info.State.Health?.Status;
    if (health === 'healthy' || (!info.State.Health && info.State.Running)) return;
    if (!info.State.Running || Date.now() > deadline) {
      const why = !info.State.Running
        ? `exited with code ${info.State.ExitCode}`
        : `was not healthy within ${options.timeoutMs ?? 90_000} ms (health: ${health}${health === 'unhealthy' ? ': its health check keeps failing' : ''})`;
      throw new DockerError(
        DockerErrorCodes.CONTAINER_FAILED,
        `Container \`${info.Name.replace(/^\//, '')}\` ${why}. Its last log lines:\n${await lastLines(container)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 250));
  }
}

/** The last `count` log lines of a container, indented, for error messages. */
export async function lastLines(container: Dockerode.Container, count = 15): Promise<string> {
  try {
    const buffer = (await container.logs({
      stdout: true,
      stderr: true,
      tail: count,
    })) as unknown as Buffer;
    const lines = demuxLogs(buffer).map((l) => `  ${l.text}`);
    return lines.length ? lines.join('\n') : '  (no output)';
  } catch {
    return '  (logs unavailable)';
  }
}

/** How a container ended. */
export interface StopResult {
  name: string;
  exitCode: number;
  /** From the stop request to the exit. */
  ms: number;
  /** Whether the engine had to SIGKILL it (exit 137 after the timeout). */
  killed: boolean;
}

/**
 * `docker stop`: SIGTERM, then SIGKILL after `timeoutS` seconds. Resolves with the exit code
 * once the container has stopped (a stopped container is not an error: the engine answers
 * 304, which dockerode rejects).
 */
export async function stopContainer(
  container: Dockerode.Container,
  timeoutS?: number,
): Promise<StopResult> {
  const started = performance.now();
  try {
    await container.stop(timeoutS === undefined ? {} : { t: timeoutS });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 304) throw error;
  }
  const { StatusCode } = (await container.wait({ condition: 'not-running' })) as {
    StatusCode: number;
  };
  const info = await container.inspect();
  return {
    name: info.Name.replace(/^\//, ''),
    exitCode: StatusCode,
    ms: performance.now() - started,
    killed: StatusCode === 137 && !info.State.OOMKilled,
  };
}

/** Whether a start failed because a published port is taken. */
export function isPortInUse(error: unknown): boolean {
  return /port is already allocated|address already in use/i.test(
    String((error as Error)?.message ?? error),
  );
}
