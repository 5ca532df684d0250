/**
 * Helpers for the exercise checks: they catch what the student's code threw (or notice that it
 * did not throw) and describe it in words, so a 🚨 message can say what the code did.
 */

/** What a call ended with: an error's code and message, and a description for a 🚨 message. */
export interface Outcome {
  /** The error's `code`, or `undefined` (no error, or an error without a code). */
  code: string | undefined;
  /** The error's message, or `''` when nothing was thrown. */
  message: string;
  /** In words: `threw ERR_X: "…"`, `threw an Error without a code: "…"` or `returned without an error`. */
  said: string;
}

function describeError(error: unknown): Outcome {
  const err = error as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(error);
  const said = code ? `threw ${code}: "${message}"` : `threw an error without a code: "${message}"`;
  return { code, message, said };
}

const NO_ERROR: Outcome = { code: undefined, message: '', said: 'returned without an error' };

/** Runs `fn` and reports what it threw. */
export function outcomeOf(fn: () => unknown): Outcome {
  try {
    fn();
  } catch (error) {
    return describeError(error);
  }
  return NO_ERROR;
}

/** Awaits `promise` and reports what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(() => ({ ...NO_ERROR, said: 'resolved without an error' }), describeError);
}
