import type { WorkerHealth } from '@workbook/session05';
import type { ProbeHandler, ProbeResponse } from '@workbook/session09';

/**
 * `/healthz` (liveness): 200 while the process is alive — draining included, so the kubelet
 * does not restart a worker in the middle of its grace period.
 * `/readyz` (readiness): 200 only while the worker is ready AND running; 503 while it drains,
 * so a Service stops routing to it (and an autoscaler stops counting on it).
 */
export function probeResponse(path: '/healthz' | '/readyz', health: WorkerHealth): ProbeResponse {
  const ok = path === '/healthz' ? true : health.ready && health.status === 'running';
  return { status: ok ? 200 : 503, body: health };
}

/** As the metrics server takes it (`startMetricsServer({ probe })`). */
export const probe: ProbeHandler = probeResponse;
