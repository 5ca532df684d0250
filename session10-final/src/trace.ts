/**
 * W3C Trace Context: a job carries the trace id of the request that submitted it (from the
 * client's `traceparent` header, or a new one), so its log lines and events can be found.
 */
import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace id of a valid `traceparent` header, or a new random one. */
export function traceIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (match && !/^0+$/.test(match[1]!)) return match[1]!;
  return randomBytes(16).toString('hex');
}

/** A `traceparent` header for a trace id (a new span id, sampled). */
export function traceparentOf(traceId: string): string {
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}
