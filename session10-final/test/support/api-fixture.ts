/**
 * A real API for tests: a private Redis (testkit), a temp storage folder, three keys (submit,
 * read, admin), Fastify's `inject`, and a checker of responses against `/openapi.json`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import {
  type Api,
  type ApiConfig,
  type ApiOptions,
  createApi,
  DEFAULT_LIMITS,
  parseApiKeys,
} from '../../src/index.ts';

export const KEYS = {
  submit: 'submit-key-0123456789',
  read: 'read-key-0123456789',
  admin: 'admin-key-0123456789',
  both: 'both-key-0123456789',
};

export function testConfig(
  redisUrl: string,
  storageDir: string,
  more: Partial<ApiConfig> = {},
): ApiConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    redisUrl,
    queue: uniqueName('api'),
    storageDir,
    apiKeys: parseApiKeys(
      `submitter:${KEYS.submit}:submit,reader:${KEYS.read}:read,ops:${KEYS.admin}:admin,app:${KEYS.both}:submit+read`,
    ),
    corsOrigins: [],
    limits: { ...DEFAULT_LIMITS },
    rateLimit: { max: 10_000, windowMs: 60_000 },
    retentionMs: 3_600_000,
    cleanupIntervalMs: 3_600_000,
    logLevel: 'silent',
    ...more,
  };
}

/** A running API on a private Redis; `close()` removes everything. */
export interface TestApi {
  api: Api;
  redis: RedisServerHandle;
  storage: string;
  close(): Promise<void>;
}

export async function startTestApi(
  more: Partial<ApiConfig> = {},
  options: Partial<ApiOptions> = {},
  redis?: RedisServerHandle,
): Promise<TestApi> {
  const server = redis ?? (await testRedis());
  const storage = mkdtempSync(path.join(os.tmpdir(), 'imgq-api-'));
  const api = await createApi({
    config: testConfig(server.url, storage, more),
    logger: false,
    eventIntervalMs: 100,
    ...options,
  });
  return {
    api,
    redis: server,
    storage,
    async close() {
      await api.close();
      if (!redis) await server.stop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Builds a multipart body (what a browser's FormData sends). */
export function multipart(
  files: Array<{ name: string; data: Buffer; type?: string; field?: string }>,
  fields: Record<string, string> = {},
): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----imgq${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'images'}"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};

/** Checks answers against the API's own OpenAPI document. */
export class OpenApiChecker {
  readonly doc: Doc;
  readonly #ajv: Ajv2020;
  readonly #seen = new Set<string>();

  constructor(doc: Doc) {
    this.doc = doc;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    this.#ajv.addFormat('binary', true);
  }

  static async of(api: Api): Promise<OpenApiChecker> {
    const response = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    return new OpenApiChecker(response.json() as Doc);
  }

  /** Asserts the response is documented for this route and matches its schema. */
  check(
    method: string,
    route: string,
    response: { statusCode: number; headers: Record<string, unknown>; body: string },
  ): void {
    const operation = this.doc.paths[route]?.[method.toLowerCase()];
    expect(operation, `🚨 ${method} ${route} is not in /openapi.json`).toBeDefined();
    const documented = operation!.responses[String(response.statusCode)];
    expect(
      documented,
      `🚨 ${method} ${route} answered ${response.statusCode}, which /openapi.json does not document`,
    ).toBeDefined();
    const type = String(response.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    this.#seen.add(`${method.toUpperCase()} ${route} ${response.statusCode}`);
    if (!documented!.content || response.statusCode === 304) return;
    const entry =
      documented!.content[type] ??
      Object.entries(documented!.content).find(
        ([t]) => t.endsWith('/*') && type.startsWith(t.slice(0, -1)),
      )?.[1];
    expect(
      entry,
      `🚨 ${method} ${route} ${response.statusCode} answered ${type}, documented: ${Object.keys(documented!.content).join(', ')}`,
    ).toBeDefined();
    if (!type.includes('json')) return;
    const validate = this.#ajv.compile(entry!.schema as object);
    const ok = validate(JSON.parse(response.body));
    expect(
      ok,
      `🚨 ${method} ${route} ${response.statusCode} does not match its schema: ${this.#ajv.errorsText(validate.errors)}`,
    ).toBe(true);
  }

  /** Every (method, route, status) checked so far. */
  get seen(): string[] {
    return [...this.#seen].sort();
  }
}
