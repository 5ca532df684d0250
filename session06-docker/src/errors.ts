/**
 * Session 06's error codes. The base class comes from session 01: like every error of the
 * course, these are matched by `code`, and each message says what was wrong and how to fix it.
 */
import { WorkbookError } from '@workbook/session01';

/** Codes added by session 06 (the README's errors table lists each with its fix). */
export const DockerErrorCodes = {
  /** No Docker engine answers (not installed, not started, wrong DOCKER_HOST, no permission). */
  ENGINE_UNAVAILABLE: 'ERR_DOCKER_UNAVAILABLE',
  /** A `FROM` image is not on the engine and cannot be pulled (offline, no registry). */
  BASE_IMAGE_MISSING: 'ERR_BASE_IMAGE_MISSING',
  /** A build step failed; the message names the step (`step 10/21: RUN ...`) and its output. */
  BUILD_FAILED: 'ERR_BUILD_FAILED',
  /** A port to publish is taken by another process or container. */
  PORT_IN_USE: 'ERR_PORT_IN_USE',
  /** Neither `docker compose` (v2) nor `docker-compose` (1.29) is installed. */
  COMPOSE_NOT_FOUND: 'ERR_COMPOSE_NOT_FOUND',
  /** A `docker compose` command failed; the message has its output. */
  COMPOSE_FAILED: 'ERR_COMPOSE_FAILED',
  /** A container exited or stayed unhealthy while the stack waited for it. */
  CONTAINER_FAILED: 'ERR_CONTAINER_FAILED',
  /** `stack ps|scale|logs|kill|stats` found no stack of that name on the engine. */
  STACK_NOT_FOUND: 'ERR_STACK_NOT_FOUND',
  /** A bad command line of `stack` (unknown command, missing number). */
  BAD_ARGUMENT: 'ERR_BAD_ARGUMENT',
} as const;

/** One of {@link DockerErrorCodes}. */
export type DockerErrorCode = (typeof DockerErrorCodes)[keyof typeof DockerErrorCodes];

/** Every failure of session 06's library: a {@link WorkbookError} with a {@link DockerErrorCode}. */
export class DockerError extends WorkbookError<DockerErrorCode> {
  override name = 'DockerError';
}

/** How to get an engine: said whenever none answers. */
export const ENGINE_HELP =
  'Start a Docker engine, then run the command again:\n' +
  '  Docker Desktop (macOS, Windows, Linux): start the app       https://docs.docker.com/desktop/\n' +
  '  Linux: sudo apt-get install -y docker.io && sudo systemctl start docker\n' +
  '  this course on a machine without systemd (CI, a container): sudo bash .ci/docker-setup.sh\n' +
  'Check with `docker info` (or `pnpm run doctor`); a remote engine is used through DOCKER_HOST.';

/** No engine answers at `endpoint`. */
export class EngineUnavailableError extends DockerError {
  override name = 'EngineUnavailableError';
  constructor(endpoint: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      DockerErrorCodes.ENGINE_UNAVAILABLE,
      `No Docker engine answers at ${endpoint} (${reason}).\n${ENGINE_HELP}`,
      { cause },
    );
  }
}

/** What a failed build step looked like. */
export interface FailedStep {
  /** 1-based step number, as the builder prints it (`Step 10/21`). 0 when unknown. */
  index: number;
  /** Steps in the build. 0 when unknown. */
  total: number;
  /** The Dockerfile instruction, e.g. `RUN pnpm fetch --prod`. */
  instruction: string;
  /** The last lines the step printed before it failed. */
  output: string[];
}

/** A build that failed at a step: the engine reports it as an event, this turns it into an error. */
export class BuildFailedError extends DockerError {
  override name = 'BuildFailedError';
  readonly step: FailedStep;
  constructor(step: FailedStep, engineMessage: string) {
    const where =
      step.index > 0 ? `step ${step.index}/${step.total}: ${step.instruction}` : 'before any step';
    const tail = step.output.length > 0 ? `\n  ${step.output.join('\n  ')}` : '';
    super(
      DockerErrorCodes.BUILD_FAILED,
      `The image build failed at ${where}\n${engineMessage.trim()}${tail}\n` +
        'Fix that instruction (or what it runs), then build again: the steps before it are cached.',
    );
    this.step = step;
  }
}

/** A `FROM` image that is neither on the engine nor pullable. */
export class BaseImageMissingError extends DockerError {
  override name = 'BaseImageMissingError';
  readonly image: string;
  constructor(image: string, engineMessage: string) {
    super(
      DockerErrorCodes.BASE_IMAGE_MISSING,
      `The base image \`${image}\` is not on this engine and cannot be pulled (${engineMessage.trim()}).\n` +
        `Online: \`docker pull ${image}\`. Offline (no registry answers, as in this course's CI): ` +
        'build stand-ins with the same tags with `pnpm run docker:offline-images`.',
    );
    this.image = image;
  }
}
