/**
 * The mistake catalogue of an exercise (see notes in tools/CONVENTIONS.md): the `wrong/`
 * variant first, then one folder per mistake under `mistakes/<EE>-<slug>/<mistake>/`, each
 * holding ALL the exercise's files plus a `MISTAKE.md` (`WRONG.md` for the wrong variant):
 *
 * ```
 * # <short name of the mistake, as a student would make it>
 *
 * <one paragraph: what the student wrote, why it is wrong, which check test catches it>
 *
 * 🚨 <a substring of the assertion message the student sees for it>
 * ```
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The catalogue size every exercise should reach. */
export const MISTAKES_WANTED = 5;

/** What a MISTAKE.md / WRONG.md says. */
export interface MistakeDoc {
  /** The `# ` heading, or `null`. */
  name: string | null;
  /** The text between the heading and the 🚨 line. */
  description: string;
  /** The 🚨 line's text (after "🚨 ", trimmed), or `null` when the file has none. */
  alarm: string | null;
}

/** One plausible mistake of an exercise. */
export interface Mistake {
  /** `wrong` (the `wrong/` variant, `WORKBOOK_TARGET=wrong`) or `mistake` (`mistakes/`). */
  kind: 'wrong' | 'mistake';
  /** The folder name (`wrong` for the wrong variant). */
  slug: string;
  /** The folder holding the mistake's files (absolute). */
  dir: string;
  /** `WRONG.md` or `MISTAKE.md` (absolute; may be missing, an authoring problem). */
  docFile: string;
  doc: MistakeDoc;
  /** The value of `WORKBOOK_MISTAKE` that loads it; `null` for the wrong variant. */
  selector: string | null;
}

/** Parses the text of a MISTAKE.md or WRONG.md. */
export function parseMistakeDoc(text: string): MistakeDoc {
  const lines = text.split(/\r?\n/);
  const heading = lines.findIndex((l) => l.startsWith('# '));
  const name = heading >= 0 ? lines[heading]!.slice(2).trim() : null;
  let alarmAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.startsWith('🚨')) alarmAt = i;
    break;
  }
  const alarm = alarmAt >= 0 ? lines[alarmAt]!.trim().slice('🚨'.length).trim() || null : null;
  const body = lines.slice(heading + 1, alarmAt >= 0 ? alarmAt : lines.length);
  return { name, description: body.join('\n').trim(), alarm };
}

function readDoc(file: string): MistakeDoc {
  if (!existsSync(file)) return { name: null, description: '', alarm: null };
  return parseMistakeDoc(readFileSync(file, 'utf8'));
}

/**
 * The catalogue of the exercise in `sessionDir/…/<folder>`: the wrong variant (when
 * `wrong/<folder>` exists), then `mistakes/<folder>/*` in name order.
 */
export function discoverMistakes(sessionDir: string, folder: string): Mistake[] {
  const mistakes: Mistake[] = [];
  const wrongDir = path.join(sessionDir, 'wrong', folder);
  if (isDir(wrongDir)) {
    const docFile = path.join(wrongDir, 'WRONG.md');
    mistakes.push({
      kind: 'wrong',
      slug: 'wrong',
      dir: wrongDir,
      docFile,
      doc: readDoc(docFile),
      selector: null,
    });
  }
  const catalogue = path.join(sessionDir, 'mistakes', folder);
  const session = path.basename(sessionDir);
  for (const slug of safeReaddir(catalogue).sort()) {
    const dir = path.join(catalogue, slug);
    if (!isDir(dir)) continue;
    const docFile = path.join(dir, 'MISTAKE.md');
    mistakes.push({
      kind: 'mistake',
      slug,
      dir,
      docFile,
      doc: readDoc(docFile),
      selector: `${session}/mistakes/${folder}/${slug}`,
    });
  }
  return mistakes;
}

/** Folders under `mistakes/` of a session (each should name an exercise folder). */
export function catalogueFolders(sessionDir: string): string[] {
  const root = path.join(sessionDir, 'mistakes');
  return safeReaddir(root)
    .filter((name) => isDir(path.join(root, name)))
    .sort();
}

/** Layout problems of one mistake: missing doc, heading or 🚨 line (MISTAKE.md only). */
export function mistakeDocProblems(mistake: Mistake): string[] {
  const name = mistake.kind === 'wrong' ? 'WRONG.md' : 'MISTAKE.md';
  if (!existsSync(mistake.docFile)) return [`${name} missing`];
  if (mistake.kind === 'wrong') return [];
  const problems: string[] = [];
  if (!mistake.doc.name) problems.push(`${name} has no "# <name of the mistake>" heading`);
  if (!mistake.doc.alarm) {
    problems.push(
      `${name} does not end with a "🚨 <text of the check's message>" line (the proof needs it)`,
    );
  }
  return problems;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
