import type { AlertRule, RuleUnitTest } from '@workbook/session09';

/**
 * 🐨 The alert `ImgqNoLiveWorkers`: no live worker (`imgq_workers_live`) while tasks wait
 * (`imgq_queue_tasks` pending or delayed), for 2 minutes, severity `critical`, per queue.
 */
export function noWorkersAlert(): AlertRule {
  throw new Error('🐨 TODO (09.2): write the ImgqNoLiveWorkers alert rule');
}

/**
 * 🐨 Its promtool unit test: input series, one evaluation where the alert fires and one where
 * it must not.
 */
export function noWorkersAlertTest(): RuleUnitTest {
  throw new Error('🐨 TODO (09.2): write the promtool unit test of your rule');
}
