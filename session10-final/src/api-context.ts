/**
 * What the routes share ({@link ApiContext}), in a module of its own: `app.ts` builds it and
 * registers the routes, the routes take it — neither imports the other's module for it.
 */
import type { FilterFactory } from '@workbook/session02';
import type { QueueInspector, ReliableTaskQueue } from '@workbook/session05';
import type { TaskEventLog } from '@workbook/session09';
import type { FastifyRequest } from 'fastify';
import type { ApiKey, Role } from './auth.ts';
import type { ApiConfig } from './config.ts';
import type { EventHub, ScalerView } from './events.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { JobStore } from './jobs.ts';
import type { ApiMetrics } from './metrics.ts';
import type { ApiPieces } from './pieces.ts';
import type { Storage } from './storage.ts';

/** What the routes share. */
export interface ApiContext {
  config: ApiConfig;
  queue: ReliableTaskQueue;
  inspector: QueueInspector;
  jobs: JobStore;
  storage: Storage;
  pieces: ApiPieces;
  hub: EventHub;
  metrics: ApiMetrics;
  /** Session 09's task event log: each job's story (enqueued by the API, then every attempt). */
  events: TaskEventLog;
  factory: FilterFactory;
  idempotency: IdempotencyStore;
  scaler: () => ScalerView | null;
  startedAt: number;
  /** The key of the request if it may do `role`; throws the 401/403 problem otherwise. */
  auth(request: FastifyRequest, role: Role): ApiKey;
}
