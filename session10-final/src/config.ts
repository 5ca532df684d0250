/**
 * The API process's settings, from the environment (the deployable contract, like session 05's
 * worker): checked once at start-up, every mistake named with what to write instead.
 */
import { WorkbookError } from '@workbook/session01';
import { type ApiKey, parseApiKeys } from './auth.ts';
import { ApiErrorCodes } from './errors.ts';

/** Byte and count limits of uploads. */
export interface UploadLimits {
  /** Largest file, bytes. @default 10 MiB */
  maxFileBytes: number;
  /** Largest request (all files together), bytes. @default 40 MiB */
  maxRequestBytes: number;
  /** Most files in one request. @default 20 */
  maxFiles: number;
  /** Largest width x height of an image (session 01's decompression-bomb guard). @default 40 MP */
  maxPixels: number;
}

/** Everything the API needs to run. */
export interface ApiConfig {
  port: number;
  host: string;
  redisUrl: string;
  queue: string;
  /** The folder shared with the workers: `uploads/` (their INPUT_ROOT) and `results/` (OUTPUT_ROOT). */
  storageDir: string;
  apiKeys: ApiKey[];
  /** Origins allowed by CORS; empty: CORS closed (no Access-Control-* headers). */
  corsOrigins: string[];
  limits: UploadLimits;
  /** Requests per key (or address without a key) per window. @default 120 per 60 s */
  rateLimit: { max: number; windowMs: number };
  /** How long uploads and results are kept. @default 24 h */
  retentionMs: number;
  /** How often the storage is cleaned. @default 10 min */
  cleanupIntervalMs: number;
  logLevel: string;
}

export const DEFAULT_LIMITS: Readonly<UploadLimits> = Object.freeze({
  maxFileBytes: 10 * 1024 * 1024,
  maxRequestBytes: 40 * 1024 * 1024,
  maxFiles: 20,
  maxPixels: 40_000_000,
});

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new WorkbookError(
      ApiErrorCodes.INVALID_CONFIG,
      `${name}=${JSON.stringify(text)} is not a whole number >= ${min}; unset it for the default ${fallback}`,
    );
  }
  return value;
}

/**
 * Reads the API's settings: PORT (8080), HOST (0.0.0.0), REDIS_URL, QUEUE (images),
 * STORAGE_DIR (required), API_KEYS (or API_KEYS_FILE, a mounted Secret), CORS_ORIGINS,
 * MAX_FILE_BYTES, MAX_REQUEST_BYTES, MAX_FILES, MAX_PIXELS, RATE_LIMIT_MAX,
 * RATE_LIMIT_WINDOW_MS, RETENTION_MS, CLEANUP_INTERVAL_MS, LOG_LEVEL.
 * @throws {WorkbookError} `ERR_INVALID_CONFIG` naming the variable.
 */
export function loadApiConfig(
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = () => '',
): ApiConfig {
  const storageDir = env.STORAGE_DIR;
  if (!storageDir) {
    throw new WorkbookError(
      ApiErrorCodes.INVALID_CONFIG,
      'STORAGE_DIR is not set: name the folder shared with the workers (a volume in Compose and Kubernetes)',
    );
  }
  const keyText = env.API_KEYS_FILE ? readFile(env.API_KEYS_FILE) : (env.API_KEYS ?? '');
  const apiKeys = parseApiKeys(keyText.trim());
  if (apiKeys.length === 0) {
    throw new WorkbookError(
      ApiErrorCodes.INVALID_CONFIG,
      'No API key configured: set API_KEYS=name:key:role+role,... (or API_KEYS_FILE to a mounted Secret)',
    );
  }
  return {
    port: whole(env, 'PORT', 8080, 0),
    host: env.HOST || '0.0.0.0',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    queue: env.QUEUE || 'images',
    storageDir,
    apiKeys,
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    limits: {
      maxFileBytes: whole(env, 'MAX_FILE_BYTES', DEFAULT_LIMITS.maxFileBytes, 1),
      maxRequestBytes: whole(env, 'MAX_REQUEST_BYTES', DEFAULT_LIMITS.maxRequestBytes, 1),
      maxFiles: whole(env, 'MAX_FILES', DEFAULT_LIMITS.maxFiles, 1),
      maxPixels: whole(env, 'MAX_PIXELS', DEFAULT_LIMITS.maxPixels, 1),
    },
    rateLimit: {
      max: whole(env, 'RATE_LIMIT_MAX', 120, 1),
      windowMs: whole(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1),
    },
    retentionMs: whole(env, 'RETENTION_MS', 86_400_000, 1),
    cleanupIntervalMs: whole(env, 'CLEANUP_INTERVAL_MS', 600_000, 1),
    logLevel: env.LOG_LEVEL || 'info',
  };
}
