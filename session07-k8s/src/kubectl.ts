/**
 * Running `kubectl`: one helper with a timeout, so that no command of the course can hang on
 * a cluster that does not answer, and one clear error when kubectl is not installed.
 */
import { spawn } from 'node:child_process';
import { K8sError, K8sErrorCodes } from './errors.ts';

/** Options of {@link runKubectl}. */
export interface KubectlOptions {
  /** The kubectl executable. @default process.env.KUBECTL ?? 'kubectl' */
  kubectl?: string;
  /** Kill kubectl after this long (the result then has `timedOut: true`). @default 60_000 */
  timeoutMs?: number;
  /** Environment of the child. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Working directory. @default process.cwd() */
  cwd?: string;
  /** Written to kubectl's stdin, then stdin is closed. @default nothing (stdin closed) */
  input?: string;
}

/** What one kubectl run did. */
export interface KubectlResult {
  /** Exit code (`null` when killed). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The kubectl a command uses: `options.kubectl`, else `$KUBECTL`, else `kubectl`. */
export function kubectlPath(options: KubectlOptions = {}): string {
  return options.kubectl ?? options.env?.KUBECTL ?? process.env.KUBECTL ?? 'kubectl';
}

/**
 * Runs `kubectl <args>` and collects its output. Resolves for any exit code (callers decide
 * what a failure means); rejects only when kubectl cannot be started.
 * @throws {K8sError} `ERR_KUBECTL_NOT_FOUND` when the executable does not exist.
 * @example const { stdout } = await runKubectl(['kustomize', 'k8s/overlays/dev']);
 */
export function runKubectl(
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  const bin = kubectlPath(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') {
        reject(
          new K8sError(
            K8sErrorCodes.KUBECTL_NOT_FOUND,
            `Cannot run \`${bin}\`: it is not installed or not on the PATH. Install kubectl ` +
              '(https://kubernetes.io/docs/tasks/tools/), or point $KUBECTL at it. ' +
              '`pnpm run doctor` checks it.',
            { cause: error },
          ),
        );
      } else reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
  });
}
