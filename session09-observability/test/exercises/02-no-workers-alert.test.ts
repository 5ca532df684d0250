import type { AlertRule, RuleUnitTest } from '@workbook/session09';
import { describe, expect, it } from 'vitest';
import { noWorkersAlert, noWorkersAlertTest } from '#ex/02-no-workers-alert/no-workers-alert.ts';
import { testRules } from '../../src/index.ts';

const group = () => [{ name: 'exercise-09.2', rules: [noWorkersAlert()] }];

/** One queue's series: live workers, pending and delayed tasks, constant for 10 minutes. */
function queue(name: string, workers: number, pending: number, delayed: number) {
  return [
    { series: `imgq_workers_live{queue="${name}"}`, values: `${workers}x10` },
    { series: `imgq_queue_tasks{queue="${name}",state="pending"}`, values: `${pending}x10` },
    { series: `imgq_queue_tasks{queue="${name}",state="delayed"}`, values: `${delayed}x10` },
  ];
}

/** A case of the check: the alert's state for `name` at `at` (firing, pending, or none). */
function stateCase(
  series: RuleUnitTest['input_series'],
  name: string,
  at: string,
  state: 'firing' | 'pending' | null,
): RuleUnitTest {
  return {
    interval: '1m',
    input_series: series,
    promql_expr_test: [
      {
        expr: `count by (queue, alertstate) (ALERTS{alertname="ImgqNoLiveWorkers",queue="${name}"})`,
        eval_time: at,
        exp_samples: state ? [{ labels: `{queue="${name}",alertstate="${state}"}`, value: 1 }] : [],
      },
    ],
  };
}

describe('09.2 the no-live-workers alert', () => {
  it('is a valid rule named ImgqNoLiveWorkers, critical, waiting 2m', () => {
    const rule = noWorkersAlert();
    expect(rule.alert, '🚨 name the alert ImgqNoLiveWorkers').toBe('ImgqNoLiveWorkers');
    expect(rule.labels?.severity, '🚨 severity: critical').toBe('critical');
    expect(rule.for, '🚨 for: 2m (a restart is not a page)').toBe('2m');
    const result = testRules(group(), []);
    expect(result.output, '🚨 promtool check rules').toContain('SUCCESS');
  });

  it('passes its own promtool test, which has a firing and a must-not-fire case', () => {
    const test = noWorkersAlertTest();
    const cases = test.alert_rule_test ?? [];
    expect(
      cases.some((c) => c.exp_alerts.length > 0),
      '🚨 your test needs a case where the alert fires',
    ).toBe(true);
    expect(
      cases.some((c) => c.exp_alerts.length === 0),
      '🚨 your test needs a case where it must not fire (exp_alerts: [])',
    ).toBe(true);
    const result = testRules(group(), [test]);
    expect(result.output, '🚨 promtool test rules on your test').toContain('SUCCESS');
    // A unit test proves something only if it fails on a broken rule: run yours against your
    // rule with one part broken.
    const broken = (over: Partial<AlertRule>) => [
      { name: 'exercise-09.2', rules: [{ ...noWorkersAlert(), ...over }] },
    ];
    expect(
      testRules(broken({ expr: 'sum by (queue) (imgq_workers_live) == 0' }), [test]).output,
      '🚨 your test passes a rule that alerts on zero workers alone: add a queue with no workers and no tasks where the alert must not fire, evaluated after 2m',
    ).toMatch(/Unit Testing[\s\S]*FAILED/);
    expect(
      testRules(broken({ for: '0s' }), [test]).output,
      '🚨 your test passes a rule without for: 2m: add a case before 2m where the alert must not fire yet',
    ).toMatch(/Unit Testing[\s\S]*FAILED/);
  });

  it('fires after 2m when tasks are pending and no worker is live', () => {
    const series = queue('images', 0, 5, 0);
    expect(
      testRules(group(), [stateCase(series, 'images', '5m', 'firing')]).output,
      '🚨 pending tasks, no worker: firing at 5m',
    ).toContain('SUCCESS');
    expect(
      testRules(group(), [stateCase(series, 'images', '1m', 'pending')]).output,
      '🚨 at 1m the alert is only pending (for: 2m)',
    ).toContain('SUCCESS');
  });

  it('fires for tasks waiting for a retry too (delayed)', () => {
    const result = testRules(group(), [
      stateCase(queue('retrying', 0, 0, 3), 'retrying', '5m', 'firing'),
    ]);
    expect(result.output, '🚨 delayed tasks need a worker too: firing').toContain('SUCCESS');
  });

  it('does not fire on an empty queue scaled to zero, nor with live workers', () => {
    const empty = testRules(group(), [stateCase(queue('idle', 0, 0, 0), 'idle', '5m', null)]);
    expect(
      empty.output,
      '🚨 must not fire on an empty queue with no workers (scaled to zero)',
    ).toContain('SUCCESS');
    const served = testRules(group(), [
      stateCase(queue('served', 2, 500, 0), 'served', '5m', null),
    ]);
    expect(served.output, '🚨 must not fire while workers are live').toContain('SUCCESS');
  });
});
