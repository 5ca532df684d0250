/**
 * A real Prometheus for tests and demos: Debian's `prometheus` binary started on a free loopback
 * port with its own temporary storage, a config written for it, and a small client of its HTTP
 * API (instant queries, targets, alerts). Always `stop()` it: it kills the process and removes
 * the storage.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { stringify } from 'yaml';
import { ObservabilityErrorCodes, PrometheusError } from './errors.ts';

/** How to install Prometheus, said whenever it is missing. */
export const PROMETHEUS_INSTALL_FIX =
  "install Debian's package: `apt-get install -y prometheus` (gives `prometheus` and `promtool`; `.ci/prometheus-setup.sh` does it)";

/** One scrape job. */
export interface ScrapeJob {
  job: string;
  /** `host:port` of each target. */
  targets: string[];
  /** Labels added to every series of these targets. */
  labels?: Record<string, string>;
}

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** What to scrape (static targets). */
  jobs?: ScrapeJob[];
  /** Rule files (absolute paths) to load. */
  ruleFiles?: string[];
  /** @default 1000 */
  scrapeIntervalMs?: number;
  /** @default 1000 */
  evaluationIntervalMs?: number;
  /** How long to wait for it to be ready. @default 20000 */
  startTimeoutMs?: number;
  /** The binary. @default 'prometheus' on PATH */
  binary?: string;
}

/** One sample of an instant vector. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** A running Prometheus. */
export interface PrometheusHandle {
  readonly url: string;
  readonly port: number;
  /** The config file it runs with. */
  readonly configFile: string;
  /**
   * An instant query.
   * @throws {PrometheusError} `ERR_PROMQL_INVALID` when Prometheus refuses the expression
   */
  query(promql: string): Promise<Sample[]>;
  /** The first value of `promql`, or `null` when the result is empty. */
  value(promql: string): Promise<number | null>;
  /** Polls `promql` until `accept` holds (bounded); resolves with the samples. */
  waitFor(
    promql: string,
    accept: (samples: Sample[]) => boolean,
    timeoutMs?: number,
  ): Promise<Sample[]>;
  /** Active targets with their health (`up`, `down`, `unknown`). */
  targets(): Promise<Array<{ job: string; instance: string; health: string; lastError: string }>>;
  /** Alerts now pending or firing. */
  alerts(): Promise<Array<{ name: string; state: string; labels: Record<string, string> }>>;
  /** Kills it and removes its storage. */
  stop(): Promise<void>;
}

/** Whether `prometheus` and `promtool` are on PATH (their versions), or `null`. */
export function prometheusVersion(binary = 'prometheus'): string | null {
  try {
    const text = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: 'pipe' });
    return /version (\S+)/.exec(text)?.[1] ?? text.split('\n')[0] ?? 'unknown';
  } catch {
    return null;
  }
}

/** A free TCP port on the loopback interface. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Prometheus config (as YAML text) for static `jobs` and `ruleFiles`. */
export function prometheusConfig(options: StartPrometheusOptions): string {
  const seconds = (ms: number) => `${Math.max(ms, 100)}ms`;
  return stringify({
    global: {
      scrape_interval: seconds(options.scrapeIntervalMs ?? 1000),
      scrape_timeout: seconds(Math.min(options.scrapeIntervalMs ?? 1000, 1000)),
      evaluation_interval: seconds(options.evaluationIntervalMs ?? 1000),
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: (options.jobs ?? []).map((job) => ({
      job_name: job.job,
      static_configs: [{ targets: job.targets, ...(job.labels ? { labels: job.labels } : {}) }],
    })),
  });
}

/**
 * Starts Prometheus on a free loopback port with a temporary storage directory and waits until
 * it is ready.
 * @throws {PrometheusError} `ERR_PROMETHEUS_UNAVAILABLE` when it is not installed or does not
 * become ready (with its last output)
 * @example
 * const prom = await startPrometheus({ jobs: [{ job: 'imgq-worker', targets: ['127.0.0.1:9464'] }] });
 * try { await prom.waitFor('up', (s) => s.length > 0); } finally { await prom.stop(); }
 */
export async function startPrometheus(
  options: StartPrometheusOptions = {},
): Promise<PrometheusHandle> {
  const binary = options.binary ?? 'prometheus';
  if (prometheusVersion(binary) === null) {
    throw new PrometheusError(
      ObservabilityErrorCodes.PROMETHEUS_UNAVAILABLE,
      `\`${binary}\` is not installed or does not run: ${PROMETHEUS_INSTALL_FIX}`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'workbook-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfig(options));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) {
      child.kill('SIGKILL');
      await exit;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new PrometheusError(
        ObservabilityErrorCodes.PROMETHEUS_UNAVAILABLE,
        `Prometheus did not become ready on ${url}${exited ? ' (it exited)' : ''}; its output:\n${output.trim()}`,
      );
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await delay(100);
  }

  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await fetch(`${url}${pathAndQuery}`);
    const body = (await response.json()) as {
      status: string;
      data: T;
      error?: string;
      errorType?: string;
    };
    if (body.status !== 'success') {
      throw new PrometheusError(
        body.errorType === 'bad_data'
          ? ObservabilityErrorCodes.PROMQL_INVALID
          : ObservabilityErrorCodes.PROMETHEUS_UNAVAILABLE,
        `Prometheus refused \`${decodeURIComponent(pathAndQuery)}\`: ${body.error ?? response.status}`,
      );
    }
    return body.data;
  };
  const query = async (promql: string): Promise<Sample[]> => {
    const data = await api<{ resultType: string; result: unknown }>(
      `/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    if (data.resultType === 'scalar') {
      const [, v] = data.result as [number, string];
      return [{ metric: {}, value: Number(v) }];
    }
    return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map(
      (r) => ({ metric: r.metric, value: Number(r.value[1]) }),
    );
  };
  return {
    url,
    port,
    configFile,
    query,
    value: async (promql) => (await query(promql))[0]?.value ?? null,
    async waitFor(promql, accept, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let last: Sample[] = [];
      while (Date.now() < end) {
        last = await query(promql);
        if (accept(last)) return last;
        await delay(200);
      }
      throw new PrometheusError(
        ObservabilityErrorCodes.PROMETHEUS_UNAVAILABLE,
        `\`${promql}\` did not reach the expected value within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
      );
    },
    async targets() {
      const data = await api<{
        activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }>;
      }>('/api/v1/targets?state=active');
      return data.activeTargets.map((t) => ({
        job: t.labels.job ?? '',
        instance: t.labels.instance ?? '',
        health: t.health,
        lastError: t.lastError,
      }));
    },
    async alerts() {
      const data = await api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>(
        '/api/v1/alerts',
      );
      return data.alerts.map((a) => ({
        name: a.labels.alertname ?? '',
        state: a.state,
        labels: a.labels,
      }));
    },
    stop,
  };
}
