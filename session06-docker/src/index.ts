/**
 * Session 06 · Docker and containerisation. This file is the package's only public entry
 * (`@workbook/session06`): the engine connection, build contexts and builds with decoded
 * progress, the course's images, stacks of Redis + workers driven through the API, logs,
 * stats, labels for clean-up, and Compose.
 */
export {
  type BuildEvent,
  type BuildImageOptions,
  type BuildResult,
  BuildStreamDecoder,
  buildImage,
} from './build.ts';
export {
  type ComposeCommand,
  type ComposeResult,
  findCompose,
  findComposeCommands,
  type RunComposeOptions,
  runCompose,
} from './compose.ts';
export {
  lastLines,
  type RedisSpec,
  redisContainer,
  type StopResult,
  stopContainer,
  type WaitOptions,
  type WorkerSpec,
  waitHealthy,
  workerContainer,
} from './containers.ts';
export { type BuildContext, type PackContextOptions, packContext } from './context.ts';
export {
  type ContextFile,
  contextFiles,
  globToRegex,
  type IgnorePattern,
  isIgnored,
  parseDockerignore,
  readDockerignore,
} from './dockerignore.ts';
export {
  type ConnectOptions,
  checkEngine,
  connectEngine,
  describeEndpoint,
  type EngineInfo,
  engineEndpoint,
} from './engine.ts';
export {
  BaseImageMissingError,
  BuildFailedError,
  DockerError,
  type DockerErrorCode,
  DockerErrorCodes,
  ENGINE_HELP,
  EngineUnavailableError,
  type FailedStep,
} from './errors.ts';
export {
  BUILD_KEY_LABEL,
  DOCKERFILE,
  type EnsureImageOptions,
  type EnsureImagesOptions,
  ensureCourseImages,
  ensureImage,
  ensurePulled,
  IMGQ_IMAGE,
  type ImageStatus,
  inspectImage,
  NODE_BASE_IMAGE,
  REDIS_IMAGE,
  REPO_ROOT,
  WORKER_IMAGE,
  withFileLock,
} from './images.ts';
export {
  isGone,
  type RemovedObjects,
  ROLE_LABEL,
  RUN_LABEL,
  removeLabelled,
  STACK_LABEL,
  stackLabels,
} from './labels.ts';
export {
  demuxLogs,
  type FollowLogsOptions,
  followLogs,
  LineAssembler,
  LogDemuxer,
  type LogFrame,
  type LogLine,
  prefixColour,
  prefixLine,
} from './logs.ts';
export { INDEX_LABEL, Stack, type StackContainer, type StackOptions } from './stack.ts';
export {
  type ContainerStats,
  cpuPercent,
  formatBytes,
  memoryBytes,
  type RawStats,
  readStats,
} from './stats.ts';
export { packTar, type TarEntry } from './tar.ts';
