/**
 * Running Docker Compose from a program. Two implementations are in the wild and the course's
 * compose.yaml works with both: Compose v2, a plugin of the docker CLI (`docker compose`), and
 * the older Python `docker-compose` 1.29 (still Debian 12's package). This finds one and runs it.
 */
import { spawn } from 'node:child_process';
import { DockerError, DockerErrorCodes } from './errors.ts';

/** A Compose implementation found on this machine. */
export interface ComposeCommand {
  /** The program: `docker` (v2 plugin) or `docker-compose`. */
  command: string;
  /** Arguments before the compose arguments: `['compose']` for v2, `[]` for 1.29. */
  prefix: string[];
  /** e.g. `2.26.1` or `1.29.2`. */
  version: string;
  /** Whether it is Compose v2. */
  v2: boolean;
}

/** What a Compose run printed and how it ended. */
export interface ComposeResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
) {
  return new Promise<ComposeResult>((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Every Compose implementation installed: v2 first. */
export async function findComposeCommands(): Promise<ComposeCommand[]> {
  const found: ComposeCommand[] = [];
  const v2 = await run('docker', ['compose', 'version', '--short']);
  if (v2.code === 0)
    found.push({
      command: 'docker',
      prefix: ['compose'],
      version: v2.stdout.trim().replace(/^v/, ''),
      v2: true,
    });
  const v1 = await run('docker-compose', ['version', '--short']);
  if (v1.code === 0) {
    const version = v1.stdout.trim().replace(/^v/, '');
    // Compose v2 also installs a `docker-compose` link to itself: count it once.
    if (!found.some((c) => c.version === version))
      found.push({ command: 'docker-compose', prefix: [], version, v2: version.startsWith('2') });
  }
  return found;
}

/**
 * The Compose implementation to use: v2 when installed, else docker-compose 1.29.
 * @throws {DockerError} (`ERR_COMPOSE_NOT_FOUND`) with how to install one.
 */
export async function findCompose(): Promise<ComposeCommand> {
  const [first] = await findComposeCommands();
  if (first) return first;
  throw new DockerError(
    DockerErrorCodes.COMPOSE_NOT_FOUND,
    'Neither `docker compose` (v2) nor `docker-compose` is installed. Docker Desktop includes ' +
      'Compose v2; on Linux install the plugin (`sudo apt-get install docker-compose-plugin` from ' +
      "Docker's repository, or `sudo apt-get install docker-compose` for 1.29), or run " +
      '`sudo bash .ci/docker-setup.sh`.',
  );
}

/** Options of {@link runCompose}. */
export interface RunComposeOptions {
  /** @default the result of findCompose() */
  compose?: ComposeCommand;
  /** The compose file. */
  file: string;
  /** Project name (prefix of container, network and volume names; `-p`). */
  project: string;
  /** Variables for `${...}` in the file, added to this process's environment. @default {} */
  env?: Record<string, string>;
  /** Throw when Compose exits non-zero. @default true */
  check?: boolean;
  /** @default 300000 */
  timeoutMs?: number;
}

/**
 * Runs `docker compose -p <project> -f <file> <args...>`.
 * @throws {DockerError} (`ERR_COMPOSE_FAILED`) when it exits non-zero (unless `check: false`)
 * @example
 * await runCompose(['up', '-d', '--no-build'], { file: 'session06-docker/compose.yaml', project: 'imgq' });
 */
export async function runCompose(
  args: string[],
  options: RunComposeOptions,
): Promise<ComposeResult> {
  const compose = options.compose ?? (await findCompose());
  const result = await run(
    compose.command,
    [...compose.prefix, '-p', options.project, '-f', options.file, ...args],
    {
      env: { ...process.env, ...options.env },
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    },
  );
  if (result.code !== 0 && options.check !== false) {
    throw new DockerError(
      DockerErrorCodes.COMPOSE_FAILED,
      `\`${[compose.command, ...compose.prefix, ...args].join(' ')}\` exited with code ${result.code}:\n` +
        `${(result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')}`,
    );
  }
  return result;
}
