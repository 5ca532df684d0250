/** `promtool`, Prometheus's checker: rule files, rule unit tests, metrics exposition. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ObservabilityErrorCodes, PrometheusError } from './errors.ts';
import { PROMETHEUS_INSTALL_FIX } from './prometheus.ts';
import { type RuleGroup, type RuleUnitTest, rulesYaml } from './rules.ts';

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

/**
 * Runs `promtool check rules` and `promtool test rules` on `groups` and `tests`, written to a
 * temporary folder (removed afterwards). Both must pass for `ok`.
 * @example testRules([{ name: 'g', rules: [rule] }], [myTest]).ok
 */
export function testRules(groups: RuleGroup[], tests: RuleUnitTest[]): PromtoolResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'workbook-rules-'));
  try {
    writeFileSync(path.join(dir, 'rules.yml'), rulesYaml(groups));
    writeFileSync(
      path.join(dir, 'tests.yml'),
      stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, { lineWidth: 0 }),
    );
    const check = runPromtool(['check', 'rules', 'rules.yml'], undefined, dir);
    if (!check.ok) return check;
    return runPromtool(['test', 'rules', 'tests.yml'], undefined, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
