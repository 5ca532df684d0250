/**
 * The HTTP API: Fastify with its own plugins (multipart, rate limit, OpenAPI, static files,
 * CORS), versioned under `/v1`, in front of session 05's reliable queue. `createApi` builds it
 * on a Redis and a storage folder; `api.app.listen()` serves it; `api.close()` stops it.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { FilterFactory } from '@workbook/session02';
import { ReliableTaskQueue } from '@workbook/session05';
import { QueueExporter, TaskEventLog } from '@workbook/session09';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { ApiContext } from './api-context.ts';
import { presentedKey } from './auth.ts';
import type { ApiConfig } from './config.ts';
import { ApiError, ApiErrorCodes } from './errors.ts';
import { EventHub, type ScalerView } from './events.ts';
import { redisIdempotencyStore } from './idempotency.ts';
import { JobStore } from './jobs.ts';
import { createApiMetrics } from './metrics.ts';
import { type ApiPieces, REFERENCE_PIECES } from './pieces.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerSystemRoutes } from './routes/system.ts';
import { Storage } from './storage.ts';

export type { ApiContext } from './api-context.ts';

/** The dashboard's files, shipped with the package. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** Options of {@link createApi}. */
export interface ApiOptions {
  config: ApiConfig;
  /** The exercise pieces to run. @default the library's references */
  pieces?: ApiPieces;
  /** The autoscaler's view for `/v1/workers` and the dashboard, when one runs. */
  scaler?: () => ScalerView | null;
  /** Fastify's logger: `false` (tests), or pino options. @default { level: config.logLevel } */
  logger?: boolean | { level: string };
  /** How often the event hub polls. @default 500 */
  eventIntervalMs?: number;
  /** The Prometheus registry `/metrics` serves. @default a new one */
  registry?: Registry;
}

/** A running API. */
export interface Api {
  app: FastifyInstance;
  context: ApiContext;
  /** Closes the server, the hub, the cleanup timer and the Redis connections. */
  close(): Promise<void>;
}

/** The rate-limit bucket of a request: its key's digest, or its address. */
function bucketOf(request: FastifyRequest): string {
  const key = presentedKey(request.headers);
  return key
    ? `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`
    : `ip:${request.ip}`;
}

/**
 * Builds the API (connected to Redis, routes registered, the event hub and storage cleanup
 * running); call `app.listen()` to serve it.
 * @throws the queue's connection error when Redis does not answer within 3 s.
 */
export async function createApi(options: ApiOptions): Promise<Api> {
  const { config } = options;
  const pieces = options.pieces ?? REFERENCE_PIECES;
  const queue = new ReliableTaskQueue({
    url: config.redisUrl,
    name: config.queue,
    owner: `api-${process.pid}`,
  });
  await queue.connect();
  const inspector = queue.inspector;
  const storage = new Storage(config.storageDir);
  const keyPrefix = `${queue.prefix}:{${queue.name}}:`;
  const jobs = new JobStore(queue.connection, keyPrefix, config.retentionMs);
  const metrics = createApiMetrics(options.registry);
  // Session 09's queue exporter on the same registry: the imgq_queue_* series its alerts use.
  new QueueExporter({
    connection: queue.connection,
    queues: [queue.name],
    registry: metrics.registry,
  });
  const events = new TaskEventLog({
    connection: queue.connection,
    queue: queue.name,
    retentionMs: config.retentionMs,
  });
  const scaler = options.scaler ?? (() => null);
  const hub = new EventHub({
    inspector,
    jobs,
    pieces,
    scaler,
    ...(options.eventIntervalMs === undefined ? {} : { intervalMs: options.eventIntervalMs }),
  });
  const context: ApiContext = {
    config,
    queue,
    inspector,
    jobs,
    storage,
    pieces,
    hub,
    metrics,
    events,
    factory: new FilterFactory(),
    idempotency: redisIdempotencyStore(queue.connection, `${jobs.prefix}idem:`),
    scaler,
    startedAt: Date.now(),
    auth: (request, role) => pieces.authorize(config.apiKeys, presentedKey(request.headers), role),
  };

  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // A JSON body (DLQ retry) is small; uploads are multipart, limited by their own limits.
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true } },
  });
  app.decorateRequest('startTime', 0);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'imgq API',
        version: '1.0.0',
        description:
          'The distributed image-processing system of the course: submit images with a pipeline, follow the jobs, download the results. Errors are application/problem+json with the project error code in `code`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transformObject: (document) =>
      'openapiObject' in document
        ? withUploadBody(document.openapiObject as OpenApiDoc)
        : document.swaggerObject,
  });
  if (config.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: config.corsOrigins,
      allowedHeaders: [
        'authorization',
        'x-api-key',
        'content-type',
        'idempotency-key',
        'traceparent',
      ],
      exposedHeaders: ['etag', 'retry-after', 'location'],
    });
  }
  await app.register(fastifyRateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: bucketOf,
    allowList: (request) => !request.url.startsWith('/v1/'),
    errorResponseBuilder: (_request, ctx) =>
      new ApiError(
        429,
        ApiErrorCodes.RATE_LIMITED,
        `Rate limit of ${ctx.max} requests per ${Math.round(config.rateLimit.windowMs / 1000)} s reached for this key: retry after ${Math.ceil(ctx.ttl / 1000)} s`,
        { headers: { 'retry-after': String(Math.max(1, Math.ceil(ctx.ttl / 1000))) } },
      ),
  });
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: config.limits.maxFileBytes,
      files: config.limits.maxFiles,
      fields: 10,
      fieldSize: 64 * 1024,
      parts: config.limits.maxFiles + 10,
      headerPairs: 200,
    },
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', index: 'index.html' });

  installErrorHandling(app, context);
  app.addHook('onRequest', async (request) => {
    (request as FastifyRequest & { startTime: number }).startTime = performance.now();
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    const seconds =
      (performance.now() - (request as FastifyRequest & { startTime: number }).startTime) / 1000;
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, seconds);
  });

  registerJobRoutes(app, context);
  registerAdminRoutes(app, context);
  registerSystemRoutes(app, context);
  registerEventRoutes(app, context);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.ready();
  hub.start();
  const cleanup = setInterval(() => {
    storage
      .cleanup(config.retentionMs)
      .catch((error) => app.log.warn({ err: error }, 'storage cleanup failed'));
  }, config.cleanupIntervalMs);
  cleanup.unref();

  let closing: Promise<void> | null = null;
  return {
    app,
    context,
    close() {
      closing ??= (async () => {
        clearInterval(cleanup);
        hub.stop();
        await app.close();
        await queue.close();
      })();
      return closing;
    },
  };
}

function installErrorHandling(app: FastifyInstance, context: ApiContext): void {
  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError(
      404,
      ApiErrorCodes.NOT_FOUND,
      `No route ${request.method} ${request.url.split('?')[0]}: the API lives under /v1 (see /openapi.json)`,
    );
    return sendProblem(reply, context, error, request.url);
  });
  app.setErrorHandler((error, request, reply) => {
    const mapped = fromFastifyError(error);
    if (!(mapped instanceof ApiError) || mapped.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }
    if (mapped instanceof ApiError || (mapped as { code?: string }).code) {
      const code = (mapped as { code?: string }).code;
      if (request.routeOptions.url === '/v1/jobs' && request.method === 'POST' && code) {
        context.metrics.refused.inc({ code });
      }
    }
    return sendProblem(reply, context, mapped, request.url);
  });
}

/** Sends `error` as a problem document with its headers. */
export function sendProblem(reply: FastifyReply, context: ApiContext, error: unknown, url: string) {
  const problem = context.pieces.problemFor(error, url.split('?')[0] ?? url);
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  }
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

/** Fastify's and its plugins' own errors, as the project's codes. */
function fromFastifyError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const e = error as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  const limits: Record<string, [number, string, string]> = {
    FST_REQ_FILE_TOO_LARGE: [
      413,
      ApiErrorCodes.PAYLOAD_TOO_LARGE,
      'A file is over the per-file byte limit (MAX_FILE_BYTES): send a smaller image',
    ],
    FST_FILES_LIMIT: [
      413,
      ApiErrorCodes.TOO_MANY_FILES,
      'Too many files in one request (MAX_FILES): split them over several requests',
    ],
    FST_PARTS_LIMIT: [
      413,
      ApiErrorCodes.TOO_MANY_FILES,
      'Too many parts in one request: split the files over several requests',
    ],
    FST_FIELDS_LIMIT: [
      413,
      ApiErrorCodes.INVALID_SUBMISSION,
      'Too many form fields: send `images` files and one `pipeline` field',
    ],
    FST_ERR_CTP_BODY_TOO_LARGE: [
      413,
      ApiErrorCodes.PAYLOAD_TOO_LARGE,
      'The request body is over the byte limit',
    ],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [
      415,
      ApiErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      'This content type is not accepted here',
    ],
    FST_INVALID_MULTIPART_CONTENT_TYPE: [
      415,
      ApiErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      'Send the images as multipart/form-data',
    ],
    FST_ERR_CTP_INVALID_JSON_BODY: [400, ApiErrorCodes.BAD_REQUEST, 'The body is not valid JSON'],
    FST_ERR_CTP_EMPTY_JSON_BODY: [400, ApiErrorCodes.BAD_REQUEST, 'The JSON body is empty'],
  };
  const known = e?.code ? limits[e.code] : undefined;
  if (known) return new ApiError(known[0], known[1], known[2], { cause: error });
  if (e?.validation) {
    return new ApiError(400, ApiErrorCodes.BAD_REQUEST, `Bad request: ${e.message}`, {
      cause: error,
    });
  }
  if (e?.statusCode === 400 || e?.statusCode === 413 || e?.statusCode === 415) {
    return new ApiError(e.statusCode, ApiErrorCodes.BAD_REQUEST, e.message ?? 'Bad request', {
      cause: error,
    });
  }
  return error;
}

type OpenApiDoc = { paths?: Record<string, Record<string, Record<string, unknown>>> } & Record<
  string,
  unknown
>;

/** Documents `POST /v1/jobs`'s multipart body (Fastify does not validate it: the route does). */
function withUploadBody(doc: OpenApiDoc): OpenApiDoc {
  const post = doc.paths?.['/v1/jobs']?.post;
  if (post) {
    post.requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['images', 'pipeline'],
            properties: {
              images: { type: 'array', items: { type: 'string', format: 'binary' } },
              pipeline: { type: 'string', description: "Session 02's pipeline spec as JSON" },
            },
          },
        },
      },
    };
  }
  return doc;
}
