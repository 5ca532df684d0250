/**
 * Session 01 · Image basics: safe input, the basic operations, and filters with validated
 * parameters. This file is the package's only public entry (`@workbook/session01`).
 */

export { type BuiltinFilterName, builtinFilters, isBuiltinFilterName } from './builtin-filters.ts';
export {
  checkBoolean,
  checkChoice,
  checkDuration,
  checkFunction,
  checkInteger,
  checkNumber,
  describeChoices,
  describeRule,
  type NumberRule,
} from './check-option.ts';
export { type ContactSheetCell, type ContactSheetOptions, contactSheet } from './contact-sheet.ts';
export { diagnoseImageError } from './decode-check.ts';
export {
  describeValue,
  deserializeError,
  type ImageErrorCode,
  ImageErrorCodes,
  ImageInputError,
  InvalidOptionError,
  isWorkbookError,
  type SerializedError,
  type Session01ErrorCode,
  serializeError,
  WorkbookError,
} from './errors.ts';
export {
  defineFilter,
  describeSpec,
  Filter,
  type FilterDefinition,
  type FilterFactoryFn,
  type FilterSpec,
  type ParamSpec,
  type ParamSpecs,
  type ParamValues,
  type SharpOp,
  validateParams,
} from './filter.ts';
export {
  blurFilter,
  edgeLaplacianFilter,
  edgeSobelFilter,
  embossFilter,
  medianFilter,
  pixelateFilter,
  sharpenFilter,
} from './filters/convolution.ts';
export {
  cropFilter,
  flipFilter,
  flopFilter,
  resizeFilter,
  rotateFilter,
} from './filters/geometry.ts';
export {
  brightnessFilter,
  contrastFilter,
  grayscaleFilter,
  invertFilter,
  saturateFilter,
  sepiaFilter,
  thresholdFilter,
} from './filters/tone.ts';
export {
  damageJpegScan,
  damageJpegTables,
  damagePngChunk,
  decompressionBombPng,
  forgedHeaderPng,
  forgeJpegSize,
  HARMLESS_SVG,
  type HostileSample,
  hostileSamples,
  SVG_WITH_EXTERNAL_REFERENCE,
  truncateBytes,
} from './hostile-inputs.ts';
export {
  EMBOSS,
  type Kernel3x3,
  LAPLACIAN_4,
  LAPLACIAN_8,
  SOBEL_X,
  SOBEL_Y,
  sharpKernel,
} from './kernels.ts';
export {
  BACKGROUND_COLOURS,
  type BackgroundColour,
  CROP_POSITIONS,
  type CropPosition,
  type CropRegion,
  checkOutputFormat,
  cropImage,
  type EncodeOptions,
  encode,
  encodeWithInfo,
  FIT_MODES,
  type FitMode,
  flipImage,
  flopImage,
  formatFromExtension,
  grayscaleImage,
  MAX_DIMENSION,
  OUTPUT_FORMATS,
  type OutputFormat,
  type ResizeOptions,
  resizeImage,
  rotateImage,
  type WrittenImage,
  writeImage,
} from './operations.ts';
export { fromRaw, type RawImage, toRaw } from './raw.ts';
export {
  ACCEPTED_INPUT_FORMATS,
  DEFAULT_INPUT_LIMITS,
  hasCompleteEnding,
  type ImageInfo,
  imageSize,
  openImage,
  readImageInfo,
  type SafeInputOptions,
} from './safe-input.ts';
export { toImageError } from './sharp-errors.ts';
