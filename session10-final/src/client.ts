/**
 * A small client of the API over HTTP (fetch and FormData, nothing else): what the demo, the
 * end-to-end test and the bench use, and an example of talking to the API from code.
 */
import type { ProblemDetails } from './problem.ts';

/** A refusal from the API, with its problem document. */
export class ApiProblemError extends Error {
  override name = 'ApiProblemError';
  readonly problem: ProblemDetails;
  readonly status: number;

  constructor(problem: ProblemDetails) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.problem = problem;
    this.status = problem.status;
  }
}

/** What `POST /v1/jobs` answers. */
export interface SubmitAnswer {
  batchId: string;
  replayed: boolean;
  jobs: Array<{ id: string; name: string; traceId: string }>;
}

/** Client of one API with one key. */
export class ImgqClient {
  readonly baseUrl: string;
  readonly #key: string;

  constructor(baseUrl: string, key: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.#key = key;
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${this.#key}`,
        ...(init.headers as Record<string, string>),
      },
    });
    if (response.status >= 400) {
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('problem+json'))
        throw new ApiProblemError((await response.json()) as ProblemDetails);
      throw new Error(`${response.status} from ${path}: ${await response.text()}`);
    }
    return response;
  }

  async #json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.#fetch(path, init)).json()) as T;
  }

  /** Submits images with a pipeline spec. */
  async submit(
    files: Array<{ name: string; data: Uint8Array }>,
    spec: unknown,
    options: { idempotencyKey?: string; traceparent?: string } = {},
  ): Promise<SubmitAnswer> {
    const form = new FormData();
    form.set('pipeline', JSON.stringify(spec));
    for (const file of files) form.append('images', new Blob([file.data]), file.name);
    const headers: Record<string, string> = {};
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.traceparent) headers.traceparent = options.traceparent;
    return this.#json('/v1/jobs', { method: 'POST', body: form, headers });
  }

  job(id: string): Promise<import('./jobs.ts').JobView> {
    return this.#json(`/v1/jobs/${encodeURIComponent(id)}`);
  }

  batch(id: string): Promise<{
    id: string;
    total: number;
    done: number;
    states: Record<string, number>;
    jobs: import('./jobs.ts').JobView[];
  }> {
    return this.#json(`/v1/batches/${encodeURIComponent(id)}`);
  }

  /** The result image's bytes and content type. */
  async result(id: string): Promise<{ data: Buffer; type: string; etag: string | null }> {
    const response = await this.#fetch(`/v1/jobs/${encodeURIComponent(id)}/result`);
    return {
      data: Buffer.from(await response.arrayBuffer()),
      type: response.headers.get('content-type') ?? '',
      etag: response.headers.get('etag'),
    };
  }

  queue(): Promise<{ name: string; counts: import('@workbook/session05').QueueCounts }> {
    return this.#json('/v1/queue');
  }

  deadLetters(): Promise<{
    total: number;
    entries: Array<{
      id: string;
      name: string;
      error: { code: string; message: string };
      reason: string;
    }>;
  }> {
    return this.#json('/v1/dlq?limit=1000');
  }

  retry(ids: string[]): Promise<{ retried: string[]; missing: string[] }> {
    return this.#json('/v1/dlq/retry', {
      method: 'POST',
      body: JSON.stringify({ ids }),
      headers: { 'content-type': 'application/json' },
    });
  }
}
