import { type Session01ErrorCode, WorkbookError } from '@workbook/session01';

/** Codes added by session 02. Session 01's codes (`ERR_INVALID_OPTION`, ...) still apply. */
export const PipelineErrorCodes = {
  /** A pipeline spec (JSON) has the wrong structure: a missing key, a wrong type, an extra key. */
  INVALID_SPEC: 'ERR_INVALID_SPEC',
  /** A spec or `factory.create` names a filter the factory does not know. */
  UNKNOWN_FILTER: 'ERR_UNKNOWN_FILTER',
  /** `factory.register` was given a bad definition (bad name, duplicate name, bad ops). */
  INVALID_FILTER_DEFINITION: 'ERR_INVALID_FILTER_DEFINITION',
  /** A path leaves the folder it must stay in (`..`, absolute elsewhere, symlink, NUL byte). */
  PATH_OUTSIDE_ROOT: 'ERR_PATH_OUTSIDE_ROOT',
  /** The work was cancelled through an `AbortSignal`. */
  ABORTED: 'ERR_ABORTED',
} as const;

/** The codes session 02 adds. */
export type PipelineErrorCode = (typeof PipelineErrorCodes)[keyof typeof PipelineErrorCodes];

/** Every code the library of sessions 01-02 can throw; session 03 adds its own to this one. */
export type Session02ErrorCode = Session01ErrorCode | PipelineErrorCode;

/**
 * A pipeline spec does not have the expected structure.
 *
 * @example
 * throw new InvalidSpecError('Expected `steps` to be an array, got `"blur"` (string)');
 */
export class InvalidSpecError extends WorkbookError<typeof PipelineErrorCodes.INVALID_SPEC> {
  override name = 'InvalidSpecError';
  constructor(message: string, options?: ErrorOptions) {
    super(PipelineErrorCodes.INVALID_SPEC, message, options);
  }
}

/** A filter name that the factory does not know; the message lists the known names. */
export class UnknownFilterError extends WorkbookError<typeof PipelineErrorCodes.UNKNOWN_FILTER> {
  override name = 'UnknownFilterError';
  /** The name that was asked for. */
  readonly filterName: string;
  constructor(filterName: string, known: readonly string[], options?: ErrorOptions) {
    super(
      PipelineErrorCodes.UNKNOWN_FILTER,
      `Unknown filter \`${filterName}\`; known filters: ${known.join(', ')}`,
      options,
    );
    this.filterName = filterName;
  }
}

/** A filter definition that cannot be registered. */
export class InvalidFilterDefinitionError extends WorkbookError<
  typeof PipelineErrorCodes.INVALID_FILTER_DEFINITION
> {
  override name = 'InvalidFilterDefinitionError';
  constructor(message: string, options?: ErrorOptions) {
    super(PipelineErrorCodes.INVALID_FILTER_DEFINITION, message, options);
  }
}

/** A path that escapes the folder it was confined to. */
export class PathOutsideRootError extends WorkbookError<
  typeof PipelineErrorCodes.PATH_OUTSIDE_ROOT
> {
  override name = 'PathOutsideRootError';
  constructor(message: string, options?: ErrorOptions) {
    super(PipelineErrorCodes.PATH_OUTSIDE_ROOT, message, options);
  }
}

/** Work stopped because its `AbortSignal` fired. */
export class AbortedError extends WorkbookError<typeof PipelineErrorCodes.ABORTED> {
  override name = 'AbortedError';
  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(PipelineErrorCodes.ABORTED, message, options);
  }
}
