/**
 * Exercise 10.4: the API-key check every endpoint runs: who is it (401 when nobody or unknown)
 * and may it do this (403 when its roles do not allow it).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, ApiErrorCodes, type ApiKey, type Role } from '@workbook/session10';

/** The key presented, if it may do `needed`. */
export function authorize(
  keys: readonly ApiKey[],
  presented: string | undefined,
  needed: Role,
): ApiKey {
  // 🐨 1. No key presented: ApiError(401, ApiErrorCodes.UNAUTHORIZED, ...) with the header
  //       { headers: { 'www-authenticate': 'Bearer realm="imgq"' } }.
  // 🐨 2. Find the key comparing sha256 digests with timingSafeEqual (never `===` on secrets).
  //       Unknown: the same 401.
  // 🐨 3. Known, but its roles include neither `needed` nor 'admin': ApiError(403,
  //       ApiErrorCodes.FORBIDDEN, <its name, its roles, what is needed>, { extras: { needed } }).
  // 🐨 4. Return the matching key.
  void [createHash, timingSafeEqual, ApiError, ApiErrorCodes, keys, presented, needed];
  throw new Error('🐨 TODO (10.4): check the API key and its role (see the README)');
}
