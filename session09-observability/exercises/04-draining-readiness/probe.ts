import type { WorkerHealth } from '@workbook/session05';
import type { ProbeHandler, ProbeResponse } from '@workbook/session09';

/**
 * What `/healthz` and `/readyz` answer.
 * 🐨 Liveness (`/healthz`): 200 while the worker is alive, else 503. Readiness (`/readyz`): 200
 * only while it is ready and running, 503 otherwise — draining included. The body is `health`.
 */
export function probeResponse(path: '/healthz' | '/readyz', health: WorkerHealth): ProbeResponse {
  void path;
  void health;
  throw new Error('🐨 TODO (09.4): answer the liveness and readiness probes');
}

/** As the metrics server takes it (`startMetricsServer({ probe })`). */
export const probe: ProbeHandler = probeResponse;
