/**
 * The final system's workload, over HTTP only: photos × pipelines, files that fail in the
 * worker, hostile files refused at the door, a worker SIGKILLed mid-task, then the accounting
 * (done, DLQ by code, refused by code, lost) with every result downloaded. The flagship demo
 * and the end-to-end test run it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { damageJpegScan, decompressionBombPng, hostileSamples } from '@workbook/session01';
import type { PipelineSpec } from '@workbook/session02';
import { ApiProblemError, type ImgqClient } from './client.ts';
import type { RunningSystem } from './system.ts';

/** A file the API accepts but a worker fails on (it must end in the DLQ with `code`). */
export interface WorkerFailure {
  name: string;
  data: Buffer;
  spec: PipelineSpec;
  code: string;
}

/** A file the API must refuse with 422 and `code`. */
export interface HostileFile {
  name: string;
  data: Buffer;
  code: string;
}

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  system: RunningSystem;
  /** A client with a key that may submit, read and see the DLQ (admin). */
  client: ImgqClient;
  photos: readonly string[];
  pipelines: Readonly<Record<string, PipelineSpec>>;
  failures?: readonly WorkerFailure[];
  hostile?: readonly HostileFile[];
  /** SIGKILL a worker holding a task once this fraction is finished. @default 0.25; null: no kill */
  killAt?: number | null;
  /** Give up after this long. @default 120000 */
  timeoutMs?: number;
  /** Told what happens (for a log). */
  onEvent?: (text: string) => void;
}

/** Where every submitted image ended. */
export interface Accounting {
  /** Images accepted (jobs). */
  accepted: number;
  done: number;
  /** Results downloaded through the API (image bytes, an image content type). */
  downloaded: number;
  /** Dead-lettered jobs by error code → display names. */
  dlq: Record<string, string[]>;
  /** Refused at the door by error code → file names (nothing queued for them). */
  refused: Record<string, string[]>;
  /** Jobs neither done nor in the DLQ. Must be empty. */
  lost: string[];
  /** Failures that did not end with the expected code. */
  unexpected: string[];
  killed: { id: string; pid: number; held: number } | null;
  elapsedMs: number;
}

/** Runs the workload and returns the accounting (it does not throw for a lost job: it counts it). */
export async function runWorkload(options: WorkloadOptions): Promise<Accounting> {
  const { system, client } = options;
  const say = options.onEvent ?? (() => {});
  const started = Date.now();
  const jobs = new Map<string, { name: string; expect?: string }>();
  const unexpected: string[] = [];
  const refused: Record<string, string[]> = {};

  const files = options.photos.map((p) => ({ name: path.basename(p), data: readFileSync(p) }));
  for (const [label, spec] of Object.entries(options.pipelines)) {
    const answer = await client.submit(files, spec, {
      idempotencyKey: `workload-${started}-${label}`,
    });
    for (const job of answer.jobs) jobs.set(job.id, { name: `${job.name} (${label})` });
    say(
      `POST /v1/jobs: ${answer.jobs.length} photos with \`${label}\` → 202, batch ${answer.batchId.slice(0, 8)}`,
    );
  }
  for (const failure of options.failures ?? []) {
    const answer = await client.submit([failure], failure.spec);
    for (const job of answer.jobs) jobs.set(job.id, { name: failure.name, expect: failure.code });
    say(
      `POST /v1/jobs: ${failure.name} → 202 (passes the door; a worker will fail it with ${failure.code})`,
    );
  }
  for (const file of options.hostile ?? []) {
    try {
      await client.submit([file], { steps: [{ name: 'grayscale' }] });
      unexpected.push(`${file.name} was accepted, expected 422 ${file.code}`);
    } catch (error) {
      const code = error instanceof ApiProblemError ? error.problem.code : String(error);
      refused[code] = [...(refused[code] ?? []), file.name];
      if (code !== file.code)
        unexpected.push(`${file.name} refused with ${code}, expected ${file.code}`);
      say(
        `POST /v1/jobs: ${file.name} → ${error instanceof ApiProblemError ? error.status : '?'} ${code}`,
      );
    }
  }

  const total = jobs.size;
  const inspector = system.api.context.inspector;
  let killed: Accounting['killed'] = null;
  let killDone = options.killAt === null;
  const deadline = started + (options.timeoutMs ?? 120_000);
  for (;;) {
    const counts = await inspector.counts();
    const finished = counts.completed + counts.dlq;
    if (!killDone && finished >= total * (options.killAt ?? 0.25)) {
      const owners = new Map<string, number>();
      for (const lease of await inspector.leases()) {
        if (lease.owner) owners.set(lease.owner, (owners.get(lease.owner) ?? 0) + 1);
      }
      const busy = [...owners].find(([id]) =>
        system.driver.replicas().some((r) => r.id === id && r.state === 'ready'),
      );
      if (busy) {
        const victim = system.killWorker(busy[0]);
        if (victim) {
          killed = { ...victim, held: busy[1] };
          say(`SIGKILL ${victim.id} (pid ${victim.pid}) while it held ${busy[1]} task(s)`);
        }
        killDone = true;
      }
    }
    if (counts.pending + counts.processing + counts.delayed === 0 && finished >= total) break;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const views = await Promise.all([...jobs.keys()].map((id) => client.job(id)));
  const dlq: Record<string, string[]> = {};
  const lost: string[] = [];
  let done = 0;
  let downloaded = 0;
  for (const view of views) {
    const job = jobs.get(view.id)!;
    if (view.state === 'completed') {
      done += 1;
      const result = await client.result(view.id);
      if (result.data.length > 0 && result.type.startsWith('image/')) downloaded += 1;
      if (job.expect) unexpected.push(`${job.name} completed, expected ${job.expect}`);
    } else if (view.state === 'dead') {
      const code = view.error?.code ?? 'ERR_UNEXPECTED';
      dlq[code] = [...(dlq[code] ?? []), job.name];
      if (job.expect && job.expect !== code)
        unexpected.push(`${job.name} dead with ${code}, expected ${job.expect}`);
      if (!job.expect) unexpected.push(`${job.name} dead with ${code}`);
    } else {
      lost.push(`${job.name} (${view.state})`);
    }
  }
  return {
    accepted: total,
    done,
    downloaded,
    dlq,
    refused,
    lost,
    unexpected,
    killed,
    elapsedMs: Date.now() - started,
  };
}

/**
 * Files the API must refuse at the door, one per refusal of session 01's safe input (empty,
 * text named .jpg, SVG, forged sizes, truncated, ...) plus a 20000x20000 decompression bomb.
 */
export async function hostileFiles(): Promise<HostileFile[]> {
  const samples = await hostileSamples();
  const files = samples.map((s) => ({
    name: s.name,
    data: s.data,
    code: s.expectedCode as string,
  }));
  files.push({
    name: 'bomb-20000x20000.png',
    data: decompressionBombPng(),
    code: 'ERR_IMAGE_TOO_LARGE',
  });
  return files;
}

/**
 * Files that pass the door and fail in a worker: a JPEG damaged in the middle of its scan (its
 * header and end marker are fine: only decoding finds it) and a crop outside the photo (every
 * parameter in range; only the image's size shows the region does not fit).
 */
export function workerFailures(jpegPhoto: string): WorkerFailure[] {
  const jpeg = readFileSync(jpegPhoto);
  return [
    {
      name: 'damaged-scan.jpg',
      data: damageJpegScan(jpeg),
      spec: { steps: [{ name: 'resize', params: { width: 200 } }], output: { format: 'webp' } },
      code: 'ERR_IMAGE_CORRUPT',
    },
    {
      name: `crop-outside-${path.basename(jpegPhoto)}`,
      data: jpeg,
      spec: { steps: [{ name: 'crop', params: { left: 5000, top: 0, width: 50, height: 50 } }] },
      code: 'ERR_INVALID_OPTION',
    },
  ];
}
