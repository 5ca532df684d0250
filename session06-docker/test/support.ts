/**
 * Shared by session 06's engine tests: one engine client, the course images built once per
 * run (content-keyed: an unchanged context builds nothing), a run id labelled on everything a
 * test creates, and the clean-up of all of it. No engine → the tests FAIL with how to get one.
 */
import { readFileSync } from 'node:fs';
import type { ReliableTaskQueue } from '@workbook/session05';
import {
  checkEngine,
  connectEngine,
  demuxLogs,
  ensureCourseImages,
  ensurePulled,
  REDIS_IMAGE,
  RUN_LABEL,
  removeLabelled,
  Stack,
  type StackOptions,
} from '@workbook/session06';
import { fixture, waitFor } from '@workbook/tools/testkit';
import type Dockerode from 'dockerode';

export const docker = connectEngine();
/** Labels everything this test process creates. */
export const RUN_ID = `s06-${process.pid}-${Date.now().toString(36)}`;

let ready: Promise<Awaited<ReturnType<typeof ensureCourseImages>>> | undefined;

/**
 * The engine answers, the base images are there and the course images match the sources.
 * Memoised per test file; across files the build lock and the build key share the work.
 */
export function courseImages() {
  ready ??= (async () => {
    await checkEngine(docker);
    await ensurePulled(docker, REDIS_IMAGE);
    return ensureCourseImages(docker);
  })();
  return ready;
}

/** A stack with a unique name, labelled with this run. */
export function testStack(label: string, options: StackOptions = {}): Stack {
  return new Stack(docker, {
    name: `t${label}-${Math.random().toString(36).slice(2, 7)}`,
    labels: { [RUN_LABEL]: RUN_ID },
    ...options,
  });
}

/** Removes every container, network and volume this run created. */
export async function cleanup(): Promise<void> {
  await removeLabelled(docker, `${RUN_LABEL}=${RUN_ID}`);
}

/** Runs a command in a running container; resolves with its stdout (stderr appended). */
export async function execIn(container: Dockerode.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return demuxLogs(Buffer.concat(chunks))
    .map((l) => l.text)
    .join('\n');
}

/** Runs a one-off container of `image`; resolves with its exit code and output, removes it. */
export async function runOnce(
  image: string,
  cmd: string[],
  entrypoint?: string[],
): Promise<{ code: number; out: string }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    ...(entrypoint ? { Entrypoint: entrypoint } : {}),
    Labels: { [RUN_LABEL]: RUN_ID },
    Tty: false,
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return {
      code: StatusCode,
      out: demuxLogs(logs)
        .map((l) => l.text)
        .join('\n'),
    };
  } finally {
    await container.remove({ force: true, v: true });
  }
}

/** A pipeline that takes a worker (half a CPU) seconds on a photo: tasks stay in flight a while. */
export const SLOW_PIPELINE = {
  steps: [
    { name: 'resize', params: { width: 3200, allowUpscale: true } },
    { name: 'blur', params: { sigma: 16 } },
    { name: 'sepia' },
    { name: 'sharpen' },
  ],
  output: { format: 'webp' as const, quality: 90 },
};

/** A quick pipeline. */
export const QUICK_PIPELINE = {
  steps: [{ name: 'resize', params: { width: 160 } }],
  output: { format: 'webp' as const },
};

/** The sample photos as files for {@link Stack.putInputs}. */
export function photoFiles(names: string[]): Array<{ name: string; data: Buffer }> {
  return names.map((name) => ({ name, data: readFileSync(fixture(`photos/${name}`)) }));
}

/** Inputs the workers must refuse: each must end in the DLQ with its code. */
export function hostileFiles(): Array<{ name: string; data: Buffer; code: string }> {
  return [
    {
      name: 'truncated.jpg',
      data: readFileSync(fixture('hostile/truncated.jpg')),
      code: 'ERR_IMAGE_CORRUPT',
    },
    {
      name: 'notes.jpg',
      data: Buffer.from('these are my notes, not a photo\n'),
      code: 'ERR_NOT_AN_IMAGE',
    },
    { name: 'empty.jpg', data: Buffer.alloc(0), code: 'ERR_EMPTY_INPUT' },
  ];
}

/** Enqueues `inputs` (paths the workers see) with `pipeline` from the host. */
export async function enqueue(
  queue: ReliableTaskQueue,
  inputs: string[],
  pipeline: typeof SLOW_PIPELINE | typeof QUICK_PIPELINE,
  tag = '',
): Promise<string[]> {
  const tasks = await queue.enqueueMany(
    inputs.map((input, i) => ({
      pipeline,
      input,
      output: `/data/out/${tag}${i}-${input
        .split('/')
        .pop()!
        .replace(/\.\w+$/, '')}.webp`,
    })),
  );
  return tasks.map((t) => t.id);
}

/** Where every task ended: done, in the DLQ (with its code), or nowhere (lost). */
export async function accounting(queue: ReliableTaskQueue, ids: string[]) {
  const done: string[] = [];
  const dead = new Map<string, string>();
  const lost: string[] = [];
  for (const id of ids) {
    const record = await queue.inspect(id);
    const result = await queue.result(id);
    if (record?.state === 'dead')
      dead.set(id, record.lastError?.code ?? result?.error?.code ?? '?');
    else if (result?.status === 'completed') done.push(id);
    else lost.push(`${id} (${record?.state ?? 'missing'})`);
  }
  return { done, dead, lost };
}

/** Waits until every task is done or dead-lettered. */
export async function waitFinished(queue: ReliableTaskQueue, count: number, timeoutMs = 120_000) {
  await waitFor(
    async () => {
      const c = await queue.counts();
      return c.pending + c.processing + c.delayed === 0 && c.completed + c.dlq >= count;
    },
    { timeoutMs, intervalMs: 250, message: `all ${count} tasks to finish` },
  );
}
