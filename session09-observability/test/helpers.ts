/** Shared helpers of session 09's tests: an in-process worker with a stand-in processor. */
import { setTimeout as delay } from 'node:timers/promises';
import { WorkbookError } from '@workbook/session01';
import type { OutputInfo, TaskProcessor } from '@workbook/session03';
import { loadWorkerConfig, type WorkerConfig } from '@workbook/session05';
import { uniqueName } from '@workbook/tools/testkit';

/** A worker config for tests: fast heartbeats, silent logs. */
export function testConfig(redisUrl: string, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    ...loadWorkerConfig({}, {}, false),
    redisUrl,
    queue: uniqueName('obs'),
    workerId: uniqueName('w'),
    // Leases and heartbeats no stall of a loaded machine outlasts: a lost lease would add
    // recoveries and lease-lost events that the tests' exact stories and counts do not expect.
    leaseMs: 60_000,
    heartbeatIntervalMs: 100,
    heartbeatTtlMs: 30_000,
    recoveryIntervalMs: 200,
    gracePeriodMs: 2_000,
    logLevel: 'silent',
    concurrency: 4,
    ...overrides,
  };
}

/**
 * A processor that works `workMs` per task (simulated image work, abortable) and fails with
 * `ERR_IMAGE_CORRUPT` (not retryable) for inputs containing `bad`.
 */
export function standInProcessor(workMs: number): TaskProcessor {
  return async (task, context) => {
    if (task.input.includes('bad')) {
      throw new WorkbookError('ERR_IMAGE_CORRUPT', `${task.input} is corrupt`);
    }
    await delay(workMs, undefined, { signal: context.signal });
    const output: OutputInfo = { path: task.output, format: 'png', width: 1, height: 1, bytes: 1 };
    return output;
  };
}

/** A task that needs no file. */
export function newTask(name: string) {
  return { pipeline: { steps: [] }, input: `in/${name}.png`, output: `out/${name}.png` };
}
