import type { AlertRule, RuleUnitTest } from '@workbook/session09';

/**
 * No live worker, for 2 minutes.
 */
export function noWorkersAlert(): AlertRule {
  return {
    alert: 'ImgqNoLiveWorkers',
    expr: 'sum by (queue) (imgq_workers_live) == 0',
    for: '2m',
    labels: { severity: 'critical' },
    annotations: { summary: 'No worker is alive for queue {{ $labels.queue }} while tasks wait' },
  };
}

/** Its promtool unit test: fires with no worker; not before 2 minutes. */
export function noWorkersAlertTest(): RuleUnitTest {
  return {
    name: 'no live workers',
    interval: '1m',
    input_series: [
      { series: 'imgq_workers_live{queue="images"}', values: '0x10' },
      { series: 'imgq_queue_tasks{queue="images",state="pending"}', values: '5x10' },
      { series: 'imgq_queue_tasks{queue="images",state="delayed"}', values: '0x10' },
    ],
    alert_rule_test: [
      { eval_time: '1m', alertname: 'ImgqNoLiveWorkers', exp_alerts: [] },
      {
        eval_time: '5m',
        alertname: 'ImgqNoLiveWorkers',
        exp_alerts: [
          {
            exp_labels: { severity: 'critical', queue: 'images' },
            exp_annotations: { summary: 'No worker is alive for queue images while tasks wait' },
          },
        ],
      },
    ],
  };
}
