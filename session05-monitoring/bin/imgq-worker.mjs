#!/usr/bin/env node
// The deployable worker: `node bin/imgq-worker.mjs`, configured by environment variables only
// (REDIS_URL, QUEUE, WORKER_ID, CONCURRENCY, LEASE_MS, HEARTBEAT_INTERVAL_MS, GRACE_PERIOD_MS,
// HEALTH_PORT, LOG_LEVEL, LOG_FORMAT, ...; see the session README). Plain Node starts it: tsx,
// a runtime dependency, compiles the TypeScript sources as they load (no build step).
import { register } from 'tsx/esm/api';

register();
const { workerMain } = await import('../src/worker-main.ts');
process.exitCode = await workerMain();
// A task cut off at the end of the grace period may still be unwinding: do not wait for it.
setTimeout(() => process.exit(), 2_000).unref();
