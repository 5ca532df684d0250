/**
 * The Grafana dashboard, as data: `grafana/dashboards/imgq.json` is written from
 * {@link imgqDashboard} (a test keeps them equal) and every panel query is run against a real
 * Prometheus in the tests, so no panel ships an invalid query.
 */

/** One panel: a title, its PromQL queries, a unit. */
export interface DashboardPanel {
  title: string;
  /** PromQL; may use `$queue` and `$__rate_interval` (Grafana fills them in). */
  queries: Array<{ expr: string; legend: string }>;
  unit: string;
  type: 'timeseries' | 'stat';
}

/** The panels of the imgq dashboard, top to bottom. */
export const DASHBOARD_PANELS: readonly DashboardPanel[] = [
  {
    title: 'Throughput by outcome',
    type: 'timeseries',
    unit: 'ops',
    queries: [
      {
        expr: 'sum by (outcome) (rate(imgq_tasks_finished_total{queue="$queue"}[$__rate_interval]))',
        legend: '{{outcome}}',
      },
    ],
  },
  {
    title: 'Task time p50 / p95',
    type: 'timeseries',
    unit: 's',
    queries: [0.5, 0.95].map((q) => ({
      expr: `histogram_quantile(${q}, sum by (le) (rate(imgq_task_duration_seconds_bucket{queue="$queue"}[$__rate_interval])))`,
      legend: `p${q * 100}`,
    })),
  },
  {
    title: 'Queue wait p95',
    type: 'timeseries',
    unit: 's',
    queries: [
      {
        expr: 'histogram_quantile(0.95, sum by (le) (rate(imgq_task_queue_wait_seconds_bucket{queue="$queue"}[$__rate_interval])))',
        legend: 'p95 wait',
      },
    ],
  },
  {
    title: 'Queue depth by state',
    type: 'timeseries',
    unit: 'short',
    queries: [{ expr: 'sum by (state) (imgq_queue_tasks{queue="$queue"})', legend: '{{state}}' }],
  },
  {
    title: 'Live workers',
    type: 'stat',
    unit: 'short',
    queries: [{ expr: 'sum(imgq_workers_live{queue="$queue"})', legend: 'live' }],
  },
  {
    title: 'Tasks in progress',
    type: 'stat',
    unit: 'short',
    queries: [{ expr: 'sum(imgq_tasks_in_progress{queue="$queue"})', legend: 'in progress' }],
  },
  {
    title: 'Errors by code',
    type: 'timeseries',
    unit: 'ops',
    queries: [
      {
        expr: 'sum by (code) (rate(imgq_tasks_finished_total{queue="$queue",outcome!="done"}[$__rate_interval]))',
        legend: '{{code}}',
      },
    ],
  },
  {
    title: 'Lease recoveries',
    type: 'timeseries',
    unit: 'ops',
    queries: [
      {
        expr: 'sum(rate(imgq_lease_recoveries_total{queue="$queue"}[$__rate_interval]))',
        legend: 'recovered',
      },
    ],
  },
  {
    title: 'Heartbeat age by worker',
    type: 'timeseries',
    unit: 's',
    queries: [
      {
        expr: 'max by (worker) (imgq_worker_last_heartbeat_age_seconds{queue="$queue"})',
        legend: '{{worker}}',
      },
    ],
  },
  {
    title: 'Worker memory (RSS)',
    type: 'timeseries',
    unit: 'bytes',
    queries: [{ expr: 'process_resident_memory_bytes{job="imgq-worker"}', legend: '{{instance}}' }],
  },
];

/** A panel query with Grafana's variables filled in, as the tests run it. */
export function expandQuery(expr: string, queue: string, rateInterval = '1m'): string {
  return expr.replaceAll('$queue', queue).replaceAll('$__rate_interval', rateInterval);
}

/** The dashboard as Grafana's JSON model (datasource uid `prometheus`). */
export function imgqDashboard(): Record<string, unknown> {
  const datasource = { type: 'prometheus', uid: 'prometheus' };
  return {
    uid: 'imgq-overview',
    title: 'imgq · queue and workers',
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-30m', to: 'now' },
    tags: ['imgq'],
    templating: {
      list: [
        {
          name: 'queue',
          type: 'query',
          datasource,
          query: 'label_values(imgq_queue_tasks, queue)',
          refresh: 2,
          current: { text: 'images', value: 'images' },
        },
      ],
    },
    panels: DASHBOARD_PANELS.map((panel, index) => ({
      id: index + 1,
      type: panel.type,
      title: panel.title,
      datasource,
      gridPos: { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.queries.map((q, i) => ({
        refId: String.fromCharCode(65 + i),
        datasource,
        expr: q.expr,
        legendFormat: q.legend,
      })),
    })),
  };
}
