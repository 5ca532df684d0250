/**
 * The dead letter queue, for admins: `GET /v1/dlq` (a page), `POST /v1/dlq/retry` (ids or all),
 * `DELETE /v1/dlq` (purge, optionally only entries older than `olderThanMs`).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { ApiError, ApiErrorCodes } from '../errors.ts';
import { deadLettersSchema, purgeSchema, responses, retrySchema } from '../schemas.ts';

export function registerAdminRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/dlq',
    {
      schema: {
        summary: 'A page of the dead letter queue, oldest first, with each error code',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: {
            offset: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
          },
        },
        response: responses({ 200: deadLettersSchema }, [400, 401, 403, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'admin');
      const { offset, limit } = request.query as { offset: number; limit: number };
      const page = await ctx.inspector.deadLetters({ offset, limit });
      const names = await Promise.all(page.entries.map((e) => ctx.jobs.meta(e.task.id)));
      return {
        total: page.total,
        offset: page.offset,
        entries: page.entries.map((entry, i) => ({
          id: entry.task.id,
          name: names[i]?.name ?? entry.task.input,
          error: { name: entry.error.name, code: entry.error.code, message: entry.error.message },
          reason: entry.reason,
          attempts: entry.attempts,
          deadAt: entry.deadAt,
          lastWorker: entry.lastWorker,
        })),
      };
    },
  );

  app.post(
    '/v1/dlq/retry',
    {
      schema: {
        summary: 'Move dead letters back to pending (attempts reset): the given ids, or all',
        tags: ['admin'],
        body: {
          type: 'object',
          properties: {
            ids: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
            all: { type: 'boolean' },
          },
          additionalProperties: false,
        },
        response: responses({ 200: retrySchema }, [400, 401, 403, 404, 415, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'admin');
      const body = (request.body ?? {}) as { ids?: string[]; all?: boolean };
      if (!body.all && (!body.ids || body.ids.length === 0)) {
        throw new ApiError(
          400,
          ApiErrorCodes.BAD_REQUEST,
          'Say what to retry: {"ids": ["<job id>", ...]} or {"all": true}',
        );
      }
      const outcome = await ctx.queue.deadLetters.retry(body.all ? 'all' : body.ids!);
      await ctx.jobs.watch(outcome.retried);
      if (!body.all && outcome.retried.length === 0) {
        throw new ApiError(
          404,
          ApiErrorCodes.NOT_FOUND,
          `None of ${body.ids!.join(', ')} is in the dead letter queue`,
        );
      }
      return outcome;
    },
  );

  app.delete(
    '/v1/dlq',
    {
      schema: {
        summary: 'Delete dead letters for good (all, or those older than olderThanMs)',
        tags: ['admin'],
        querystring: {
          type: 'object',
          properties: { olderThanMs: { type: 'integer', minimum: 0 } },
        },
        response: responses({ 200: purgeSchema }, [400, 401, 403, 429]),
      },
    },
    async (request) => {
      ctx.auth(request, 'admin');
      const { olderThanMs } = request.query as { olderThanMs?: number };
      const purged = await ctx.queue.deadLetters.purge(
        olderThanMs === undefined ? {} : { olderThanMs },
      );
      return { purged };
    },
  );
}
