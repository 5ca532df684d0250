/**
 * The course's images and how a program gets them: `imgq-worker:0.1.0` and `imgq:0.1.0` are
 * built from `session06-docker/Dockerfile` (two targets of one file), Redis is the official
 * `redis:7-bookworm`. Builds are keyed by the context's digest: an image built from exactly
 * the same files is reused, so a test run builds each image once (or not at all), and parallel
 * test files wait for one build instead of starting their own.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { type BuildEvent, buildImage } from './build.ts';
import { type BuildContext, packContext } from './context.ts';
import { BaseImageMissingError } from './errors.ts';

/** The base of both images (current Node LTS, Debian slim). */
export const NODE_BASE_IMAGE = 'node:24-bookworm-slim';
/** The Redis image of the stacks and of compose.yaml. */
export const REDIS_IMAGE = 'redis:7-bookworm';
/** The worker image: `node bin/imgq-worker.mjs`, health on :8080. */
export const WORKER_IMAGE = 'imgq-worker:0.1.0';
/** The CLI image: ENTRYPOINT `imgq`; sample photos in /photos, pipeline specs in /pipelines. */
export const IMGQ_IMAGE = 'imgq:0.1.0';
/** Label holding the build key (context digest + target) an image was built from. */
export const BUILD_KEY_LABEL = 'io.workbook.build-key';
/** The repository root: the build context of the course's images. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** The course's Dockerfile, relative to {@link REPO_ROOT}. */
export const DOCKERFILE = 'session06-docker/Dockerfile';

/** What {@link ensureImage} did for one image. */
export interface ImageStatus {
  tag: string;
  imageId: string;
  /** Built now (false: reused, same build key). */
  built: boolean;
  /** Steps taken from the layer cache, of the steps run (0/0 when reused). */
  cachedSteps: number;
  steps: number;
  ms: number;
  sizeBytes: number;
}

/** Options of {@link ensureCourseImages}. */
export interface EnsureImagesOptions {
  /** @default REPO_ROOT */
  root?: string;
  /** @default DOCKERFILE */
  dockerfile?: string;
  /** Rebuild even when an image with the same build key exists. @default false */
  force?: boolean;
  /** Build events, with the tag being built. @default none */
  onEvent?: (tag: string, event: BuildEvent) => void;
  /** Tags to give the two images. @default { worker: WORKER_IMAGE, imgq: IMGQ_IMAGE } */
  tags?: { worker: string; imgq: string };
}

/**
 * Makes sure both course images exist and match the files on disk; builds what is missing or
 * stale (one build at a time across processes).
 * @throws {BaseImageMissingError} when node:24-bookworm-slim is absent and cannot be pulled
 * @throws {BuildFailedError} when a step fails
 * @example
 * const { worker, imgq } = await ensureCourseImages(docker, { onEvent: printProgress });
 */
export async function ensureCourseImages(
  docker: Dockerode,
  options: EnsureImagesOptions = {},
): Promise<{ worker: ImageStatus; imgq: ImageStatus }> {
  const tags = options.tags ?? { worker: WORKER_IMAGE, imgq: IMGQ_IMAGE };
  return withFileLock(path.join(tmpdir(), 'workbook-docker-build.lock'), async () => {
    const context = packContext({
      root: options.root ?? REPO_ROOT,
      dockerfile: options.dockerfile ?? DOCKERFILE,
    });
    const worker = await ensureImage(docker, context, {
      ...options,
      tag: tags.worker,
      target: 'worker',
    });
    const imgq = await ensureImage(docker, context, { ...options, tag: tags.imgq, target: 'imgq' });
    return { worker, imgq };
  });
}

/** Options of {@link ensureImage}. */
export interface EnsureImageOptions {
  tag: string;
  target?: string;
  force?: boolean;
  buildArgs?: Record<string, string>;
  onEvent?: (tag: string, event: BuildEvent) => void;
}

/** Builds `tag` from `context` unless an image built from the same key exists. */
export async function ensureImage(
  docker: Dockerode,
  context: BuildContext,
  options: EnsureImageOptions,
): Promise<ImageStatus> {
  const started = performance.now();
  const key = createHash('sha256')
    .update(`${context.digest}\0${context.dockerfile}\0${options.target ?? ''}\0`)
    .update(JSON.stringify(options.buildArgs ?? {}))
    .digest('hex')
    .slice(0, 32);
  const existing = await inspectImage(docker, options.tag);
  if (!options.force && existing?.Config?.Labels?.[BUILD_KEY_LABEL] === key) {
    return status(options.tag, existing, false, 0, 0, started);
  }
  const result = await buildImage(docker, {
    context,
    tag: options.tag,
    ...(options.target ? { target: options.target } : {}),
    ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
    labels: { [BUILD_KEY_LABEL]: key },
    onEvent: (event) => options.onEvent?.(options.tag, event),
  });
  const built = (await inspectImage(docker, options.tag))!;
  const cached = result.steps.filter((s) => s.cached).length;
  return status(options.tag, built, true, cached, result.steps.length, started);
}

function status(
  tag: string,
  image: Dockerode.ImageInspectInfo,
  built: boolean,
  cachedSteps: number,
  steps: number,
  started: number,
): ImageStatus {
  return {
    tag,
    imageId: image.Id,
    built,
    cachedSteps,
    steps,
    ms: performance.now() - started,
    sizeBytes: image.Size,
  };
}

/** The image's inspect data, or `null` when the engine has no such image. */
export async function inspectImage(
  docker: Dockerode,
  tag: string,
): Promise<Dockerode.ImageInspectInfo | null> {
  try {
    return await docker.getImage(tag).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

/**
 * Makes sure an image to run (not to build) is on the engine: pulls it when absent.
 * @throws {BaseImageMissingError} (`ERR_BASE_IMAGE_MISSING`) when it cannot be pulled
 */
export async function ensurePulled(docker: Dockerode, tag: string): Promise<void> {
  if (await inspectImage(docker, tag)) return;
  try {
    const stream = await docker.pull(tag);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null, output: Array<{ error?: string }>) => {
          const failed = output?.find((o) => o.error)?.error;
          if (error || failed) reject(error ?? new Error(failed));
          else resolve();
        },
      );
    });
  } catch (error) {
    throw new BaseImageMissingError(tag, (error as Error).message);
  }
}

/**
 * Runs `fn` holding a lock file (created exclusively; a lock whose process is gone is taken
 * over), so that processes on one machine take turns. Waits up to `timeoutMs`.
 */
export async function withFileLock<T>(
  file: string,
  fn: () => Promise<T>,
  timeoutMs = 15 * 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!holderAlive(file)) {
        try {
          unlinkSync(file);
        } catch {}
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the lock ${file}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(file);
    } catch {}
  }
}

function holderAlive(file: string): boolean {
  let pid: number;
  try {
    const text = readFileSync(file, 'utf8');
    // Created but not yet written: alive, unless its writer died right there long ago.
    if (text === '') return Date.now() - statSync(file).mtimeMs < 5_000;
    pid = Number(text);
  } catch {
    return true; // gone or being replaced: look again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
