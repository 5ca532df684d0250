/**
 * Exercise 10.4: the API-key check every endpoint runs: who is it (401 when nobody or unknown)
 * and may it do this (403 when its roles do not allow it).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, ApiErrorCodes, type ApiKey, type Role } from '@workbook/session10';

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
      {},
    );
  }
  return match;
}
