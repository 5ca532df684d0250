/**
 * The build context: the files a build may `COPY`, sent to the engine as one tar archive,
 * filtered by `.dockerignore` like the CLI does. Its digest (contents and modes, not times)
 * names what an image was built from, so a test run can reuse an image built from the same
 * files instead of building it again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { contextFiles, type IgnorePattern, readDockerignore } from './dockerignore.ts';
import { packTar, type TarEntry } from './tar.ts';

/** Options of {@link packContext}. */
export interface PackContextOptions {
  /** The context folder (the course builds from the repository root). */
  root: string;
  /**
   * The Dockerfile, absolute or relative to `root`. Always sent, even when `.dockerignore`
   * leaves it out (as the CLI does); one outside `root` is sent as `.workbook.Dockerfile`.
   * @default 'Dockerfile'
   */
  dockerfile?: string;
  /**
   * Files to send with other contents than on disk (or to add), by context path: how the
   * bench measures a rebuild after a one-file edit without touching the repository.
   * @default {}
   */
  overrides?: Record<string, string | Buffer>;
  /** @default the patterns of `<root>/.dockerignore` */
  ignore?: readonly IgnorePattern[];
}

/** A packed context, ready for {@link buildImage}. */
export interface BuildContext {
  /** The tar archive. */
  tar: Buffer;
  /** The files in it, sorted. */
  files: string[];
  /** Bytes of file contents (the archive is a little larger). */
  bytes: number;
  /** sha256 of every file's path, mode and contents (hex). */
  digest: string;
  /** Path of the Dockerfile inside the context, for the build's `dockerfile` option. */
  dockerfile: string;
}

/**
 * Packs a build context in memory.
 * @example
 * const context = packContext({ root: repoRoot, dockerfile: 'session06-docker/Dockerfile' });
 * console.log(`${context.files.length} files, ${context.bytes} bytes`);
 */
export function packContext(options: PackContextOptions): BuildContext {
  const root = path.resolve(options.root);
  const ignore = options.ignore ?? readDockerignore(root);
  const dockerfileAbs = path.resolve(root, options.dockerfile ?? 'Dockerfile');
  const relDockerfile = path.relative(root, dockerfileAbs).split(path.sep).join('/');
  const inside = !relDockerfile.startsWith('..') && !path.isAbsolute(relDockerfile);
  const dockerfile = inside ? relDockerfile : '.workbook.Dockerfile';

  const entries = new Map<string, TarEntry>();
  for (const file of contextFiles(root, ignore)) {
    const mtime = Math.floor(file.stats.mtimeMs / 1000);
    entries.set(
      file.name,
      file.stats.isSymbolicLink()
        ? { name: file.name, type: 'symlink', linkTarget: readlinkSync(file.absolute), mtime }
        : {
            name: file.name,
            data: readFileSync(file.absolute),
            mode: file.stats.mode & 0o7777,
            mtime,
          },
    );
  }
  for (const [name, absolute] of [
    [dockerfile, dockerfileAbs],
    ['.dockerignore', path.join(root, '.dockerignore')],
  ] as const) {
    if (entries.has(name)) continue;
    try {
      entries.set(name, { name, data: readFileSync(absolute), mode: 0o644 });
    } catch (error) {
      if (name === dockerfile) throw error;
    }
  }
  for (const [name, data] of Object.entries(options.overrides ?? {})) {
    entries.set(name, { ...entries.get(name), name, data, type: 'file' });
  }

  const sorted = [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const hash = createHash('sha256');
  let bytes = 0;
  for (const entry of sorted) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : entry.data;
    bytes += data?.length ?? 0;
    hash.update(`${entry.name}\0${entry.type ?? 'file'}\0${(entry.mode ?? 0).toString(8)}\0`);
    hash.update(data ?? entry.linkTarget ?? '');
    hash.update('\0');
  }
  return {
    tar: packTar(sorted),
    files: sorted.map((e) => e.name),
    bytes,
    digest: hash.digest('hex'),
    dockerfile,
  };
}
