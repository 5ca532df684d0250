/**
 * Test helpers of session 03 for other packages' tests (`@workbook/session03/testing`), kept off
 * the student API (`@workbook/session03`): the TaskQueue contract suite that every queue backend
 * runs. Importing it needs vitest, as any test does.
 */
export {
  RETRY_WITHIN_MS,
  type TaskQueueCapabilities,
  taskQueueContract,
} from './task-queue-contract.ts';
