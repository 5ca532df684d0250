/**
 * The recording and alert rules: the committed rules file is the one the code generates, it
 * passes `promtool check rules`, its unit tests pass `promtool test rules`, and every alert has
 * a case where it fires and one where it must not.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatedRuleFiles, imgqRuleGroups, runPromtool } from '../src/index.ts';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const rulesFile = path.join(root, 'prometheus/rules/imgq.rules.yml');
const testsFile = path.join(root, 'prometheus/tests/imgq.rules.test.yml');

describe('the imgq rules', () => {
  it('the committed generated files (rules, PrometheusRule, dashboard) are what src/ generates', () => {
    for (const [file, text] of Object.entries(generatedRuleFiles())) {
      const committed = readFileSync(path.join(root, file), 'utf8');
      const fix = `🚨 ${file} is stale: run pnpm --filter @workbook/session09 rules:generate`;
      if (file.endsWith('.json')) expect(JSON.parse(committed), fix).toEqual(JSON.parse(text));
      else expect(committed, fix).toBe(text);
    }
  });

  it('the Prometheus configs (one machine: file targets; Compose: DNS discovery) pass promtool check config', () => {
    for (const config of ['prometheus.local.yml', 'prometheus.compose.yml']) {
      const result = runPromtool(['check', 'config', path.join(root, 'prometheus', config)]);
      expect(result.output, `🚨 promtool check config ${config}`).toContain(
        'is valid prometheus config file syntax',
      );
      expect(result.ok).toBe(true);
    }
  });

  it('passes promtool check rules', () => {
    const result = runPromtool(['check', 'rules', rulesFile]);
    expect(result.output).toContain('SUCCESS: 9 rules found');
    expect(result.ok).toBe(true);
  });

  it('passes its promtool unit tests', () => {
    const result = runPromtool(['test', 'rules', testsFile]);
    expect(result.output, '🚨 promtool test rules').toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  it('every alert has a firing case and a must-not-fire case; every recording rule a value test', () => {
    const tests = parse(readFileSync(testsFile, 'utf8')) as {
      tests: Array<{
        alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
        promql_expr_test?: Array<{ expr: string }>;
      }>;
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    const exprs = tests.tests.flatMap((t) => t.promql_expr_test ?? []).map((t) => t.expr);
    for (const group of imgqRuleGroups()) {
      for (const rule of group.rules) {
        if ('record' in rule) {
          expect(exprs, `🚨 recording rule ${rule.record} has a value test`).toContain(rule.record);
          continue;
        }
        const mine = cases.filter((c) => c.alertname === rule.alert);
        expect(
          mine.some((c) => c.exp_alerts.length > 0),
          `🚨 ${rule.alert} has a firing case`,
        ).toBe(true);
        expect(
          mine.some((c) => c.exp_alerts.length === 0),
          `🚨 ${rule.alert} has a must-not-fire case`,
        ).toBe(true);
      }
    }
  });
});
