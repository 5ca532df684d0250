#!/usr/bin/env node
// The observed worker: `node bin/imgq-worker.mjs`, configured like session 05's (REDIS_URL,
// QUEUE, WORKER_ID, CONCURRENCY, HEALTH_PORT, ...); HEALTH_PORT also serves /metrics, and every
// task's story goes to the event log in Redis (EVENT_RETENTION_MS).
import { register } from 'tsx/esm/api';

register();
const { observedWorkerMain } = await import('../src/observed-worker.ts');
process.exitCode = await observedWorkerMain();
// A task cut off at the end of the grace period may still be unwinding: do not wait for it.
setTimeout(() => process.exit(), 2_000).unref();
