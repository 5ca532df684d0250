/**
 * Labels on everything the course creates (containers, networks, volumes, images), so that it
 * can all be found and removed again by label — after a test, a demo, a crash or a Ctrl-C —
 * without touching anything else on the engine.
 */
import type Dockerode from 'dockerode';

/** Every object of a stack carries `io.workbook.stack=<stack name>`. */
export const STACK_LABEL = 'io.workbook.stack';
/** What the object is in its stack: `redis`, `worker`, `producer`, `network`, `volume`, ... */
export const ROLE_LABEL = 'io.workbook.role';
/** Marks objects made by one test run or demo run (its id), for clean-up by run. */
export const RUN_LABEL = 'io.workbook.run';

/** Labels of one object of stack `stack`, plus any `extra` labels. */
export function stackLabels(
  stack: string,
  role: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...extra, [STACK_LABEL]: stack, [ROLE_LABEL]: role };
}

/** What {@link removeLabelled} removed. */
export interface RemovedObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/**
 * Removes every container (with its anonymous volumes), network and volume carrying `label`
 * (`key=value`, or `key` for any value). Containers go first: a network or volume in use cannot
 * be removed. Errors on single objects (already gone) are ignored; what was removed is returned.
 *
 * @example
 * afterAll(() => removeLabelled(docker, `${RUN_LABEL}=${runId}`));
 */
export async function removeLabelled(docker: Dockerode, label: string): Promise<RemovedObjects> {
  const filters = { label: [label] };
  const removed: RemovedObjects = { containers: [], networks: [], volumes: [] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map(async (info) => {
      try {
        await docker.getContainer(info.Id).remove({ force: true, v: true });
        removed.containers.push(info.Names[0]?.replace(/^\//, '') ?? info.Id);
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    }),
  );
  for (const network of await docker.listNetworks({ filters })) {
    try {
      await docker.getNetwork(network.Id).remove();
      removed.networks.push(network.Name);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const volume of Volumes ?? []) {
    try {
      await docker.getVolume(volume.Name).remove();
      removed.volumes.push(volume.Name);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  return removed;
}

/** Whether a dockerode error means the object is already gone (404) or going (409 removal). */
export function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number } | null)?.statusCode;
  return status === 404 || (status === 409 && /removal .* in progress/i.test(String(error)));
}
