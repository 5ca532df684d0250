import type { AlertRule, RuleUnitTest } from '@workbook/session09';

/**
 * No live worker while tasks wait (pending or delayed), for 2 minutes. An empty queue with no
 * workers is fine: KEDA scales the fleet to zero then.
 */
export function noWorkersAlert(): AlertRule {
  return {
    alert: 'ImgqNoLiveWorkers',
    expr: 'sum by (queue) (imgq_queue_tasks{state=~"pending|delayed"}) > 0 unless on (queue) sum by (queue) (imgq_workers_live)',
    for: '2m',
    labels: { severity: 'critical' },
    annotations: { summary: 'No worker is alive for queue {{ $labels.queue }} while tasks wait' },
  };
}

/** Its promtool unit test: fires with a backlog and no worker; not on an empty queue. */
export function noWorkersAlertTest(): RuleUnitTest {
  return {
    name: 'no live workers',
    interval: '1m',
    input_series: [
      { series: 'imgq_workers_live{queue="images"}', values: '0x10' },
      { series: 'imgq_queue_tasks{queue="images",state="pending"}', values: '5x10' },
      { series: 'imgq_queue_tasks{queue="images",state="delayed"}', values: '0x10' },
      { series: 'imgq_workers_live{queue="idle"}', values: '0x10' },
      { series: 'imgq_queue_tasks{queue="idle",state="pending"}', values: '0x10' },
      { series: 'imgq_queue_tasks{queue="idle",state="delayed"}', values: '0x10' },
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
