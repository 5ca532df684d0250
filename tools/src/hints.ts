/**
 * Tiered hints: `exercises/<folder>/HINTS.md` holds `## Hint 1`, `## Hint 2`, ... sections,
 * vaguest first. `pnpm hint <id>` reveals one more per call and remembers how many were shown.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Exercise } from './exercises.ts';

/** One hint section. */
export interface Hint {
  /** The N of `## Hint N`. */
  number: number;
  /** The markdown below the heading, trimmed. */
  body: string;
}

const HINT_HEADING = /^##\s+Hint\s+(\d+)\s*$/i;

/**
 * Splits HINTS.md into its `## Hint N` sections, in file order. Text before the first hint
 * heading is ignored; any other `## ` heading ends the current hint.
 * @throws {Error} when the numbers are not 1, 2, 3, ... in order (an authoring mistake).
 */
export function parseHints(markdown: string): Hint[] {
  const hints: Hint[] = [];
  let current: { number: number; lines: string[] } | null = null;
  const flush = () => {
    if (current) hints.push({ number: current.number, body: current.lines.join('\n').trim() });
    current = null;
  };
  for (const line of markdown.split(/\r?\n/)) {
    const match = HINT_HEADING.exec(line);
    if (match) {
      flush();
      current = { number: Number(match[1]), lines: [] };
    } else if (line.startsWith('## ')) {
      flush();
    } else if (current) {
      current.lines.push(line);
    }
  }
  flush();
  hints.forEach((hint, i) => {
    if (hint.number !== i + 1) {
      throw new Error(
        `Hints must be numbered 1, 2, 3, ... in order; found "## Hint ${hint.number}" where ` +
          `"## Hint ${i + 1}" was expected`,
      );
    }
  });
  return hints;
}

/** The hints of an exercise (empty when it has no HINTS.md). */
export function loadHints(exercise: Exercise): Hint[] {
  if (!exercise.hintsFile || !existsSync(exercise.hintsFile)) return [];
  try {
    return parseHints(readFileSync(exercise.hintsFile, 'utf8'));
  } catch (error) {
    throw new Error(`${exercise.hintsFile}: ${(error as Error).message}`);
  }
}

/** What one `pnpm hint` call reveals. */
export type HintStep =
  | { kind: 'hint'; hint: Hint; total: number; shownAfter: number }
  | { kind: 'exhausted'; total: number }
  | { kind: 'none' };

/**
 * Decides what to reveal given how many hints were already shown: the next one, or that all
 * were shown (`exhausted`), or that the exercise has none.
 * @example nextHint(hints, 0) // { kind: 'hint', hint: hints[0], shownAfter: 1, ... }
 */
export function nextHint(hints: Hint[], alreadyShown: number): HintStep {
  if (hints.length === 0) return { kind: 'none' };
  if (alreadyShown >= hints.length) return { kind: 'exhausted', total: hints.length };
  const index = Math.max(0, alreadyShown);
  return { kind: 'hint', hint: hints[index]!, total: hints.length, shownAfter: index + 1 };
}
