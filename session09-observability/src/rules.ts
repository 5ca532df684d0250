/**
 * The recording and alert rules, as data: `prometheus/rules/imgq.rules.yml` is written from
 * {@link imgqRuleGroups} with the production thresholds (a test keeps the file and the code
 * equal), and the demo loads the same rules with thresholds scaled down to seconds.
 */
import { stringify } from 'yaml';
import { imgqDashboard } from './dashboard.ts';

/** A recording rule. */
export interface RecordingRule {
  record: string;
  expr: string;
}

/** An alert rule. */
export interface AlertRule {
  alert: string;
  expr: string;
  /** How long the condition must hold before the alert fires (`5m`). */
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A rule group as Prometheus reads it. */
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertRule>;
}

/** Thresholds and durations of the alerts. */
export interface RuleThresholds {
  /** Pending tasks above which a growing backlog alerts. @default 50 */
  backlogPending: number;
  /** Window of the backlog rate. @default '5m' */
  rateWindow: string;
  /** How long the backlog must grow. @default '10m' */
  backlogFor: string;
  /** Dead-lettered tasks per second that alert. @default 0.05 (3 a minute) */
  dlqRate: number;
  /** @default '5m' */
  dlqFor: string;
  /** @default '2m' */
  noWorkersFor: string;
  /** p95 task time that alerts (s). @default 10 */
  p95Seconds: number;
  /** @default '10m' */
  p95For: string;
  /** Heartbeat age that alerts (s). @default 30 */
  heartbeatStaleSeconds: number;
  /** @default '1m' */
  heartbeatFor: string;
}

/** The production thresholds. */
export const DEFAULT_THRESHOLDS: RuleThresholds = {
  backlogPending: 50,
  rateWindow: '5m',
  backlogFor: '10m',
  dlqRate: 0.05,
  dlqFor: '5m',
  noWorkersFor: '2m',
  p95Seconds: 10,
  p95For: '10m',
  heartbeatStaleSeconds: 30,
  heartbeatFor: '1m',
};

/** The runbook section of each alert in the README. */
const RUNBOOK = 'session09-observability/README.md#runbook';

/** The rule groups with `thresholds`. */
export function imgqRuleGroups(thresholds: Partial<RuleThresholds> = {}): RuleGroup[] {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const w = t.rateWindow;
  const runbook = (anchor: string) => `${RUNBOOK}-${anchor}`;
  return [
    {
      name: 'imgq-recording',
      rules: [
        {
          record: 'queue_outcome:imgq_tasks_finished:rate1m',
          expr: 'sum by (queue, outcome) (rate(imgq_tasks_finished_total[1m]))',
        },
        {
          record: 'queue:imgq_queue_backlog_growth:rate',
          expr: `sum by (queue) (rate(imgq_queue_enqueued_total[${w}])) - sum by (queue) (rate(imgq_queue_completed_total[${w}]) + rate(imgq_queue_dead_lettered_total[${w}]))`,
        },
        {
          record: 'queue:imgq_queue_dead_lettered:rate',
          expr: `sum by (queue) (rate(imgq_queue_dead_lettered_total[${w}]))`,
        },
        {
          record: 'queue:imgq_task_duration_seconds:p95',
          expr: `histogram_quantile(0.95, sum by (queue, le) (rate(imgq_task_duration_seconds_bucket[${w}])))`,
        },
      ],
    },
    {
      name: 'imgq-alerts',
      rules: [
        {
          alert: 'ImgqBacklogGrowing',
          expr: `queue:imgq_queue_backlog_growth:rate > 0 and on (queue) sum by (queue) (imgq_queue_tasks{state="pending"}) > ${t.backlogPending}`,
          for: t.backlogFor,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Queue {{ $labels.queue }} grows faster than it drains',
            description: `More tasks arrive than finish, with over ${t.backlogPending} pending.`,
            runbook_url: runbook('imgqbackloggrowing'),
          },
        },
        {
          alert: 'ImgqDeadLetterRate',
          expr: `queue:imgq_queue_dead_lettered:rate > ${t.dlqRate}`,
          for: t.dlqFor,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Tasks of {{ $labels.queue }} go to the dead letter queue',
            description: 'Dead-lettered: {{ $value | humanize }} tasks/s.',
            runbook_url: runbook('imgqdeadletterrate'),
          },
        },
        noLiveWorkersRule(t.noWorkersFor),
        {
          alert: 'ImgqTaskP95High',
          expr: `queue:imgq_task_duration_seconds:p95 > ${t.p95Seconds}`,
          for: t.p95For,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'p95 task time of {{ $labels.queue }} is {{ $value | humanizeDuration }}',
            description: `95 % of tasks should take under ${t.p95Seconds} s.`,
            runbook_url: runbook('imgqtaskp95high'),
          },
        },
        {
          alert: 'ImgqWorkerHeartbeatStale',
          expr: `max by (queue, worker) (imgq_worker_last_heartbeat_age_seconds) > ${t.heartbeatStaleSeconds}`,
          for: t.heartbeatFor,
          labels: { severity: 'warning' },
          annotations: {
            summary:
              'Worker {{ $labels.worker }} of {{ $labels.queue }} has not heartbeated for {{ $value | humanizeDuration }}',
            description: 'It died or is stalled; its tasks are recovered when their leases expire.',
            runbook_url: runbook('imgqworkerheartbeatstale'),
          },
        },
      ],
    },
  ];
}

/**
 * No live worker while work waits: fires after `forDuration`. Only with a backlog: a fleet
 * scaled to zero on an empty queue (KEDA) is fine.
 */
export function noLiveWorkersRule(forDuration = DEFAULT_THRESHOLDS.noWorkersFor): AlertRule {
  return {
    alert: 'ImgqNoLiveWorkers',
    expr: 'sum by (queue) (imgq_workers_live) == 0 and on (queue) sum by (queue) (imgq_queue_tasks{state=~"pending|delayed"}) > 0',
    for: forDuration,
    labels: { severity: 'critical' },
    annotations: {
      summary: 'No worker is alive for queue {{ $labels.queue }} while tasks wait',
      description: 'Tasks are pending or delayed and no worker heartbeats.',
      runbook_url: `${RUNBOOK}-imgqnoliveworkers`,
    },
  };
}

/** A rules file (YAML text) of `groups`. */
export function rulesYaml(groups: RuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0 });
}

/** One test group of a promtool rules unit test file. */
export interface RuleUnitTest {
  name?: string;
  /** Time between input samples (`1m`). */
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  alert_rule_test?: Array<{
    eval_time: string;
    alertname: string;
    exp_alerts: Array<{
      exp_labels: Record<string, string>;
      exp_annotations?: Record<string, string>;
    }>;
  }>;
  promql_expr_test?: Array<{
    expr: string;
    eval_time: string;
    exp_samples: Array<{ labels: string; value: number }>;
  }>;
}

/** The rules as a Prometheus Operator `PrometheusRule` (k8s/monitoring/prometheusrule.yaml). */
export function prometheusRuleManifest(
  groups: RuleGroup[] = imgqRuleGroups(),
): Record<string, unknown> {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'imgq',
      labels: { 'app.kubernetes.io/name': 'imgq', 'app.kubernetes.io/component': 'monitoring' },
    },
    spec: { groups },
  };
}

/** The generated files of the session (rules, PrometheusRule, dashboard), by path relative to the session folder, with their text. */
export function generatedRuleFiles(): Record<string, string> {
  const note =
    '# Generated from src/rules.ts by `pnpm --filter @workbook/session09 rules:generate`; a test keeps them equal.\n';
  return {
    'prometheus/rules/imgq.rules.yml': `${note}${rulesYaml(imgqRuleGroups())}`,
    'k8s/monitoring/prometheusrule.yaml': `${note}${stringify(prometheusRuleManifest(), { lineWidth: 0 })}`,
    'grafana/dashboards/imgq.json': `${JSON.stringify(imgqDashboard(), null, 2)}\n`,
  };
}
