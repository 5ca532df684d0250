/** `promtool`, Prometheus's checker: rule files, rule unit tests, metrics exposition. */
import { spawnSync } from 'node:child_process';
import { ObservabilityErrorCodes, PrometheusError } from './errors.ts';
import { PROMETHEUS_INSTALL_FIX } from './prometheus.ts';

/** What one promtool run said. */
export interface PromtoolResult {
  ok: boolean;
  code: number;
  /** stdout and stderr together. */
  output: string;
}

/**
 * Runs `promtool <args>` (stdin: `input`).
 * @throws {PrometheusError} `ERR_PROMETHEUS_UNAVAILABLE` when promtool is not installed
 * @example runPromtool(['test', 'rules', 'prometheus/tests/alerts.test.yml']).ok
 */
export function runPromtool(args: string[], input?: string, cwd?: string): PromtoolResult {
  const run = spawnSync('promtool', args, {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
    ...(cwd ? { cwd } : {}),
    timeout: 60_000,
  });
  if (run.error) {
    throw new PrometheusError(
      ObservabilityErrorCodes.PROMETHEUS_UNAVAILABLE,
      `promtool could not run (${(run.error as NodeJS.ErrnoException).code ?? run.error.message}): ${PROMETHEUS_INSTALL_FIX}`,
    );
  }
  const code = run.status ?? 1;
  return { ok: code === 0, code, output: `${run.stdout}${run.stderr}`.trim() };
}

/** `promtool check metrics` on an exposition text (lint: names, units, help, types). */
export function checkMetricsText(text: string): PromtoolResult {
  return runPromtool(['check', 'metrics'], text);
}
