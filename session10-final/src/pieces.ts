/**
 * The four exercise pieces the API runs: the library's references by default; the demo plugs
 * in the learner's (`#ex/...`) and falls back to a reference, saying so, while one is unsolved.
 */
import { type ApiKey, authorize } from './auth.ts';
import { idempotent } from './idempotency.ts';
import { problemFor } from './problem.ts';
import { formatSse, queueEvent, workerEvents } from './sse.ts';
import { validateSubmission } from './validate.ts';

/** The pieces, one exercise each (10.1 two functions, 10.3 three). */
export interface ApiPieces {
  /** 10.1 */
  validateSubmission: typeof validateSubmission;
  /** 10.1 */
  problemFor: typeof problemFor;
  /** 10.2 */
  idempotent: typeof idempotent;
  /** 10.3 */
  formatSse: typeof formatSse;
  /** 10.3 */
  queueEvent: typeof queueEvent;
  /** 10.3 */
  workerEvents: typeof workerEvents;
  /** 10.4 */
  authorize: typeof authorize;
}

/** The library's reference pieces. */
export const REFERENCE_PIECES: Readonly<ApiPieces> = Object.freeze({
  validateSubmission,
  problemFor,
  idempotent,
  formatSse,
  queueEvent,
  workerEvents,
  authorize,
});

/** Which exercise each piece belongs to. */
export const PIECE_EXERCISES: Readonly<Record<keyof ApiPieces, string>> = Object.freeze({
  validateSubmission: '10.1',
  problemFor: '10.1',
  idempotent: '10.2',
  formatSse: '10.3',
  queueEvent: '10.3',
  workerEvents: '10.3',
  authorize: '10.4',
});

/** Whether an error is a starter's `🐨 TODO` (an unsolved exercise). */
export function isTodo(error: unknown): boolean {
  return error instanceof Error && error.message.includes('🐨 TODO');
}

/** For each piece: the learner's, or the reference when the learner's still throws TODO. */
export interface ChosenPieces {
  pieces: ApiPieces;
  /** Per piece: `exercise` (the learner's runs) or `reference` (unsolved: the library's runs). */
  sources: Record<keyof ApiPieces, 'exercise' | 'reference'>;
}

/**
 * Probes each of `candidate`'s pieces with one small call and keeps the ones that do not throw
 * a TODO; the others are replaced by the reference.
 */
export async function choosePieces(candidate: ApiPieces): Promise<ChosenPieces> {
  const probeKey: ApiKey[] = [{ id: 'probe', key: 'probe-key-123456', roles: ['read'] }];
  const memory = new Map<string, string>();
  const store = {
    setIfAbsent: async (k: string, v: string) => {
      if (memory.has(k)) return false;
      memory.set(k, v);
      return true;
    },
    get: async (k: string) => memory.get(k) ?? null,
    set: async (k: string, v: string) => void memory.set(k, v),
    delete: async (k: string) => void memory.delete(k),
  };
  const probes: Record<keyof ApiPieces, () => unknown> = {
    validateSubmission: () =>
      candidate.validateSubmission(
        { files: [], spec: undefined },
        { catalogue: { has: () => true } as never },
      ),
    problemFor: () => candidate.problemFor(new Error('probe'), '/probe'),
    idempotent: () => candidate.idempotent(store, 'probe', 'f', async () => 1),
    formatSse: () => candidate.formatSse({ data: 'probe' }),
    queueEvent: () => candidate.queueEvent(null, {} as never),
    workerEvents: () => candidate.workerEvents([], []),
    authorize: () => candidate.authorize(probeKey, 'probe-key-123456', 'read'),
  };
  const pieces = { ...candidate };
  const sources = {} as ChosenPieces['sources'];
  for (const name of Object.keys(probes) as Array<keyof ApiPieces>) {
    let todo = false;
    try {
      await probes[name]();
    } catch (error) {
      todo = isTodo(error);
    }
    sources[name] = todo ? 'reference' : 'exercise';
    if (todo) (pieces as Record<string, unknown>)[name] = REFERENCE_PIECES[name];
  }
  return { pieces, sources };
}
