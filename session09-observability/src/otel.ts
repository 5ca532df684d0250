/**
 * OpenTelemetry export of the task events: the producer's enqueue and each attempt become spans
 * of ONE trace — the task's W3C trace id — with the span ids the trace context already carries,
 * so the spans of different processes link up (an attempt's parent is the enqueue). Export goes
 * to any `SpanExporter`: OTLP/HTTP where `OTEL_EXPORTER_OTLP_ENDPOINT` is set
 * ({@link otelBridgeFromEnv}), an in-memory one in tests.
 */
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Span, SpanKind as SpanKindType } from '@opentelemetry/api';
import type * as OtelSdk from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TaskEvent } from './task-events.ts';
import { newSpanId, newTraceId } from './trace-context.ts';

/** Options of {@link createOtelBridge}. */
export interface OtelBridgeOptions {
  exporter: SpanExporter;
  /** Batch spans before export (production) or export each at once (tests). @default false */
  batch?: boolean;
  /** Put on every span as `service.name`. @default 'imgq' */
  serviceName?: string;
}

/** Turns task events into spans. */
export interface OtelBridge {
  /** Feed it every task event (`createTaskTracer({ onEvent })`, `enqueueTraced({ onEvent })`). */
  onEvent(event: TaskEvent): void;
  /** Exports what is pending and stops. */
  shutdown(): Promise<void>;
}

// Loaded on first use (their CommonJS builds), so a process that exports no spans never loads
// the SDK.
const require = createRequire(import.meta.url);
const otelApi = () => require('@opentelemetry/api') as typeof OtelApi;
const otelSdk = () => require('@opentelemetry/sdk-trace-base') as typeof OtelSdk;

const HEX32 = /^[0-9a-f]{32}$/;
const ENDS: ReadonlySet<TaskEvent['type']> = new Set([
  'done',
  'retried',
  'dead-lettered',
  'released',
  'lease-lost',
]);

/**
 * A bridge from task events to spans: `enqueued` → span `imgq enqueue` (producer), `started` …
 * `done`/`retried`/`dead-lettered`/`released`/`lease-lost` → span `imgq attempt` (consumer,
 * status error unless done), `recovered` → span `imgq recover`.
 * @example
 * const otel = createOtelBridge({ exporter: new InMemorySpanExporter() });
 * const tracer = createTaskTracer({ onEvent: otel.onEvent });
 */
export function createOtelBridge(options: OtelBridgeOptions): OtelBridge {
  const { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } = otelApi();
  const { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = otelSdk();
  // The ids of the next span come from the trace context, not from the SDK's generator.
  let next: { traceId?: string; spanId?: string } = {};
  const provider = new BasicTracerProvider({
    idGenerator: {
      generateTraceId: () => next.traceId ?? newTraceId(),
      generateSpanId: () => next.spanId ?? newSpanId(),
    },
    spanProcessors: [
      options.batch
        ? new BatchSpanProcessor(options.exporter)
        : new SimpleSpanProcessor(options.exporter),
    ],
  });
  const tracer = provider.getTracer('@workbook/session09');
  const open = new Map<string, Span>();
  const service = options.serviceName ?? 'imgq';

  const start = (
    name: string,
    kind: SpanKindType,
    event: TaskEvent,
    attributes: Attributes,
  ): Span => {
    const parent = event.parentSpanId
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: event.traceId,
          spanId: event.parentSpanId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        })
      : ROOT_CONTEXT;
    next = { traceId: event.traceId, ...(event.spanId ? { spanId: event.spanId } : {}) };
    try {
      return tracer.startSpan(
        name,
        {
          kind,
          startTime: event.at,
          attributes: {
            'service.name': service,
            'imgq.task_id': event.taskId,
            ...(event.workerId ? { 'imgq.worker_id': event.workerId } : {}),
            ...(event.host ? { 'host.name': event.host } : {}),
            ...(event.pid ? { 'process.pid': event.pid } : {}),
            ...attributes,
          },
        },
        parent,
      );
    } finally {
      next = {};
    }
  };

  return {
    onEvent(event) {
      if (!HEX32.test(event.traceId)) return;
      if (event.type === 'enqueued') {
        start('imgq enqueue', SpanKind.PRODUCER, event, {}).end(event.at);
      } else if (event.type === 'started') {
        open.get(event.taskId)?.end(event.at);
        open.set(
          event.taskId,
          start('imgq attempt', SpanKind.CONSUMER, event, { 'imgq.attempt': event.attempt ?? 0 }),
        );
      } else if (event.type === 'recovered') {
        start('imgq recover', SpanKind.INTERNAL, event, {}).end(event.at);
      } else if (ENDS.has(event.type)) {
        const span = open.get(event.taskId);
        if (!span) return;
        open.delete(event.taskId);
        span.setAttribute('imgq.outcome', event.type);
        if (event.code) span.setAttribute('imgq.error_code', event.code);
        span.setStatus(
          event.type === 'done'
            ? { code: SpanStatusCode.OK }
            : { code: SpanStatusCode.ERROR, message: event.code ?? event.type },
        );
        span.end(event.at);
      }
    },
    async shutdown() {
      for (const span of open.values()) span.end();
      open.clear();
      await provider.shutdown();
    },
  };
}

/**
 * The bridge with the OTLP/HTTP exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, else `null`. The exporter reads the standard
 * `OTEL_EXPORTER_OTLP_*` variables itself.
 */
export async function otelBridgeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  serviceName = env.OTEL_SERVICE_NAME ?? 'imgq',
): Promise<OtelBridge | null> {
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!url) return null;
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${url.replace(/\/$/, '')}/v1/traces`;
  return createOtelBridge({
    exporter: new OTLPTraceExporter({ url: traces }),
    batch: true,
    serviceName,
  });
}
