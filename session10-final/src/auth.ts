/**
 * The reference of exercise 10.4: API keys with roles, from the environment (or a mounted
 * Secret), and the check every endpoint runs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WorkbookError } from '@workbook/session01';
import { ApiError, ApiErrorCodes } from './errors.ts';

/** What a key may do. `admin` may do everything. */
export const ROLES = ['submit', 'read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A configured key. */
export interface ApiKey {
  /** A name for logs and rate limits (never the secret). */
  id: string;
  /** The secret the client presents. */
  key: string;
  roles: Role[];
}

/**
 * Parses `API_KEYS`: comma-separated `name:key:role+role` entries, e.g.
 * `alice:k3y-of-alice-123:submit+read,ops:0ps-admin-key-456:admin`. Keys are at least 12
 * characters; names and keys are unique.
 * @throws {WorkbookError} `ERR_INVALID_CONFIG` naming the entry and what to write.
 */
export function parseApiKeys(text: string): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const [n, raw] of text.split(',').entries()) {
    const entry = raw.trim();
    if (entry === '') continue;
    const parts = entry.split(':');
    const fail = (why: string): never => {
      throw new WorkbookError(
        ApiErrorCodes.INVALID_CONFIG,
        `API_KEYS entry ${n + 1}: ${why}; write name:key:role+role, e.g. alice:k3y-of-alice-123:submit+read`,
      );
    };
    if (parts.length !== 3) fail('expected three parts separated by `:`');
    const [id, key, roleText] = parts as [string, string, string];
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id))
      fail(`the name \`${id}\` is not 1-64 letters, digits, -, _ or .`);
    if (key.length < 12) fail(`the key of \`${id}\` is shorter than 12 characters`);
    const roles = roleText.split('+').map((r) => r.trim());
    for (const role of roles) {
      if (!(ROLES as readonly string[]).includes(role))
        fail(`unknown role \`${role}\` (roles: ${ROLES.join(', ')})`);
    }
    if (keys.some((k) => k.id === id || k.key === key))
      fail(`\`${id}\` or its key is listed twice`);
    keys.push({ id, key, roles: roles as Role[] });
  }
  return keys;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The key presented (`Authorization: Bearer <key>` or `X-API-Key`) if it may do `needed`.
 * Keys are compared in constant time (digests), so timing does not reveal a prefix.
 * @throws {ApiError} 401 `ERR_UNAUTHORIZED` (with `WWW-Authenticate`) for no key or an unknown
 * one; 403 `ERR_FORBIDDEN` for a known key without the role (`admin` has every role).
 */
export function authorize(
  keys: readonly ApiKey[],
  presented: string | undefined,
  needed: Role,
): ApiKey {
  const challenge = { headers: { 'www-authenticate': 'Bearer realm="imgq"' } };
  if (!presented) {
    throw new ApiError(
      401,
      ApiErrorCodes.UNAUTHORIZED,
      'This endpoint needs an API key: send `Authorization: Bearer <key>` (or `X-API-Key: <key>`)',
      challenge,
    );
  }
  const given = digest(presented);
  const match = keys.find((k) => timingSafeEqual(digest(k.key), given));
  if (!match) {
    throw new ApiError(
      401,
      ApiErrorCodes.UNAUTHORIZED,
      'The API key is not known to this server',
      challenge,
    );
  }
  if (!match.roles.includes(needed) && !match.roles.includes('admin')) {
    throw new ApiError(
      403,
      ApiErrorCodes.FORBIDDEN,
      `The key \`${match.id}\` has the role(s) ${match.roles.join(', ')}; this endpoint needs \`${needed}\``,
      { extras: { needed } },
    );
  }
  return match;
}

/** The key a request presents, from `Authorization: Bearer` or `X-API-Key`. */
export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}
