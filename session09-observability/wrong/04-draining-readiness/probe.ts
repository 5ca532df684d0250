import type { WorkerHealth } from '@workbook/session05';
import type { ProbeHandler, ProbeResponse } from '@workbook/session09';

/** `/healthz` and `/readyz`: 200 while the process is alive. */
export function probeResponse(path: '/healthz' | '/readyz', health: WorkerHealth): ProbeResponse {
  // A worker that still answers can take traffic: alive is enough.
  const ok = health.alive;
  void path;
  return { status: ok ? 200 : 503, body: health };
}

/** As the metrics server takes it (`startMetricsServer({ probe })`). */
export const probe: ProbeHandler = probeResponse;
