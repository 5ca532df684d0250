/**
 * The worker process of the observed-system demo: `runObservedWorker` (what `bin/imgq-worker.mjs`
 * runs) with session 03's image processor plus `uploadMs` of waiting per task (a stand-in for
 * uploading the result), and the exercise pieces the demo says are solved. Prints a JSON line
 * `{"event":"metrics","port":…}` once its /metrics, /healthz and /readyz listen.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createImageProcessor, type TaskProcessor } from '@workbook/session03';
import { type ObservedWorkerOptions, runObservedWorker } from '@workbook/session09';
import { pieces, type Solved } from './pieces.ts';

interface DemoWorkerOptions extends ObservedWorkerOptions {
  uploadMs?: number;
  /** One metrics port per worker, picked by WORKER_INDEX (the launcher sets it). */
  ports: number[];
  inputRoot: string;
  outputRoot: string;
  solved: Solved;
}

const {
  uploadMs = 0,
  inputRoot,
  outputRoot,
  solved,
  ports,
  ...options
} = JSON.parse(process.argv[2] ?? '{}') as DemoWorkerOptions;
const images = createImageProcessor({ inputRoot, outputRoot });
const processor: TaskProcessor = async (task, context) => {
  const output = await images(task, context);
  await delay(uploadMs, undefined, { signal: context.signal });
  return output;
};
const { duration, carrier, probe } = pieces(solved);
process.exitCode = await runObservedWorker({
  ...options,
  processor,
  duration,
  carrier,
  probe,
  json: true,
  healthPort: ports[Number(process.env.WORKER_INDEX ?? 0)] ?? 0,
  metricsHost: '127.0.0.1',
  onListening: (server) =>
    process.stdout.write(
      `${JSON.stringify({ event: 'metrics', port: server.port, pid: process.pid })}\n`,
    ),
});
