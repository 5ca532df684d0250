/**
 * OpenTelemetry (run in a child process: test/fixtures/otel-scenario.ts): a task enqueued by a
 * producer and retried once by a worker is exported as one trace — the producer's trace id —
 * with the enqueue span as the parent of both attempt spans; without OTEL_EXPORTER_OTLP_ENDPOINT
 * there is no exporter, with it the spans are posted to the endpoint (a local receiver).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type RedisServerHandle, testRedis } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SCENARIO = fileURLToPath(new URL('./fixtures/otel-scenario.ts', import.meta.url));
const PRODUCER = 3; // SpanKind.PRODUCER
const CONSUMER = 4; // SpanKind.CONSUMER
const OK = 1;
const ERROR = 2;

interface SpanJson {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
}

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

describe('OpenTelemetry export of the task events', () => {
  it('producer and worker spans form one trace (enqueue → attempt 1 error, attempt 2 ok); OTLP/HTTP posts them', async () => {
    const posts: string[] = [];
    const receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        posts.push(`${request.method} ${request.url}`);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const child = spawn(process.execPath, ['--import', TSX, SCENARIO, redis.url, endpoint], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(err).toBe('');
      expect(code).toBe(0);
      const result = JSON.parse(out) as {
        context: { traceId: string; spanId: string };
        startedSpanIds: string[];
        withoutEndpoint: boolean;
        spans: SpanJson[];
      };
      const { context, spans } = result;
      expect(new Set(spans.map((s) => s.traceId)), '🚨 one trace: the producer trace id').toEqual(
        new Set([context.traceId]),
      );
      const enqueue = spans.find((s) => s.name === 'imgq enqueue');
      expect(enqueue).toMatchObject({ kind: PRODUCER, spanId: context.spanId });
      const attempts = spans
        .filter((s) => s.name === 'imgq attempt')
        .sort(
          (a, b) => Number(a.attributes['imgq.attempt']) - Number(b.attributes['imgq.attempt']),
        );
      expect(attempts.map((s) => s.attributes['imgq.attempt'])).toEqual([1, 2]);
      for (const attempt of attempts) {
        expect(attempt.kind).toBe(CONSUMER);
        expect(attempt.parentSpanId, '🚨 an attempt is a child of the enqueue').toBe(
          context.spanId,
        );
      }
      expect(attempts[0]!.status).toMatchObject({ code: ERROR, message: 'ERR_REDIS_UNAVAILABLE' });
      expect(attempts[0]!.attributes['imgq.outcome']).toBe('retried');
      expect(attempts[1]!.status.code).toBe(OK);
      expect(
        attempts.map((s) => s.spanId),
        "the spans carry the events' span ids",
      ).toEqual(result.startedSpanIds);
      expect(result.withoutEndpoint, 'no endpoint, no exporter').toBe(true);
      expect(posts, '🚨 an OTLP/HTTP POST to /v1/traces').toContain('POST /v1/traces');
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  }, 60_000);
});
