#!/usr/bin/env node
// The queue exporter: `node bin/imgq-exporter.mjs` with REDIS_URL, QUEUES (or QUEUE) and
// METRICS_PORT; serves /metrics with depth by state, live workers and the queue's counters.
import { register } from 'tsx/esm/api';

register();
const { exporterMain } = await import('../src/exporter-main.ts');
process.exitCode = await exporterMain();
