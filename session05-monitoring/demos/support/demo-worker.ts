/**
 * The worker process of the monitored-system demo: `runWorkerProcess` (the same as
 * `imgq worker`) with session 03's image processor, plus `--upload-ms` of waiting per task —
 * a stand-in for uploading the result somewhere — so a person can watch tasks in flight.
 *
 *   node --import tsx demos/support/demo-worker.ts '{"redisUrl":"...","queue":"...","uploadMs":500}'
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createImageProcessor, type TaskProcessor } from '@workbook/session03';
import { runWorkerProcess, type WorkerProcessOptions } from '@workbook/session05';

interface DemoWorkerOptions extends WorkerProcessOptions {
  uploadMs?: number;
  inputRoot: string;
  outputRoot: string;
}

const {
  uploadMs = 0,
  inputRoot,
  outputRoot,
  ...options
} = JSON.parse(process.argv[2] ?? '{}') as DemoWorkerOptions;
const images = createImageProcessor({ inputRoot, outputRoot });
const processor: TaskProcessor = async (task, context) => {
  const output = await images(task, context);
  await delay(uploadMs, undefined, { signal: context.signal });
  return output;
};

process.exitCode = await runWorkerProcess({ ...options, processor, json: true });
