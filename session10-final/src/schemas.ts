/**
 * The JSON schemas of the API's responses: Fastify serializes with them and @fastify/swagger
 * puts them in `/openapi.json`, so the document and the answers cannot drift apart (the tests
 * check every answer against the document).
 */

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
  properties: {
    type: str,
    title: str,
    status: int,
    detail: str,
    instance: str,
    code: str,
    file: str,
    index: int,
    needed: str,
  },
  additionalProperties: true,
} as const;

export const errorSchema = {
  type: 'object',
  properties: { name: str, code: str, message: str },
} as const;

export const jobSchema = {
  type: 'object',
  required: ['id', 'state', 'attempts', 'name', 'links'],
  properties: {
    id: str,
    batchId: nullable('string'),
    name: str,
    state: {
      type: 'string',
      enum: ['pending', 'delayed', 'processing', 'completed', 'dead', 'expired'],
    },
    attempts: int,
    worker: nullable('string'),
    error: { anyOf: [errorSchema, { type: 'null' }] },
    traceId: nullable('string'),
    input: {
      type: 'object',
      properties: { format: str, width: int, height: int, bytes: int },
    },
    output: {
      anyOf: [
        { type: 'object', properties: { format: str, width: int, height: int, bytes: int } },
        { type: 'null' },
      ],
    },
    timings: {
      type: 'object',
      properties: {
        submittedAt: nullable('number'),
        startedAt: nullable('number'),
        finishedAt: nullable('number'),
        durationMs: nullable('number'),
      },
    },
    links: { type: 'object', properties: { self: str, result: str, input: str } },
  },
} as const;

export const jobEventsSchema = {
  type: 'object',
  required: ['id', 'events'],
  properties: {
    id: str,
    traceId: nullable('string'),
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'at'],
        properties: {
          type: str,
          at: num,
          taskId: str,
          traceId: str,
          spanId: str,
          workerId: str,
          attempt: int,
          code: str,
          detail: str,
          host: str,
          pid: int,
        },
      },
    },
  },
} as const;

export const submissionSchema = {
  type: 'object',
  required: ['batchId', 'jobs', 'replayed'],
  properties: {
    batchId: str,
    replayed: { type: 'boolean' },
    jobs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: str,
          name: str,
          traceId: str,
          links: { type: 'object', properties: { self: str, result: str } },
        },
      },
    },
  },
} as const;

export const countsSchema = {
  type: 'object',
  properties: {
    pending: int,
    processing: int,
    delayed: int,
    dlq: int,
    completed: int,
    failed: int,
    enqueued: int,
    retried: int,
    recovered: int,
    released: int,
  },
} as const;

export const batchSchema = {
  type: 'object',
  required: ['id', 'total', 'done', 'progress', 'states', 'jobs'],
  properties: {
    id: str,
    createdAt: num,
    total: int,
    done: int,
    progress: num,
    states: { type: 'object', additionalProperties: int },
    jobs: { type: 'array', items: jobSchema },
  },
} as const;

export const queueSchema = {
  type: 'object',
  required: ['name', 'counts'],
  properties: { name: str, counts: countsSchema },
} as const;

export const workersSchema = {
  type: 'object',
  required: ['workers'],
  properties: {
    workers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str,
          host: str,
          pid: int,
          status: str,
          alive: { type: 'boolean' },
          concurrency: int,
          processed: int,
          failed: int,
          heartbeatAgeMs: num,
          current: {
            type: 'array',
            items: { type: 'object', properties: { taskId: str, input: str, startedAt: num } },
          },
        },
      },
    },
    autoscaler: {
      anyOf: [
        {
          type: 'object',
          properties: {
            desired: int,
            replicas: {
              type: 'array',
              items: { type: 'object', properties: { name: str, state: str, pid: int } },
            },
            lastDecision: str,
          },
        },
        { type: 'null' },
      ],
    },
  },
} as const;

export const filtersSchema = {
  type: 'object',
  required: ['filters', 'outputFormats'],
  properties: {
    outputFormats: { type: 'array', items: str },
    filters: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: str,
          description: str,
          params: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: str,
                type: str,
                description: str,
                allowed: str,
                min: num,
                max: num,
                integer: { type: 'boolean' },
                values: { type: 'array', items: str },
                default: {},
              },
            },
          },
        },
      },
    },
  },
} as const;

export const deadLettersSchema = {
  type: 'object',
  required: ['total', 'offset', 'entries'],
  properties: {
    total: int,
    offset: int,
    entries: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str,
          name: str,
          error: errorSchema,
          reason: str,
          attempts: int,
          deadAt: num,
          lastWorker: nullable('string'),
        },
      },
    },
  },
} as const;

export const retrySchema = {
  type: 'object',
  required: ['retried', 'missing'],
  properties: { retried: { type: 'array', items: str }, missing: { type: 'array', items: str } },
} as const;

export const purgeSchema = {
  type: 'object',
  required: ['purged'],
  properties: { purged: int },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: str, redis: str, uptimeSeconds: num },
} as const;

/** The `responses` of a route: its successes, then a problem document for each error status. */
export function responses(
  ok: Record<number, unknown>,
  errors: readonly number[],
): Record<number, unknown> {
  const all: Record<number, unknown> = { ...ok };
  for (const status of errors) {
    all[status] = {
      description: 'A problem document (RFC 9457) with the project error code in `code`',
      content: { 'application/problem+json': { schema: problemSchema } },
    };
  }
  return all;
}
