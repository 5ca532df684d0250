/**
 * The code each pool thread runs (loaded by `pool-bootstrap.mjs`): load the task module, say
 * `ready`, then run tasks one at a time as the pool sends them. Errors go back as plain data
 * (`serializeError`), because structured clone would drop their class and `code`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '@workbook/session01';
import type { OutputInfo, Task } from './task.ts';
import type { FromThread, PoolThreadData, ToThread } from './thread-pool.ts';

type ThreadTaskFn = (task: Task, options: Record<string, unknown>) => Promise<OutputInfo>;

const data = workerData as PoolThreadData;
const port = parentPort;
if (!port) throw new Error('pool-thread.ts must run in a worker thread started by ThreadPool');

const loaded = (await import(data.module)) as Record<string, unknown>;
const taskFn = loaded[data.exportName];
if (typeof taskFn !== 'function') {
  throw new Error(
    `Module ${data.module} does not export a function \`${data.exportName}\` ` +
      `(it exports: ${Object.keys(loaded).join(', ') || 'nothing'})`,
  );
}
if (data.sharpConcurrency !== undefined) {
  // After the task module has loaded sharp: loading it is what resets the setting.
  const { default: sharp } = await import('sharp');
  sharp.concurrency(data.sharpConcurrency);
}

const post = (message: FromThread) => port.postMessage(message);

port.on('message', async (message: ToThread) => {
  try {
    const output = await (taskFn as ThreadTaskFn)(message.task, data.taskOptions);
    post({ type: 'done', jobId: message.jobId, output });
  } catch (error) {
    post({ type: 'error', jobId: message.jobId, error: serializeError(error) });
  }
});
post({ type: 'ready' });
