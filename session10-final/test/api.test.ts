/**
 * Every endpoint of the API, success and error cases, each answer checked against the API's
 * own /openapi.json. A real API on a private Redis, real images, real multipart bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decompressionBombPng, hostileSamples } from '@workbook/session01';
import type { ReliableTaskQueue } from '@workbook/session05';
import { fixture, makeImage } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auth,
  KEYS,
  multipart,
  OpenApiChecker,
  startTestApi,
  type TestApi,
} from './support/api-fixture.ts';
import { consumer, failOne, processOne } from './support/worker-step.ts';

const SPEC = JSON.stringify({
  steps: [{ name: 'resize', params: { width: 32 } }],
  output: { format: 'webp' },
});

let t: TestApi;
let openapi: OpenApiChecker;
let worker: ReliableTaskQueue;
let small: Buffer;

beforeAll(async () => {
  t = await startTestApi({
    limits: { maxFileBytes: 200_000, maxRequestBytes: 400_000, maxFiles: 3, maxPixels: 40_000_000 },
  });
  openapi = await OpenApiChecker.of(t.api);
  worker = await consumer(t.redis.url, t.api.context.config.queue);
  small = await makeImage({ width: 64, height: 48, format: 'png' });
}, 30_000);

afterAll(async () => {
  await worker?.close();
  await t?.close();
});

async function call(
  method: 'GET' | 'POST' | 'DELETE' | 'OPTIONS',
  url: string,
  route: string,
  options: { headers?: Record<string, string>; payload?: string | Buffer | object } = {},
) {
  const response = await t.api.app.inject({
    method,
    url,
    headers: options.headers,
    payload: options.payload as never,
  });
  if (route) openapi.check(method, route, response);
  return response;
}

async function submit(
  files: Array<{ name: string; data: Buffer }>,
  spec = SPEC,
  headers: Record<string, string> = {},
) {
  const form = multipart(files, spec === '' ? {} : { pipeline: spec });
  return call('POST', '/v1/jobs', '/v1/jobs', {
    headers: { ...auth(KEYS.both), ...form.headers, ...headers },
    payload: form.body,
  });
}

const enqueued = async () => (await t.api.context.inspector.counts()).enqueued;

describe('operations endpoints', () => {
  it('/healthz and /readyz answer, /openapi.json lists the /v1 routes, /metrics is Prometheus text', async () => {
    expect((await call('GET', '/healthz', '/healthz')).statusCode).toBe(200);
    const ready = await call('GET', '/readyz', '/readyz');
    expect(ready.json()).toMatchObject({ status: 'ready', redis: 'ok' });
    for (const route of [
      '/v1/jobs',
      '/v1/jobs/{id}',
      '/v1/jobs/{id}/result',
      '/v1/batches/{id}',
      '/v1/queue',
      '/v1/workers',
      '/v1/filters',
      '/v1/dlq',
      '/v1/dlq/retry',
      '/v1/events',
    ]) {
      expect(openapi.doc.paths[route], `🚨 ${route} missing from /openapi.json`).toBeDefined();
    }
    const metrics = await t.api.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('imgq_api_requests_total');
    expect(metrics.body, "🚨 session 09's exporter series").toContain('imgq_queue_tasks{');
  });

  it('serves the dashboard at / and answers unknown routes with a 404 problem', async () => {
    const page = await t.api.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const missing = await t.api.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 404, code: 'ERR_NOT_FOUND' });
  });
});

describe('POST /v1/jobs', () => {
  it('accepts images with a pipeline: 202, one job per image, a batch, the jobs queued', async () => {
    const before = await enqueued();
    const response = await submit([
      { name: 'a.png', data: small },
      { name: 'b.png', data: small },
    ]);
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body.jobs).toHaveLength(2);
    expect(body.jobs[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await enqueued()).toBe(before + 2);
    const job = await call('GET', `/v1/jobs/${body.jobs[0].id}`, '/v1/jobs/{id}', {
      headers: auth(KEYS.read),
    });
    expect(job.json()).toMatchObject({
      id: body.jobs[0].id,
      state: 'pending',
      batchId: body.batchId,
      name: 'a.png',
    });
    const batch = await call('GET', `/v1/batches/${body.batchId}`, '/v1/batches/{id}', {
      headers: auth(KEYS.read),
    });
    expect(batch.json()).toMatchObject({ total: 2, done: 0 });
    const notReady = await call(
      'GET',
      `/v1/jobs/${body.jobs[0].id}/result`,
      '/v1/jobs/{id}/result',
      { headers: auth(KEYS.read) },
    );
    expect(notReady.statusCode).toBe(409);
    expect(notReady.json().code).toBe('ERR_RESULT_NOT_READY');
    // Drain them so later tests start from an empty queue.
    await processOne(worker, t.storage);
    await processOne(worker, t.storage);
  });

  it('keeps the client trace id from a traceparent header', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await submit([{ name: 'a.png', data: small }], SPEC, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    const job = response.json().jobs[0];
    expect(job.traceId).toBe(traceId);
    const story = await call('GET', `/v1/jobs/${job.id}/events`, '/v1/jobs/{id}/events', {
      headers: auth(KEYS.read),
    });
    expect(story.json(), "🚨 the story starts with enqueued, in the client's trace").toMatchObject({
      traceId,
      events: [{ type: 'enqueued', traceId }],
    });
    await processOne(worker, t.storage);
  });

  it('401 without a key or with an unknown one, 403 for a key without the submit role', async () => {
    const form = multipart([{ name: 'a.png', data: small }], { pipeline: SPEC });
    const none = await call('POST', '/v1/jobs', '/v1/jobs', {
      headers: form.headers,
      payload: form.body,
    });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(none.json().code).toBe('ERR_UNAUTHORIZED');
    const unknown = await call('POST', '/v1/jobs', '/v1/jobs', {
      headers: { ...form.headers, ...auth('not-a-key-at-all') },
      payload: form.body,
    });
    expect(unknown.statusCode).toBe(401);
    const reader = await call('POST', '/v1/jobs', '/v1/jobs', {
      headers: { ...form.headers, 'x-api-key': KEYS.read },
      payload: form.body,
    });
    expect(reader.statusCode).toBe(403);
    expect(reader.json()).toMatchObject({ code: 'ERR_FORBIDDEN', needed: 'submit' });
  });

  it('415 for a body that is not multipart/form-data', async () => {
    const response = await call('POST', '/v1/jobs', '/v1/jobs', {
      headers: { ...auth(KEYS.submit), 'content-type': 'application/json' },
      payload: { images: [] },
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('413 for a file over the per-file limit, too many files, or a request over its limit; nothing queued', async () => {
    const before = await enqueued();
    const big = await makeImage({ width: 600, height: 600, format: 'png', fill: 'noise' });
    expect(big.length).toBeGreaterThan(200_000);
    const tooBig = await submit([{ name: 'big.png', data: big }]);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().code).toBe('ERR_PAYLOAD_TOO_LARGE');
    const many = await submit([1, 2, 3, 4].map((n) => ({ name: `${n}.png`, data: small })));
    expect(many.statusCode).toBe(413);
    expect(many.json().code).toBe('ERR_TOO_MANY_FILES');
    const chunk = Buffer.concat([small, Buffer.alloc(150_000 - small.length)]);
    const total = await submit([1, 2, 3].map((n) => ({ name: `${n}.png`, data: chunk })));
    expect(total.statusCode).toBe(413);
    expect(total.json().code).toBe('ERR_PAYLOAD_TOO_LARGE');
    expect(await enqueued(), '🚨 nothing may be queued for a refused request').toBe(before);
  });

  it('422 with the code for every hostile image and the decompression bomb, nothing queued', async () => {
    const before = await enqueued();
    const samples = [
      ...(await hostileSamples()).map((s) => ({
        name: s.name,
        data: s.data,
        code: s.expectedCode as string,
      })),
      {
        name: 'truncated.jpg',
        data: readFileSync(fixture('hostile/truncated.jpg')),
        code: 'ERR_IMAGE_CORRUPT',
      },
      { name: 'bomb.png', data: decompressionBombPng(), code: 'ERR_IMAGE_TOO_LARGE' },
    ];
    for (const sample of samples) {
      // A good image first: one bad file refuses the whole request.
      const response = await submit([
        { name: 'good.png', data: small },
        { name: sample.name, data: sample.data },
      ]);
      expect(response.statusCode, `🚨 ${sample.name} must be refused with 422`).toBe(422);
      expect(response.json(), `🚨 ${sample.name}`).toMatchObject({
        code: sample.code,
        file: sample.name,
        index: 1,
      });
    }
    expect(await enqueued(), '🚨 nothing may be queued when a file is refused').toBe(before);
    expect(readdirSync(path.join(t.storage, 'uploads')).length, '🚨 nothing stored either').toBe(
      before,
    );
  });

  it('422 naming an unknown filter or a bad parameter; 422 without files or without a pipeline', async () => {
    const unknown = await submit(
      [{ name: 'a.png', data: small }],
      JSON.stringify({ steps: [{ name: 'sparkle' }] }),
    );
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('ERR_UNKNOWN_FILTER');
    expect(unknown.json().detail).toContain('sparkle');
    const bad = await submit(
      [{ name: 'a.png', data: small }],
      JSON.stringify({ steps: [{ name: 'blur', params: { sigma: -4 } }] }),
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('ERR_INVALID_OPTION');
    expect(bad.json().detail).toContain('sigma');
    const noFiles = await submit([]);
    expect(noFiles.json().code).toBe('ERR_NO_FILES');
    const noSpec = await submit([{ name: 'a.png', data: small }], '');
    expect(noSpec.statusCode).toBe(422);
    expect(noSpec.json().code).toBe('ERR_INVALID_SUBMISSION');
  });

  it('a repeated Idempotency-Key returns the same ids and queues nothing twice; other content with it is 422', async () => {
    const before = await enqueued();
    const first = await submit([{ name: 'a.png', data: small }], SPEC, {
      'idempotency-key': 'order-42',
    });
    const again = await submit([{ name: 'a.png', data: small }], SPEC, {
      'idempotency-key': 'order-42',
    });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json().jobs.map((j: { id: string }) => j.id)).toEqual(
      first.json().jobs.map((j: { id: string }) => j.id),
    );
    expect(again.json().replayed).toBe(true);
    expect(await enqueued(), '🚨 a replay must not queue again').toBe(before + 1);
    const other = await submit(
      [{ name: 'b.png', data: await makeImage({ width: 20, height: 20, format: 'png' }) }],
      SPEC,
      { 'idempotency-key': 'order-42' },
    );
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('ERR_IDEMPOTENCY_KEY_REUSED');
    const malformed = await submit([{ name: 'a.png', data: small }], SPEC, {
      'idempotency-key': 'x'.repeat(300),
    });
    expect(malformed.statusCode).toBe(400);
    await processOne(worker, t.storage);
  });

  it('a path-like file name is only a display name: stored under the job id, inside the storage', async () => {
    const response = await submit([{ name: '../../../x.png', data: small }]);
    expect(response.statusCode).toBe(202);
    const job = response.json().jobs[0];
    expect(job.name).toBe('x.png');
    const uploads = readdirSync(path.join(t.storage, 'uploads'));
    expect(uploads).toContain(`${job.id}.png`);
    expect(readdirSync(path.dirname(t.storage)).includes('x.png')).toBe(false);
    await processOne(worker, t.storage);
  });
});

describe('reading jobs and results', () => {
  it('GET result: the image with its content type and an ETag; If-None-Match answers 304', async () => {
    const response = await submit([{ name: 'photo.png', data: small }]);
    const id = response.json().jobs[0].id;
    await processOne(worker, t.storage);
    const result = await call('GET', `/v1/jobs/${id}/result`, '/v1/jobs/{id}/result', {
      headers: auth(KEYS.read),
    });
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('image/webp');
    expect(result.rawPayload.subarray(8, 12).toString()).toBe('WEBP');
    const etag = String(result.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const cached = await call('GET', `/v1/jobs/${id}/result`, '/v1/jobs/{id}/result', {
      headers: { ...auth(KEYS.read), 'if-none-match': etag },
    });
    expect(cached.statusCode).toBe(304);
    const job = await call('GET', `/v1/jobs/${id}`, '/v1/jobs/{id}', { headers: auth(KEYS.read) });
    expect(job.json()).toMatchObject({
      state: 'completed',
      worker: 'test-worker',
      output: { format: 'webp', width: 32 },
    });
    const input = await call('GET', `/v1/jobs/${id}/input`, '/v1/jobs/{id}/input', {
      headers: auth(KEYS.read),
    });
    expect(input.headers['content-type'], '🚨 the upload as it came (before/after)').toBe(
      'image/png',
    );
    const recent = await t.api.app.inject({
      method: 'GET',
      url: '/v1/jobs?limit=5',
      headers: auth(KEYS.read),
    });
    openapi.check('GET', '/v1/jobs', recent);
    expect(recent.json().jobs[0].id).toBe(id);
  });

  it('404 for an unknown job, result or batch; 400 for an id that is not one', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [url, route] of [
      [`/v1/jobs/${id}`, '/v1/jobs/{id}'],
      [`/v1/jobs/${id}/result`, '/v1/jobs/{id}/result'],
      [`/v1/batches/${id}`, '/v1/batches/{id}'],
    ] as const) {
      const response = await call('GET', url, route, { headers: auth(KEYS.read) });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().code).toBe('ERR_NOT_FOUND');
    }
    const bad = await call('GET', '/v1/jobs/..%2F..%2Fetc', '/v1/jobs/{id}', {
      headers: auth(KEYS.read),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('GET /v1/queue, /v1/workers and /v1/filters (parameters with allowed values)', async () => {
    const queue = await call('GET', '/v1/queue', '/v1/queue', { headers: auth(KEYS.read) });
    expect(queue.json().counts).toMatchObject({ pending: 0, processing: 0 });
    const workers = await call('GET', '/v1/workers', '/v1/workers', { headers: auth(KEYS.read) });
    expect(workers.json()).toMatchObject({ workers: [], autoscaler: null });
    const filters = await call('GET', '/v1/filters', '/v1/filters', { headers: auth(KEYS.read) });
    const resize = filters.json().filters.find((f: { name: string }) => f.name === 'resize');
    expect(resize.params.find((p: { name: string }) => p.name === 'width')).toMatchObject({
      type: 'number',
      min: expect.any(Number),
      max: expect.any(Number),
    });
    expect(filters.json().outputFormats).toContain('webp');
    expect((await call('GET', '/v1/filters', '/v1/filters', {})).statusCode).toBe(401);
  });
});

describe('dead letter queue (admin)', () => {
  it('lists dead letters with their codes, retries one, purges; other roles get 403', async () => {
    const response = await submit([{ name: 'doomed.png', data: small }]);
    const id = response.json().jobs[0].id;
    await failOne(worker, 'ERR_IMAGE_CORRUPT');
    expect((await call('GET', '/v1/dlq', '/v1/dlq', { headers: auth(KEYS.both) })).statusCode).toBe(
      403,
    );
    const list = await call('GET', '/v1/dlq', '/v1/dlq', { headers: auth(KEYS.admin) });
    expect(list.json().entries).toEqual([
      expect.objectContaining({
        id,
        name: 'doomed.png',
        error: expect.objectContaining({ code: 'ERR_IMAGE_CORRUPT' }),
      }),
    ]);
    const retry = await call('POST', '/v1/dlq/retry', '/v1/dlq/retry', {
      headers: auth(KEYS.admin),
      payload: { ids: [id] },
    });
    expect(retry.json()).toEqual({ retried: [id], missing: [] });
    expect(
      (await call('GET', `/v1/jobs/${id}`, '/v1/jobs/{id}', { headers: auth(KEYS.read) })).json()
        .state,
    ).toBe('pending');
    const again = await call('POST', '/v1/dlq/retry', '/v1/dlq/retry', {
      headers: auth(KEYS.admin),
      payload: { ids: [id] },
    });
    expect(again.statusCode).toBe(404);
    const empty = await call('POST', '/v1/dlq/retry', '/v1/dlq/retry', {
      headers: auth(KEYS.admin),
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    const extra = await call('POST', '/v1/dlq/retry', '/v1/dlq/retry', {
      headers: auth(KEYS.admin),
      payload: { idz: [] },
    });
    expect(extra.statusCode).toBe(400);
    await failOne(worker, 'ERR_IMAGE_CORRUPT');
    const purge = await call('DELETE', '/v1/dlq', '/v1/dlq', { headers: auth(KEYS.admin) });
    expect(purge.json()).toEqual({ purged: 1 });
    expect(
      (await call('DELETE', '/v1/dlq', '/v1/dlq', { headers: auth(KEYS.read) })).statusCode,
    ).toBe(403);
  });
});

describe('SSE /v1/events', () => {
  it('streams hello, then job and queue events for a submission', async () => {
    const address = await t.api.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const response = await fetch(`${address}/v1/events`, {
      headers: auth(KEYS.read),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += Buffer.from(value).toString();
      }
    };
    await readUntil(/event: hello\n/);
    const submitted = await submit([{ name: 'live.png', data: small }]);
    const id = submitted.json().jobs[0].id;
    await readUntil(new RegExp(`event: job\\nid: \\d+\\ndata: \\{"id":"${id}"`));
    await readUntil(/event: queue\n/);
    await processOne(worker, t.storage);
    await readUntil(new RegExp(`data: \\{"id":"${id}".*"state":"completed"`));
    controller.abort();
    const unauthorized = await call('GET', '/v1/events', '/v1/events', {});
    expect(unauthorized.statusCode).toBe(401);
  });
});

describe('rate limits and CORS', () => {
  it('429 with Retry-After once a key used its requests; another key is not affected', async () => {
    const limited = await startTestApi({ rateLimit: { max: 2, windowMs: 60_000 } }, {}, t.redis);
    try {
      const doc = await OpenApiChecker.of(limited.api);
      const get = (key: string) =>
        limited.api.app.inject({ method: 'GET', url: '/v1/queue', headers: auth(key) });
      await get(KEYS.read);
      await get(KEYS.read);
      const third = await get(KEYS.read);
      doc.check('GET', '/v1/queue', third);
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.json().code).toBe('ERR_RATE_LIMITED');
      expect((await get(KEYS.admin)).statusCode).toBe(200);
      expect((await limited.api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(
        200,
      );
    } finally {
      await limited.close();
    }
  });

  it('CORS is closed unless configured, then only for the configured origin', async () => {
    const preflight = { 'access-control-request-method': 'POST', origin: 'https://evil.example' };
    const closed = await t.api.app.inject({
      method: 'OPTIONS',
      url: '/v1/jobs',
      headers: preflight,
    });
    expect(closed.headers['access-control-allow-origin']).toBeUndefined();
    const open = await startTestApi({ corsOrigins: ['https://app.example'] }, {}, t.redis);
    try {
      const ok = await open.api.app.inject({
        method: 'OPTIONS',
        url: '/v1/jobs',
        headers: { ...preflight, origin: 'https://app.example' },
      });
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
      const evil = await open.api.app.inject({
        method: 'OPTIONS',
        url: '/v1/jobs',
        headers: preflight,
      });
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});

describe('storage retention', () => {
  it('cleanup removes uploads and results older than the retention, keeps newer ones', async () => {
    const storage = t.api.context.storage;
    const files = () => readdirSync(storage.uploads).length + readdirSync(storage.results).length;
    const before = files();
    expect(before).toBeGreaterThan(0);
    expect(await storage.cleanup(3_600_000)).toBe(0);
    expect(await storage.cleanup(0, Date.now() + 1_000)).toBe(before);
    expect(files()).toBe(0);
  });
});
