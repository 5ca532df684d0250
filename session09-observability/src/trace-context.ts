/**
 * W3C Trace Context (`traceparent`): the one line that ties together every log line, event and
 * span of one task, in every process and every attempt.
 *
 * ```
 * 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
 * ^^ ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ ^^^^^^^^^^^^^^^^ ^^
 * version   trace id (16 bytes)       span id (8 bytes) flags (01: sampled)
 * ```
 */
import { randomBytes } from 'node:crypto';
import { describeValue } from '@workbook/session01';
import { ObservabilityErrorCodes, TraceContextError } from './errors.ts';

/** A parsed `traceparent`. */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero: the same for the whole story of a task. */
  traceId: string;
  /** 16 lower-case hex digits, not all zero: one step (the enqueue, one attempt). */
  spanId: string;
  /** Trace flags (bit 0: sampled). */
  flags: number;
  /** The span this one is a step of (set by {@link childContext}; not part of `traceparent`). */
  parentSpanId?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A new random 16-hex-digit span id (never all zero). */
export function newSpanId(): string {
  return nonZeroHex(8);
}

/** A new random 32-hex-digit trace id (never all zero). */
export function newTraceId(): string {
  return nonZeroHex(16);
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** A new trace: a fresh trace id and span id, sampled. */
export function createTraceContext(): TraceContext {
  return { traceId: newTraceId(), spanId: newSpanId(), flags: 1 };
}

/** A new trace as a `traceparent` header value. @example createTraceparent() // '00-…-…-01' */
export function createTraceparent(): string {
  return formatTraceparent(createTraceContext());
}

/** `traceparent` text of `context` (version 00). */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags.toString(16).padStart(2, '0')}`;
}

/**
 * Parses a `traceparent`.
 * @throws {TraceContextError} `ERR_INVALID_TRACEPARENT` for anything but
 * `00-<32 hex>-<16 hex>-<2 hex>` with non-zero ids (upper-case hex and version ff are invalid)
 * @example parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01').traceId
 */
export function parseTraceparent(value: unknown): TraceContext {
  const match = typeof value === 'string' ? TRACEPARENT.exec(value.trim()) : null;
  const bad = (why: string) =>
    new TraceContextError(
      ObservabilityErrorCodes.INVALID_TRACEPARENT,
      `Expected a W3C traceparent \`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>\` (${why}), got ${describeValue(value)}`,
    );
  if (!match) throw bad('lower-case hex, four fields');
  const [, version, traceId, spanId, flags] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (version === 'ff') throw bad('version ff is invalid');
  if (/^0+$/.test(traceId)) throw bad('the trace id must not be all zero');
  if (/^0+$/.test(spanId)) throw bad('the span id must not be all zero');
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** A step inside `parent`'s trace: same trace id and flags, a new span id. */
export function childContext(parent: TraceContext): TraceContext {
  return {
    traceId: parent.traceId,
    spanId: newSpanId(),
    flags: parent.flags,
    parentSpanId: parent.spanId,
  };
}
