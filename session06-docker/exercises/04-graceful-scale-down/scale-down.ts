/** 06.4 · Scaling down without losing work. */
import type Dockerode from 'dockerode';

/** How one removed worker ended. */
export interface ScaleDownResult {
  name: string;
  /** The container's exit code: 0 for a worker that drained and stopped by itself. */
  exitCode: number;
}

/**
 * Takes the named worker containers away WITHOUT losing work: each gets `docker stop`
 * (SIGTERM, and SIGKILL only after `stopTimeoutS` seconds), is waited for, then removed. All
 * at once. A worker that is already stopped is fine (the engine answers 304).
 */
export async function scaleDown(
  docker: Dockerode,
  names: string[],
  options: { stopTimeoutS: number },
): Promise<ScaleDownResult[]> {
  // 🐨 For every name at once: `docker stop` the container with the timeout (a stopped one
  //    answers 304: not an error), wait until it has exited, read its exit code, remove it.
  void docker;
  void names;
  void options;
  throw new Error('🐨 TODO (06.4): stop each worker gracefully, wait for it, remove it');
}
