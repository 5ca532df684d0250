/**
 * The API's Prometheus metrics (`/metrics`): requests by route and status, their latency,
 * accepted and refused uploads. The queue's series come from session 09's exporter on the same
 * registry (see app.ts).
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The API's metrics on one registry. */
export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route'>;
  accepted: Counter;
  refused: Counter<'code'>;
}

/** Creates the API's metrics on `registry` (a new one by default). */
export function createApiMetrics(registry = new Registry()): ApiMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'imgq_api_' });
  const requests = new Counter({
    name: 'imgq_api_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'imgq_api_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const accepted = new Counter({
    name: 'imgq_api_jobs_accepted_total',
    help: 'Images accepted and queued',
    registers: [registry],
  });
  const refused = new Counter({
    name: 'imgq_api_uploads_refused_total',
    help: 'Submissions refused, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { registry, requests, latency, accepted, refused };
}
