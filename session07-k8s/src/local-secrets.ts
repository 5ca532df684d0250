/**
 * No password in git, yet a fresh clone renders: a `secretGenerator` env file that is missing
 * is created from the committed `<file>.example` next to it, every empty value filled with a
 * random secret. The file is git-ignored and never overwritten.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { K8sError, K8sErrorCodes } from './errors.ts';

/** Options of {@link ensureSecretFile}. */
export interface SecretFileOptions {
  /** Create the file when it is missing. @default true */
  createMissingSecrets?: boolean;
  /** Called with the path of the file created. @default nothing */
  onCreated?: (file: string) => void;
}

const SECRET_BYTES = 24;

/**
 * Creates a missing secret env file from `<file>.example`: lines `KEY=` (empty) get a random
 * hex secret, everything else is copied. Never overwrites: an existing file is left alone,
 * and two processes racing to create it cannot both write (`wx`).
 */
export function ensureSecretFile(file: string, options: SecretFileOptions = {}): boolean {
  if (options.createMissingSecrets === false || existsSync(file)) return false;
  const example = `${file}.example`;
  if (!existsSync(example)) return false;
  const text = readFileSync(example, 'utf8').replace(
    /^(\s*[A-Za-z_][A-Za-z0-9_]*)=[ \t]*$/gm,
    (_, key: string) => {
      return `${key}=${randomHex(SECRET_BYTES)}`;
    },
  );
  try {
    writeSecret(file, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new K8sError(
      K8sErrorCodes.MANIFESTS_NOT_FOUND,
      `Cannot create ${file} from ${example}: ${(error as Error).message}. Create it by hand: copy the example and fill in the values.`,
      { cause: error },
    );
  }
  options.onCreated?.(file);
  return true;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * Creates `file` with `text` atomically and only if it does not exist: written to a private
 * temporary file first, then hard-linked into place (EEXIST when another process won), so a
 * concurrent reader never sees a half-written secret.
 */
function writeSecret(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.${randomHex(4)}.tmp`;
  writeFileSync(temporary, text, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}
