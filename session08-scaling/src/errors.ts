/**
 * Session 08's error codes. The base class comes from session 01; bad options and bad HPA or
 * ScaledObject specs are session 01's `InvalidOptionError` (`ERR_INVALID_OPTION`, one message
 * shape), so only what can go wrong while scaling real workers is new here.
 */
import { WorkbookError } from '@workbook/session01';

/** Codes added by session 08 (the README's errors table lists each with its fix). */
export const ScalingErrorCodes = {
  /** The observations given to the HPA do not match its `spec.metrics` (count or kind). */
  OBSERVATION_MISMATCH: 'ERR_OBSERVATION_MISMATCH',
  /** A replica (worker process or container) exited before it became ready. */
  REPLICA_START_FAILED: 'ERR_REPLICA_START_FAILED',
  /** A replica asked to drain (SIGTERM) did not exit within the drain timeout. */
  DRAIN_TIMEOUT: 'ERR_DRAIN_TIMEOUT',
  /** A replica asked to drain exited with a non-zero code (it did not stop gracefully). */
  DRAIN_FAILED: 'ERR_DRAIN_FAILED',
} as const;

export type ScalingErrorCode = (typeof ScalingErrorCodes)[keyof typeof ScalingErrorCodes];

/** A replica that failed to start or to drain; `replica` names it, `detail` says what it did. */
export class ReplicaError extends WorkbookError<ScalingErrorCode> {
  override name = 'ReplicaError';
  readonly replica: string;

  constructor(code: ScalingErrorCode, replica: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.replica = replica;
  }
}
