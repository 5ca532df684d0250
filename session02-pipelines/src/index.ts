/**
 * Session 02 · Pipelines, factory and batch processing. This file is the package's only public
 * entry (`@workbook/session02`). Session 01's library is used through `@workbook/session01`.
 */

export {
  type BatchEvents,
  type BatchOptions,
  BatchProcessor,
  type BatchProgress,
  type BatchSummary,
  checkNaming,
  type FileResult,
  type FileStatus,
} from './batch-processor.ts';
export {
  type BatchProgressOptions,
  formatBatchSummary,
  formatBytes,
  showBatchProgress,
} from './batch-progress.ts';
export {
  AbortedError,
  InvalidFilterDefinitionError,
  InvalidSpecError,
  PathOutsideRootError,
  type PipelineErrorCode,
  PipelineErrorCodes,
  type Session02ErrorCode,
  UnknownFilterError,
} from './errors.ts';
export type { AnyFilterDefinition, DefinedFilter, FilterCatalogue } from './filter-catalogue.ts';
export {
  type FilterDescription,
  FilterFactory,
  type FilterFactoryOptions,
  type ParamDescription,
} from './filter-factory.ts';
export {
  type EncodedInfo,
  FilterPipeline,
  type FilterPipelineOptions,
  type ProcessedImage,
  planPasses,
  type RunOptions,
} from './filter-pipeline.ts';
export { createLimiter, type Limiter } from './limiter.ts';
export { NaivePipeline, type NaivePipelineOptions } from './naive-pipeline.ts';
export {
  OP_SAMPLES,
  type OpSample,
  type PairOutcome,
  probeOps,
  probePair,
} from './order-probe.ts';
export { resolveInside, writeFileAtomic } from './paths.ts';
export {
  MAX_PIPELINE_STEPS,
  type OutputSpec,
  type PipelineSpec,
  parsePipelineSpec,
  SPEC_OUTPUT_FORMATS,
} from './pipeline-spec.ts';
export { type ProcessImageOptions, processImage } from './process-image.ts';
export {
  canJoinPass,
  IDEMPOTENT_OPS,
  isInSharpOrder,
  NEVER_SHARE_PASS,
  PASS_ENDING_OPS,
  SHARP_OP_ORDER,
  SOLO_OPS,
  sharpOrderOf,
} from './sharp-order.ts';
