/**
 * Building an image through the engine's API (dockerode's `buildImage`), with the progress
 * decoded into events. The engine answers a build with a stream of JSON objects:
 *
 *   {"stream":"Step 7/21 : RUN pnpm fetch --prod\n"}     a step starts
 *   {"stream":" ---> Using cache\n"}                      ... and was taken from the cache
 *   {"stream":"Progress: resolved 138 ...\n"}            what the step prints
 *   {"aux":{"ID":"sha256:01ce..."}}                       the image made
 *   {"error":"The command '/bin/sh -c ...' returned a non-zero code: 2", "errorDetail":{...}}
 *
 * A failed build is NOT a rejected request: the HTTP call succeeded, the stream simply ends
 * with an `error` object. {@link buildImage} turns that into a {@link BuildFailedError} naming
 * the failing step, and a `FROM` image that cannot be pulled into a {@link BaseImageMissingError}.
 */
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { BaseImageMissingError, BuildFailedError, type FailedStep } from './errors.ts';

/** A decoded build event. */
export type BuildEvent =
  | { type: 'step'; index: number; total: number; instruction: string }
  | { type: 'cached'; index: number }
  | { type: 'output'; index: number; line: string }
  | { type: 'built'; imageId: string };

/** Options of {@link buildImage}. */
export interface BuildImageOptions {
  /** The packed context (`packContext`) or a tar archive. */
  context: { tar: Buffer; dockerfile: string } | Buffer;
  /** Path of the Dockerfile inside the context. @default the context's, else 'Dockerfile' */
  dockerfile?: string;
  /** Tag to give the image, e.g. `imgq-worker:0.1.0`. @default none (only an id) */
  tag?: string;
  /** Build stage to stop at (`--target`). @default the last stage */
  target?: string;
  /** `ARG` values. @default {} */
  buildArgs?: Record<string, string>;
  /** Labels added to the image. @default {} */
  labels?: Record<string, string>;
  /**
   * Network of the `RUN` steps. `host` where the engine's containers have no way out
   * (`dockerd --iptables=false`, as in this course's CI); `default` elsewhere.
   * @default 'host'
   */
  network?: string;
  /** Ignore the layer cache. @default false */
  noCache?: boolean;
  /** Called with every decoded event. @default none */
  onEvent?: (event: BuildEvent) => void;
}

/** What a finished build did. */
export interface BuildResult {
  imageId: string;
  /** The steps run, in order, with whether each came from the cache. */
  steps: Array<{ index: number; total: number; instruction: string; cached: boolean }>;
  ms: number;
}

const STEP_LINE = /^Step (\d+)\/(\d+) : (.*)$/;
/** Colour codes the engine wraps around a step's stderr. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const OUTPUT_TAIL = 12;

/**
 * Builds an image and resolves once it is built.
 * @throws {BuildFailedError} (`ERR_BUILD_FAILED`) naming the step, its instruction and its last output
 * @throws {BaseImageMissingError} (`ERR_BASE_IMAGE_MISSING`) when a `FROM` image cannot be found or pulled
 * @example
 * const { imageId } = await buildImage(docker, {
 *   context: packContext({ root, dockerfile: 'session06-docker/Dockerfile' }),
 *   target: 'worker', tag: 'imgq-worker:0.1.0',
 *   onEvent: (e) => e.type === 'step' && console.log(`step ${e.index}/${e.total}`),
 * });
 */
export async function buildImage(
  docker: Dockerode,
  options: BuildImageOptions,
): Promise<BuildResult> {
  const started = performance.now();
  const tar = Buffer.isBuffer(options.context) ? options.context : options.context.tar;
  const dockerfile =
    options.dockerfile ??
    (Buffer.isBuffer(options.context) ? 'Dockerfile' : options.context.dockerfile);
  const buildOptions: Dockerode.ImageBuildOptions = {
    dockerfile,
    ...(options.tag ? { t: options.tag } : {}),
    ...(options.target ? { target: options.target } : {}),
    buildargs: options.buildArgs ?? {},
    labels: options.labels ?? {},
    networkmode: options.network ?? 'host',
    nocache: options.noCache ?? false,
    rm: true,
    forcerm: true,
  };
  const stream = await docker.buildImage(Readable.from([tar]), buildOptions);

  const decoder = new BuildStreamDecoder(options.onEvent, options.buildArgs);
  for await (const chunk of stream as AsyncIterable<Buffer>) decoder.push(chunk);
  return { ...decoder.finish(), ms: performance.now() - started };
}

/**
 * Decodes the engine's build stream (JSON objects, one per line, split anywhere between
 * chunks). Exported for tests and for the log-decoding exercise's curious readers.
 */
export class BuildStreamDecoder {
  readonly steps: BuildResult['steps'] = [];
  #pending = '';
  #imageId = '';
  #output: string[] = [];
  #error: { message: string } | null = null;
  readonly #onEvent: (event: BuildEvent) => void;
  readonly #buildArgs: Record<string, string>;

  constructor(
    onEvent: (event: BuildEvent) => void = () => {},
    buildArgs: Record<string, string> = {},
  ) {
    this.#onEvent = onEvent;
    this.#buildArgs = buildArgs;
  }

  push(chunk: Buffer | string): void {
    this.#pending += chunk.toString();
    const lines = this.#pending.split(/\r?\n/);
    this.#pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) this.#message(JSON.parse(line));
  }

  /** The result, or the build's error. */
  finish(): Omit<BuildResult, 'ms'> {
    if (this.#pending.trim()) this.#message(JSON.parse(this.#pending));
    this.#pending = '';
    if (this.#error) throw this.#failure(this.#error.message);
    if (!this.#imageId) throw this.#failure('the engine ended the build without an image id');
    return { imageId: this.#imageId, steps: this.steps };
  }

  #message(message: {
    stream?: string;
    aux?: { ID?: string };
    error?: string;
    errorDetail?: { message?: string };
  }): void {
    if (message.error || message.errorDetail) {
      this.#error = { message: message.errorDetail?.message ?? message.error ?? 'unknown error' };
      return;
    }
    if (message.aux?.ID) {
      this.#imageId = message.aux.ID;
      this.#onEvent({ type: 'built', imageId: message.aux.ID });
      return;
    }
    for (const raw of (message.stream ?? '').split('\n')) {
      const line = raw.replace(ANSI, '').replace(/\s+$/, '');
      if (!line) continue;
      const step = STEP_LINE.exec(line);
      const current = this.steps.at(-1);
      if (step) {
        const [index, total, instruction] = [Number(step[1]), Number(step[2]), step[3]!];
        this.steps.push({ index, total, instruction, cached: false });
        this.#output = [];
        this.#onEvent({ type: 'step', index, total, instruction });
      } else if (line === ' ---> Using cache' && current) {
        current.cached = true;
        this.#onEvent({ type: 'cached', index: current.index });
      } else if (!line.startsWith(' ---> ') && !/^Removing intermediate container/.test(line)) {
        this.#output = [...this.#output, line].slice(-OUTPUT_TAIL);
        this.#onEvent({ type: 'output', index: current?.index ?? 0, line });
      }
    }
  }

  /** `${NODE_IMAGE}` in a FROM line, from the build args or the `ARG` steps before it. */
  #expand(text: string): string {
    return text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
      if (this.#buildArgs[name] !== undefined) return this.#buildArgs[name];
      for (const step of this.steps) {
        const arg = new RegExp(`^ARG ${name}=(\\S+)`).exec(step.instruction);
        if (arg) return arg[1]!.replace(/^["']|["']$/g, '');
      }
      return whole;
    });
  }

  #failure(message: string): Error {
    const current = this.steps.at(-1);
    const step: FailedStep = {
      index: current?.index ?? 0,
      total: current?.total ?? 0,
      instruction: current?.instruction ?? '',
      output: this.#output,
    };
    const from = /^FROM\s+(\S+)/i.exec(step.instruction);
    if (from && !/returned a non-zero code/.test(message)) {
      return new BaseImageMissingError(this.#expand(from[1]!), message);
    }
    return new BuildFailedError(step, message);
  }
}
