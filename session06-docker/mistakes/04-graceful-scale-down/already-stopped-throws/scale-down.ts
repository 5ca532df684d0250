/** 06.4 · Scaling down without losing work (reference solution). */
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
  return Promise.all(
    names.map(async (name) => {
      const container = docker.getContainer(name);
      await container.stop({ t: options.stopTimeoutS });
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      await container.remove({ v: true });
      return { name, exitCode: StatusCode };
    }),
  );
}
