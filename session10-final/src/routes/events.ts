/**
 * `GET /v1/events`: Server-Sent Events (job, queue, worker and scaler events) from the event
 * hub, formatted by the 10.3 piece. The first message is a `hello` with the current counts.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { responses } from '../schemas.ts';

/** How often a comment line keeps idle proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/events',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Server-Sent Events: job, queue, worker and scaler events',
        tags: ['system'],
        response: responses(
          {
            200: {
              description: 'text/event-stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
          },
          [401, 403, 429],
        ),
      },
    },
    async (request, reply) => {
      ctx.auth(request, 'read');
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const { formatSse } = ctx.pieces;
      const counts = ctx.hub.counts ?? (await ctx.inspector.counts());
      raw.write(
        formatSse({ event: 'hello', retryMs: 2_000, data: { queue: ctx.queue.name, counts } }),
      );
      const unsubscribe = ctx.hub.subscribe((message) => {
        raw.write(formatSse(message));
      });
      const keepalive = setInterval(() => raw.write(': keep-alive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      const end = () => {
        clearInterval(keepalive);
        unsubscribe();
      };
      request.raw.on('close', end);
      raw.on('close', end);
    },
  );
}
