/**
 * Session 10 · The final system: the HTTP API in front of the queue, its live dashboard, and
 * the whole system on one machine. This file is the package's only public entry
 * (`@workbook/session10`).
 */

export { apiMain } from './api-main.ts';
export {
  type Api,
  type ApiContext,
  type ApiOptions,
  createApi,
  PUBLIC_DIR,
  sendProblem,
} from './app.ts';
export { type ApiKey, authorize, parseApiKeys, presentedKey, ROLES, type Role } from './auth.ts';
export { ApiProblemError, ImgqClient, type SubmitAnswer } from './client.ts';
export { type ApiConfig, DEFAULT_LIMITS, loadApiConfig, type UploadLimits } from './config.ts';
export { ApiError, type ApiErrorCode, ApiErrorCodes, type ProblemExtras } from './errors.ts';
export { EventHub, type EventHubOptions, type ScalerView } from './events.ts';
export {
  type IdempotencyStore,
  type IdempotentOptions,
  type IdempotentOutcome,
  idempotent,
  redisIdempotencyStore,
} from './idempotency.ts';
export { type JobMeta, JobStore, type JobView } from './jobs.ts';
export { checkFinal } from './k8s-check.ts';
export { type ApiMetrics, createApiMetrics } from './metrics.ts';
export { safeDisplayName } from './names.ts';
export {
  type ApiPieces,
  type ChosenPieces,
  choosePieces,
  isTodo,
  PIECE_EXERCISES,
  REFERENCE_PIECES,
} from './pieces.ts';
export { type ProblemDetails, problemFor, STATUS_TITLES } from './problem.ts';
export { formatSse, queueEvent, type SseMessage, workerEvents } from './sse.ts';
export { contentTypeOf, extensionOf, Storage } from './storage.ts';
export {
  observedWorkerEntry,
  type RunningSystem,
  type SystemOptions,
  startSystem,
} from './system.ts';
export {
  type CheckedImage,
  type SubmissionInput,
  type UploadedFile,
  type ValidateOptions,
  type ValidSubmission,
  validateSubmission,
} from './validate.ts';
export {
  type Accounting,
  type HostileFile,
  hostileFiles,
  runWorkload,
  type WorkerFailure,
  type WorkloadOptions,
  workerFailures,
} from './workload.ts';
