/**
 * Forgiving exercise names: British and American spellings are the same name
 * (`greyscale-thumbnail` is `grayscale-thumbnail`), and a near miss gets a suggestion.
 */

/** Spellings mapped to the course's (American) one, applied word by word. */
const SPELLINGS: Array<[RegExp, string]> = [
  [/grey/g, 'gray'],
  [/colour/g, 'color'],
  [/centre/g, 'center'],
  [/behaviour/g, 'behavior'],
  [/favour/g, 'favor'],
  [/licence/g, 'license'],
  [/catalogue/g, 'catalog'],
  [/analys/g, 'analyz'],
  [
    /(normal|optimi|serial|initial|stabil|real|organ|recogn|minim|maxim|summar|custom)is(e|ed|es|ing|ation)\b/g,
    '$1iz$2',
  ],
];

/** A name folded for comparison: lower case, American spelling, only letters and digits. */
export function foldName(name: string): string {
  let folded = name.toLowerCase().replace(/[\s_]+/g, '-');
  for (const [british, american] of SPELLINGS) folded = folded.replace(british, american);
  return folded.replace(/[^a-z0-9]/g, '');
}

/** The words of a name, each folded (`grey-thumbnail` → `gray`, `thumbnail`). */
function foldWords(name: string): string[] {
  return name
    .split(/[-_\s/]+/)
    .map(foldName)
    .filter(Boolean);
}

/** Levenshtein distance (small strings only). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidates closest to `query` (by folded name: a prefix, a part, or a few letters off),
 * best first, at most `limit`.
 */
export function closest<T>(
  query: string,
  candidates: T[],
  names: (candidate: T) => string[],
  limit = 3,
): T[] {
  const q = foldName(query);
  if (!q) return [];
  const qWords = foldWords(query);
  const scored: Array<{ candidate: T; score: number }> = [];
  for (const candidate of candidates) {
    let best = Number.POSITIVE_INFINITY;
    for (const name of names(candidate)) {
      const n = foldName(name);
      if (!n) continue;
      const words = foldWords(name);
      if (n === q) best = 0;
      else if (qWords.length > 1 && qWords.every((w) => words.some((x) => x.startsWith(w)))) {
        best = Math.min(best, 1);
      } else if (n.startsWith(q) || q.startsWith(n) || n.includes(q) || q.includes(n)) {
        best = Math.min(best, 1);
      } else {
        const distance = editDistance(q, n);
        if (distance <= Math.max(2, Math.floor(n.length / 4))) best = Math.min(best, 1 + distance);
      }
    }
    if (Number.isFinite(best)) scored.push({ candidate, score: best });
  }
  return scored
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map((s) => s.candidate);
}

/** The part of an exercise a suggestion needs. */
interface NamedExercise {
  id: string;
  slug: string;
  folder: string;
  title: string;
}

/** ` Did you mean 01.1 (grayscale-thumbnail)?` or an empty string. */
export function didYouMean(
  workbook: {
    sessions: Array<{ number: string; exercises: NamedExercise[] }>;
    exercises: NamedExercise[];
  },
  query: string,
): string {
  const dotted = /^(\d{1,2})\.\d{1,2}$/.exec(query);
  if (dotted) {
    const session = workbook.sessions.find((s) => s.number === dotted[1]!.padStart(2, '0'));
    const ids = session?.exercises.map((ex) => ex.id) ?? [];
    return ids.length > 0
      ? ` Session ${session!.number} has ${ids.length === 1 ? ids[0] : `${ids[0]} to ${ids.at(-1)}`}.`
      : '';
  }
  const name = query.split('/').pop() ?? query;
  const near = closest(name, workbook.exercises, (ex) =>
    /^\d/.test(name) ? [ex.id, ex.folder] : [ex.slug, ex.folder, ex.title],
  );
  if (near.length === 0) return '';
  return ` Did you mean ${near.map((ex) => `${ex.id} (${ex.slug})`).join(' or ')}?`;
}
