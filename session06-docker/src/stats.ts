/**
 * Container stats: what `docker stats` shows, computed from the engine's raw counters. The
 * engine reports cumulative CPU time; a percentage needs two readings (`cpu_stats` now and
 * `precpu_stats` a moment before): the container's CPU time used in between, over the
 * whole machine's, times the number of CPUs — so 100 % is one full core, as in `docker stats`.
 */
import type Dockerode from 'dockerode';

/** The part of a stats reading the course uses. */
export interface RawStats {
  cpu_stats: {
    cpu_usage: { total_usage: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats: {
    cpu_usage: { total_usage: number };
    system_cpu_usage?: number;
  };
  memory_stats: {
    usage?: number;
    limit?: number;
    stats?: Record<string, number>;
  };
}

/**
 * CPU use between the two readings of `stats`, in % of one core (200 = two full cores).
 * 0 when the readings do not allow a value (first reading, container not running).
 */
export function cpuPercent(stats: RawStats): number {
  const cpuDelta = stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage;
  const systemDelta =
    (stats.cpu_stats.system_cpu_usage ?? 0) - (stats.precpu_stats.system_cpu_usage ?? 0);
  const cpus = stats.cpu_stats.online_cpus ?? stats.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * cpus * 100;
}

/**
 * Memory in use, as `docker stats` counts it: usage minus the page cache the kernel can take
 * back (`inactive_file` on cgroup v2, `total_inactive_file` or `cache` on v1).
 */
export function memoryBytes(stats: RawStats): number {
  const usage = stats.memory_stats.usage ?? 0;
  const s = stats.memory_stats.stats ?? {};
  const cache = s.inactive_file ?? s.total_inactive_file ?? s.cache ?? 0;
  return Math.max(0, usage - cache);
}

/** One container's CPU and memory. */
export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  /** The memory limit (the machine's memory when there is none). */
  memoryLimitBytes: number;
}

/**
 * One reading of a running container (the engine takes two samples about a second apart).
 * Resolves `null` when the container is not running.
 */
export async function readStats(container: Dockerode.Container): Promise<ContainerStats | null> {
  try {
    const stats = (await container.stats({ stream: false })) as unknown as RawStats;
    return {
      cpuPercent: cpuPercent(stats),
      memoryBytes: memoryBytes(stats),
      memoryLimitBytes: stats.memory_stats.limit ?? 0,
    };
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404 || status === 409) return null;
    throw error;
  }
}

/** `12.3 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
