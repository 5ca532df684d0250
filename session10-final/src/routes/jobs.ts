/**
 * `POST /v1/jobs` (multipart images + pipeline spec, `Idempotency-Key`), `GET /v1/jobs/:id`,
 * `GET /v1/jobs/:id/result` (the image, with an ETag), `GET /v1/batches/:id`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type PipelineSpec, SPEC_OUTPUT_FORMATS } from '@workbook/session02';
import type { NewTask } from '@workbook/session03';
import {
  createTraceContext,
  defaultCarrier,
  formatTraceparent,
  parseTraceparent,
} from '@workbook/session09';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { ApiError, ApiErrorCodes } from '../errors.ts';
import type { JobMeta } from '../jobs.ts';
import {
  batchSchema,
  jobEventsSchema,
  jobSchema,
  responses,
  submissionSchema,
} from '../schemas.ts';
import { contentTypeOf, extensionOf } from '../storage.ts';
import type { UploadedFile } from '../validate.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } },
} as const;

/** What a submission answers (and what a replay returns). */
export interface Submission {
  batchId: string;
  jobs: Array<{
    id: string;
    name: string;
    traceId: string;
    links: { self: string; result: string };
  }>;
}

export function registerJobRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(
    '/v1/jobs',
    {
      schema: {
        summary: 'Submit images with a pipeline: one job per image',
        description:
          "multipart/form-data with one or more `images` files and a `pipeline` field (session 02 spec as JSON). Every file passes session 01's safe input before anything is queued. An `Idempotency-Key` header makes a retry return the same ids.",
        tags: ['jobs'],
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': { type: 'string' },
            traceparent: { type: 'string' },
          },
        },
        response: responses(
          { 202: { description: 'Accepted: the jobs are queued', ...submissionSchema } },
          [400, 401, 403, 409, 413, 415, 422, 429],
        ),
      },
    },
    async (request, reply) => {
      const key = ctx.auth(request, 'submit');
      if (!request.isMultipart()) {
        throw new ApiError(
          415,
          ApiErrorCodes.UNSUPPORTED_MEDIA_TYPE,
          `Send the images as multipart/form-data (got ${request.headers['content-type'] ?? 'no content type'}): files in \`images\` fields and the spec in a \`pipeline\` field`,
        );
      }
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > ctx.config.limits.maxRequestBytes + 64 * 1024) throw requestTooLarge(ctx);
      const form = await readForm(request, ctx);
      const fingerprint = fingerprintOf(form.files, form.spec);
      const idemKey = headerOf(request, 'idempotency-key');
      const { value, replayed } = await ctx.pieces.idempotent(
        ctx.idempotency,
        idemKey === undefined ? undefined : `${key.id}:${idemKey}`,
        fingerprint,
        () => accept(request, ctx, key.id, form),
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/v1/batches/${value.batchId}`);
      return reply.code(202).send({ ...value, replayed });
    },
  );

  app.get(
    '/v1/jobs/:id',
    {
      schema: {
        summary: 'A job: state, attempts, worker, error, timings, trace id',
        tags: ['jobs'],
        params: idParams,
        response: responses({ 200: jobSchema }, [400, 401, 403, 404, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'read');
      const { id } = request.params as { id: string };
      const view = await ctx.jobs.view(ctx.inspector, id);
      if (!view) throw notFound('job', id);
      return view;
    },
  );

  app.get(
    '/v1/jobs/:id/result',
    {
      schema: {
        summary: 'The output image of a completed job (ETag; If-None-Match answers 304)',
        tags: ['jobs'],
        params: idParams,
        response: responses(
          {
            200: {
              description: 'The image',
              content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
            },
            304: { description: 'Not modified', type: 'null' },
          },
          [400, 401, 403, 404, 409, 429],
        ),
      },
    },
    async (request, reply) => {
      ctx.auth(request, 'read');
      const { id } = request.params as { id: string };
      const [meta, result] = await Promise.all([ctx.jobs.meta(id), ctx.inspector.result(id)]);
      if (!meta && !result) throw notFound('job', id);
      if (result?.status !== 'completed' || !meta) {
        throw new ApiError(
          409,
          ApiErrorCodes.RESULT_NOT_READY,
          result?.status === 'failed'
            ? `Job \`${id}\` failed (${result.error?.code ?? 'ERR_UNEXPECTED'}): it has no result; see GET /v1/jobs/${id}`
            : `Job \`${id}\` is not done yet: follow GET /v1/jobs/${id} or the events, then fetch the result`,
        );
      }
      const file = ctx.storage.resultPath(meta.outputName);
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(file);
      } catch {
        throw new ApiError(
          404,
          ApiErrorCodes.NOT_FOUND,
          `The result of job \`${id}\` was removed by the storage retention`,
        );
      }
      const etag = `"${createHash('sha256').update(`${id}:${info.size}:${info.mtimeMs}`).digest('hex').slice(0, 32)}"`;
      reply.header('etag', etag).header('cache-control', 'private, max-age=3600');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      reply.header(
        'content-disposition',
        `inline; filename="${meta.name.replace(/\.[^.]*$/, '')}.${extensionOf(meta.outputName.split('.').pop() ?? 'bin')}"`,
      );
      return reply.type(contentTypeOf(meta.outputName)).send(createReadStream(file));
    },
  );

  app.get(
    '/v1/jobs/:id/input',
    {
      schema: {
        summary: 'The image as it was uploaded (for a before/after view)',
        tags: ['jobs'],
        params: idParams,
        response: responses(
          {
            200: {
              description: 'The uploaded image',
              content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
            },
          },
          [400, 401, 403, 404, 429],
        ),
      },
    },
    async (request, reply) => {
      ctx.auth(request, 'read');
      const { id } = request.params as { id: string };
      const meta = await ctx.jobs.meta(id);
      if (!meta) throw notFound('job', id);
      const name = ctx.storage.uploadName(id, meta.input.format);
      const file = ctx.storage.uploadPath(name);
      try {
        await stat(file);
      } catch {
        throw new ApiError(
          404,
          ApiErrorCodes.NOT_FOUND,
          `The upload of job \`${id}\` was removed by the storage retention`,
        );
      }
      reply.header('cache-control', 'private, max-age=3600');
      return reply.type(contentTypeOf(name)).send(createReadStream(file));
    },
  );

  app.get(
    '/v1/jobs/:id/events',
    {
      schema: {
        summary:
          "A job's story: session 09's task events (enqueued, started, retried, recovered, done...)",
        tags: ['jobs'],
        params: idParams,
        response: responses({ 200: jobEventsSchema }, [400, 401, 403, 404, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'read');
      const { id } = request.params as { id: string };
      const events = await ctx.events.read(id);
      if (events.length === 0 && !(await ctx.jobs.meta(id))) throw notFound('job', id);
      return { id, traceId: events[0]?.traceId ?? null, events };
    },
  );

  app.get(
    '/v1/batches/:id',
    {
      schema: {
        summary: 'A batch: progress and its jobs',
        tags: ['jobs'],
        params: idParams,
        response: responses({ 200: batchSchema }, [400, 401, 403, 404, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'read');
      const { id } = request.params as { id: string };
      const batch = await ctx.jobs.batch(id);
      if (!batch) throw notFound('batch', id);
      const jobs = (
        await Promise.all(batch.ids.map((j) => ctx.jobs.view(ctx.inspector, j)))
      ).filter((j) => j !== null);
      const states: Record<string, number> = {};
      for (const job of jobs) states[job.state] = (states[job.state] ?? 0) + 1;
      const done = (states.completed ?? 0) + (states.dead ?? 0);
      return {
        id,
        createdAt: batch.createdAt,
        total: batch.ids.length,
        done,
        progress: batch.ids.length === 0 ? 1 : done / batch.ids.length,
        states,
        jobs,
      };
    },
  );
}

function notFound(what: string, id: string): ApiError {
  return new ApiError(
    404,
    ApiErrorCodes.NOT_FOUND,
    `No ${what} \`${id}\` (unknown, or expired after the retention)`,
  );
}

function requestTooLarge(ctx: ApiContext): ApiError {
  return new ApiError(
    413,
    ApiErrorCodes.PAYLOAD_TOO_LARGE,
    `The request is over ${ctx.config.limits.maxRequestBytes} bytes (MAX_REQUEST_BYTES): send fewer or smaller images per request`,
  );
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads the multipart form into memory within the limits (files in any field, `pipeline`). */
async function readForm(
  request: FastifyRequest,
  ctx: ApiContext,
): Promise<{ files: UploadedFile[]; spec: unknown }> {
  const files: UploadedFile[] = [];
  let spec: unknown;
  let total = 0;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      total += data.length;
      if (total > ctx.config.limits.maxRequestBytes) throw requestTooLarge(ctx);
      files.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, data });
    } else if (part.fieldname === 'pipeline') {
      spec = part.value;
    }
  }
  return { files, spec };
}

/** The client's `traceparent`, when it sent a valid one. */
function incomingTrace(request: FastifyRequest) {
  const header = request.headers.traceparent;
  if (typeof header !== 'string') return null;
  try {
    return parseTraceparent(header);
  } catch {
    return null;
  }
}

function fingerprintOf(files: readonly UploadedFile[], spec: unknown): string {
  const hash = createHash('sha256');
  hash.update(typeof spec === 'string' ? spec : JSON.stringify(spec ?? null));
  for (const file of files) hash.update(createHash('sha256').update(file.data).digest());
  return hash.digest('hex');
}

/** Validates everything, then stores the uploads and queues one task per image. */
async function accept(
  request: FastifyRequest,
  ctx: ApiContext,
  keyId: string,
  form: { files: UploadedFile[]; spec: unknown },
): Promise<Submission> {
  const checked = await ctx.pieces.validateSubmission(form, {
    catalogue: ctx.factory,
    limits: { maxPixels: ctx.config.limits.maxPixels, maxBytes: ctx.config.limits.maxFileBytes },
  });
  // One trace per request (session 09's W3C trace context): the client's, continued, or a new
  // one; every job of the request is a span in it, and its story starts with `enqueued`.
  const requestTrace = formatTraceparent(incomingTrace(request) ?? createTraceContext());
  const batchId = randomUUID();
  const now = Date.now();
  const metas: JobMeta[] = [];
  const tasks: NewTask[] = [];
  for (const image of checked.images) {
    const id = randomUUID();
    const format = outputFormatOf(checked.spec, image.format);
    const pipeline: PipelineSpec = { ...checked.spec, output: { ...checked.spec.output, format } };
    const input = ctx.storage.uploadName(id, image.format);
    const outputName = ctx.storage.resultName(id, format);
    await ctx.storage.saveUpload(input, image.data);
    const trace = await defaultCarrier.inject(ctx.events, id, requestTrace);
    await ctx.events.append(id, {
      type: 'enqueued',
      traceId: trace.traceId,
      spanId: trace.spanId,
      detail: `${image.name} via POST /v1/jobs (key ${keyId})`,
    });
    tasks.push({ id, pipeline, input, output: outputName });
    metas.push({
      id,
      batchId,
      name: image.name,
      input: { format: image.format, width: image.width, height: image.height, bytes: image.bytes },
      outputName,
      traceId: trace.traceId,
      submittedAt: now,
      keyId,
    });
  }
  await ctx.jobs.saveBatch(batchId, metas, now);
  await ctx.queue.enqueueMany(tasks);
  await ctx.jobs.noteRecent(metas.map((m) => m.id));
  ctx.metrics.accepted.inc(tasks.length);
  request.log.info(
    { batchId, jobs: tasks.length, traceparent: requestTrace, key: keyId },
    'jobs accepted',
  );
  return {
    batchId,
    jobs: metas.map((m) => ({
      id: m.id,
      name: m.name,
      traceId: m.traceId,
      links: { self: `/v1/jobs/${m.id}`, result: `/v1/jobs/${m.id}/result` },
    })),
  };
}

/** The spec's output format, else the input's when a spec may produce it, else PNG. */
function outputFormatOf(spec: PipelineSpec, inputFormat: string): SpecFormat {
  const wanted = spec.output?.format ?? inputFormat;
  return (SPEC_OUTPUT_FORMATS as readonly string[]).includes(wanted)
    ? (wanted as SpecFormat)
    : 'png';
}

type SpecFormat = (typeof SPEC_OUTPUT_FORMATS)[number];
