/**
 * Reading the system: `GET /v1/queue`, `/v1/workers`, `/v1/filters`, `/v1/jobs` (recent),
 * and the operations endpoints `/metrics`, `/healthz` (alive), `/readyz` (Redis answers).
 */
import { builtinFilters, isBuiltinFilterName, type ParamSpec } from '@workbook/session01';
import { SPEC_OUTPUT_FORMATS } from '@workbook/session02';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import {
  filtersSchema,
  healthSchema,
  jobSchema,
  queueSchema,
  responses,
  workersSchema,
} from '../schemas.ts';

export function registerSystemRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/queue',
    {
      schema: {
        summary: 'Depths and counters of the queue',
        tags: ['system'],
        response: responses({ 200: queueSchema }, [401, 403, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'read');
      return { name: ctx.queue.name, counts: await ctx.inspector.counts() };
    },
  );

  app.get(
    '/v1/workers',
    {
      schema: {
        summary: 'Workers with heartbeat age and current tasks; the autoscaler when one runs',
        tags: ['system'],
        response: responses({ 200: workersSchema }, [401, 403, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'read');
      const workers = await ctx.inspector.workers();
      return {
        workers: workers.map((w) => ({
          id: w.id,
          host: w.host,
          pid: w.pid,
          status: w.status,
          alive: w.alive,
          concurrency: w.concurrency,
          processed: w.processed,
          failed: w.failed,
          heartbeatAgeMs: w.silentForMs,
          current: w.current.map((c) => ({ ...c })),
        })),
        autoscaler: ctx.scaler(),
      };
    },
  );

  app.get(
    '/v1/filters',
    {
      schema: {
        summary: 'The filter catalogue: parameters with their allowed values; output formats',
        tags: ['system'],
        response: responses({ 200: filtersSchema }, [401, 403, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'read');
      return {
        outputFormats: [...SPEC_OUTPUT_FORMATS],
        filters: ctx.factory.describe().map((filter) => ({
          name: filter.name,
          description: filter.description,
          params: filter.params.map((param) => ({ ...param, ...ruleOf(filter.name, param.name) })),
        })),
      };
    },
  );

  app.get(
    '/v1/jobs',
    {
      schema: {
        summary: 'The jobs accepted most recently, newest first',
        tags: ['jobs'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: responses(
          {
            200: {
              type: 'object',
              required: ['jobs'],
              properties: { jobs: { type: 'array', items: jobSchema } },
            },
          },
          [400, 401, 403, 429],
        ),
      },
    },
    async (request) => {
      ctx.auth(request, 'read');
      const { limit } = request.query as { limit: number };
      const ids = await ctx.jobs.recent(limit);
      const jobs = await Promise.all(ids.map((id) => ctx.jobs.view(ctx.inspector, id)));
      return { jobs: jobs.filter((j) => j !== null) };
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Alive: the process answers (a liveness probe)',
        tags: ['operations'],
        security: [],
        response: { 200: healthSchema },
      },
    },
    async () => ({ status: 'ok', uptimeSeconds: (Date.now() - ctx.startedAt) / 1000 }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Ready: Redis answers (a readiness probe)',
        tags: ['operations'],
        security: [],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      try {
        await Promise.race([
          ctx.queue.connection.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1_000).unref()),
        ]);
        return { status: 'ready', redis: 'ok' };
      } catch (error) {
        return reply.code(503).send({ status: 'not ready', redis: (error as Error).message });
      }
    },
  );
}

/** The machine-readable rule of a built-in filter's parameter (min/max, values). */
function ruleOf(filter: string, param: string): Record<string, unknown> {
  if (!isBuiltinFilterName(filter)) return {};
  const specs = builtinFilters[filter].definition.params as Record<string, ParamSpec>;
  const spec = specs[param];
  if (!spec) return {};
  if (spec.type === 'number')
    return { min: spec.min, max: spec.max, integer: spec.integer === true };
  if (spec.type === 'enum') return { values: [...spec.values] };
  return {};
}
