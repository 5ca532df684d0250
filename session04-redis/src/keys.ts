import { describeValue, InvalidOptionError } from '@workbook/session01';

/** Every Redis key one queue uses. Built by {@link queueKeys}, never by hand. */
export interface QueueKeys {
  /** List of task ids waiting to be delivered (LPUSH in, BLMOVE out at the other end). */
  pending: string;
  /** List of task ids delivered to a worker and not yet acked or failed. */
  processing: string;
  /** Hash of counters: `enqueued`, `completed`, `failed`. */
  stats: string;
  /** Prefix of the per-task keys; `task(id)` and `result(id)` append to it. */
  base: string;
  /** Hash holding one task: `data` (JSON), `attempts`, `state`, `startedAt`. */
  task(id: string): string;
  /** String holding the JSON result of one task (with a TTL). */
  result(id: string): string;
}

/**
 * Builds the keys of the queue `name`: `imgq:{images}:pending`, `imgq:{images}:task:<id>`, ...
 *
 * The queue name sits in curly braces, a Redis Cluster *hash tag*: the cluster hashes only the
 * part inside `{}` to pick a slot, so every key of one queue lands in the same slot (and on the
 * same node). That is what lets one Lua script or MULTI touch `pending`, `processing` and a
 * task's hash together — Redis Cluster refuses multi-key commands that span slots. On a single
 * Redis the braces are just characters.
 *
 * @param name the queue name (letters, digits, `-`, `_`, `.`, `:`; no braces)
 * @param prefix the first segment of every key
 * @default prefix `'imgq'`
 * @throws {InvalidOptionError} when the name or the prefix is empty or contains `{`, `}` or spaces
 * @example
 * queueKeys('images').pending        // 'imgq:{images}:pending'
 * queueKeys('images').task('42')     // 'imgq:{images}:task:42'
 */
export function queueKeys(name: string, prefix = 'imgq'): QueueKeys {
  checkSegment('name', name);
  checkSegment('prefix', prefix);
  const base = `${prefix}:{${name}}`;
  return {
    pending: `${base}:pending`,
    processing: `${base}:processing`,
    stats: `${base}:stats`,
    base,
    task: (id) => `${base}:task:${id}`,
    result: (id) => `${base}:result:${id}`,
  };
}

const SEGMENT = /^[A-Za-z0-9_.:-]+$/;

function checkSegment(what: 'name' | 'prefix', value: string): void {
  if (typeof value !== 'string' || !SEGMENT.test(value)) {
    throw new InvalidOptionError(
      `Expected queue \`${what}\` to be a non-empty string of letters, digits, \`-\`, \`_\`, ` +
        `\`.\` or \`:\`, got ${describeValue(value)}`,
    );
  }
}
