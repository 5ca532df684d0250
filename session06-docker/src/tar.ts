/**
 * A minimal tar writer (POSIX ustar, with a PAX record for long names). The Docker API takes
 * tar archives: the build context (`POST /build`) and files put into a container
 * (`PUT /containers/{id}/archive`). A tar file is only 512-byte headers, each followed by the
 * file's bytes padded to 512, and two empty blocks at the end.
 */

/** One entry of an archive. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, no leading `/` (`src/index.ts`). */
  name: string;
  /** File contents; omit for a directory or a symlink. */
  data?: Buffer | string;
  /** Permission bits. @default 0o644 for files, 0o755 for directories */
  mode?: number;
  /** @default 'file' */
  type?: 'file' | 'directory' | 'symlink';
  /** Target of a symlink. */
  linkTarget?: string;
  /** Modification time, seconds since the epoch. @default 0 */
  mtime?: number;
  /** Owner. @default 0 (root) */
  uid?: number;
  /** Group. @default 0 */
  gid?: number;
}

const BLOCK = 512;
const TYPE_FLAGS = { file: '0', symlink: '2', directory: '5' } as const;

/**
 * Packs entries into one tar archive in memory (fine for build contexts of a few MB).
 * @example
 * const tar = packTar([{ name: 'hello.txt', data: 'hi\n' }]);
 * await container.putArchive(tar, { path: '/data/in' });
 */
export function packTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? null);
    const type = entry.type ?? 'file';
    const name = type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    const split = splitName(name);
    if (!split) {
      // Too long for ustar's name + prefix fields: a PAX extended header carries the path.
      const record = paxRecord('path', name);
      parts.push(header({ name: 'PaxHeader', size: record.length, type: 'x', entry }), pad(record));
    }
    const size = type === 'file' ? (data?.length ?? 0) : 0;
    parts.push(
      header({
        ...(split ?? { name: name.slice(-100), prefix: '' }),
        size,
        type: TYPE_FLAGS[type],
        entry,
      }),
    );
    if (type === 'file' && data) parts.push(pad(data));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** ustar stores names up to 100 bytes, or 155 + `/` + 100 split at a slash. */
function splitName(name: string): { name: string; prefix: string } | null {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100)
      return { name: rest, prefix };
  }
  return null;
}

function paxRecord(key: string, value: string): Buffer {
  // "<length> <key>=<value>\n", where <length> counts the whole record, itself included.
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let length = bodyBytes + String(bodyBytes).length;
  if (String(length).length > String(bodyBytes).length) length = bodyBytes + String(length).length;
  return Buffer.from(`${length}${body}`);
}

function header(h: {
  name: string;
  prefix?: string;
  size: number;
  type: string;
  entry: TarEntry;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  const isDir = h.type === TYPE_FLAGS.directory;
  block.write(h.name, 0, 100, 'utf8');
  octal(block, 100, 8, h.entry.mode ?? (isDir ? 0o755 : 0o644));
  octal(block, 108, 8, h.entry.uid ?? 0);
  octal(block, 116, 8, h.entry.gid ?? 0);
  octal(block, 124, 12, h.size);
  octal(block, 136, 12, Math.floor(h.entry.mtime ?? 0));
  block.fill(' ', 148, 156); // the checksum counts its own field as spaces
  block.write(h.type, 156, 1, 'ascii');
  if (h.entry.linkTarget) block.write(h.entry.linkTarget, 157, 100, 'utf8');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  if (h.prefix) block.write(h.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
