/**
 * Helpers for tests and benchmarks of this and later sessions (`@workbook/session05/testing`),
 * not part of the student API.
 */
import { fileURLToPath } from 'node:url';

export { expireLeases } from './leases.ts';

/**
 * A worker process script for reliability tests and benchmarks: `runWorkerProcess` with its
 * options as JSON in `argv[2]`, plus `delayMs` per task (so a SIGKILL lands mid-task),
 * `stallMs` (a task whose input contains `stall` blocks the event loop on its first attempt),
 * and `inputRoot`/`outputRoot` to process real images. Run it with tsx:
 * `node --import tsx <HOLDING_WORKER> '{"redisUrl":"…","queue":"…","delayMs":500}'`.
 */
export const HOLDING_WORKER: string = fileURLToPath(
  new URL('./holding-worker.ts', import.meta.url),
);
