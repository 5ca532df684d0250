import { randomBytes } from 'node:crypto';
import { open, realpath, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { describeValue, ImageErrorCodes, WorkbookError } from '@workbook/session01';
import { PathOutsideRootError } from './errors.ts';

/**
 * Resolves `target` (relative to `root`, or absolute) and guarantees the result lies inside
 * `root`, so that a pipeline spec or task from an untrusted source cannot make the process read
 * or write anywhere else. The file itself does not have to exist yet (outputs usually don't),
 * but every folder on the way that exists is resolved through `realpath`, so a symlink that
 * points out of the root is caught.
 *
 * A check like this is only as good as the moment it runs: someone who can create symlinks
 * inside the root between this check and the open can still race it. It protects against
 * hostile *specs*, not against hostile users of the same machine.
 *
 * @returns the absolute path, with the root's symlinks resolved.
 * @throws {PathOutsideRootError} (`ERR_PATH_OUTSIDE_ROOT`) for `..` that climbs out, an absolute
 *   path elsewhere, a symlink leading out, a NUL byte, or a non-string.
 * @throws {WorkbookError} (`ERR_FILE_NOT_FOUND`) when `root` itself does not exist.
 * @example
 * await resolveInside('/data/in', 'cats/tom.jpg'); // '/data/in/cats/tom.jpg'
 * await resolveInside('/data/in', '../../etc/passwd'); // throws ERR_PATH_OUTSIDE_ROOT
 */
export async function resolveInside(root: string, target: string): Promise<string> {
  if (typeof target !== 'string' || target.length === 0) {
    throw new PathOutsideRootError(
      `Expected a non-empty path string inside \`${root}\`, got ${describeValue(target)}`,
    );
  }
  if (target.includes('\0') || root.includes('\0')) {
    throw new PathOutsideRootError(
      `Path ${describeValue(target)} contains a NUL byte; paths must be plain text`,
    );
  }
  const realRoot = await realRootOf(root);
  const lexical = path.resolve(realRoot, target);
  assertInside(realRoot, lexical, target, root);
  const real = await realpathOfExistingPart(lexical);
  assertInside(realRoot, real, target, root);
  return real;
}

async function realRootOf(root: string): Promise<string> {
  try {
    return await realpath(path.resolve(root));
  } catch (error) {
    throw new WorkbookError(
      ImageErrorCodes.FILE_NOT_FOUND,
      `Root folder \`${root}\` does not exist; create it or pass an existing folder`,
      { cause: error },
    );
  }
}

function assertInside(realRoot: string, candidate: string, target: string, root: string): void {
  const relative = path.relative(realRoot, candidate);
  const outside = relative === '..' || relative.startsWith(`..${path.sep}`);
  if (outside || path.isAbsolute(relative)) {
    throw new PathOutsideRootError(
      `Path \`${target}\` resolves to \`${candidate}\`, which is outside the allowed folder ` +
        `\`${root}\`; use a path inside it (no \`..\`, no symlinks leading out)`,
    );
  }
}

/**
 * `realpath` of the deepest part of `absolute` that exists, with the missing rest appended.
 * Only existing parts can be symlinks, so this is enough to see where a write would land.
 */
async function realpathOfExistingPart(absolute: string): Promise<string> {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      const real = await realpath(current);
      return path.join(real, ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Writes `data` to `filePath` atomically: the bytes go to a temporary file in the same folder,
 * which is flushed to disk and then renamed over the target. A crash at any moment leaves either
 * the old file or the complete new one, never half an image (session 03's workers rely on this
 * when a task is retried).
 *
 * @throws the file system error when the folder does not exist or is not writable.
 * @example
 * await writeFileAtomic('out/cat.webp', buffer);
 */
export async function writeFileAtomic(filePath: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(filePath);
  // A dot-file with a .tmp suffix: never mistaken for an image by a batch scanning the folder.
  const temp = path.join(
    dir,
    `.${path.basename(filePath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, filePath);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
