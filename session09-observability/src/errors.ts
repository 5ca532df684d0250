/**
 * Session 09's error codes. The base class comes from session 01: like every error of the
 * course, these are matched by `code`.
 */
import { WorkbookError } from '@workbook/session01';

/** Codes added by session 09 (the README's errors table lists each with its fix). */
export const ObservabilityErrorCodes = {
  /** A `traceparent` that is not W3C's `00-<32 hex>-<16 hex>-<2 hex>` (or has all-zero ids). */
  INVALID_TRACEPARENT: 'ERR_INVALID_TRACEPARENT',
  /** `imgq trace` named a task of which the event log knows nothing (never traced, or expired). */
  TRACE_NOT_FOUND: 'ERR_TRACE_NOT_FOUND',
  /** The `prometheus` binary is not installed, would not start, or its HTTP API failed. */
  PROMETHEUS_UNAVAILABLE: 'ERR_PROMETHEUS_UNAVAILABLE',
  /** Prometheus refused a PromQL query (a syntax error, an unknown function...). */
  PROMQL_INVALID: 'ERR_PROMQL_INVALID',
  /** The metrics server could not listen (port in use, no permission). */
  METRICS_SERVER_FAILED: 'ERR_METRICS_SERVER_FAILED',
} as const;

export type ObservabilityErrorCode =
  (typeof ObservabilityErrorCodes)[keyof typeof ObservabilityErrorCodes];

/** A bad or missing trace context (`ERR_INVALID_TRACEPARENT`, `ERR_TRACE_NOT_FOUND`). */
export class TraceContextError extends WorkbookError<ObservabilityErrorCode> {
  override name = 'TraceContextError';
}

/** Prometheus missing or failing (`ERR_PROMETHEUS_UNAVAILABLE`, `ERR_PROMQL_INVALID`). */
export class PrometheusError extends WorkbookError<ObservabilityErrorCode> {
  override name = 'PrometheusError';
}
