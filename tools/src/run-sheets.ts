/**
 * Instructor run sheets: `sessionNN-<topic>/INSTRUCTOR.md`, one per session, in one shape so that a
 * test can hold every sheet to what it promises (tools/test/run-sheets.test.ts).
 *
 * The shape (headings are matched by their start, in any order):
 *
 * ```
 * # Session NN · Title — instructor run sheet
 * ## Before class                      what must run before students arrive
 * ## Timeline (45 minutes)             a table with `at` (h:mm) and `min` columns: rows follow
 *                                      each other and add up to 45; `pnpm demo <name>` in a row
 *                                      must fit its minutes (measured durations)
 * ## Commands, in order                ```sh blocks, one command per line
 * ## Exercises: together and homework  a table: every exercise of the session, `together` or `homework`
 * ## Live-coding path                  the edits, with `pnpm workbook catch-up <id>` checkpoints
 * ## Demo durations                    <!-- demo-durations:start --> … :end --> (tools/src/demo-durations.ts)
 * ## When something fails              fallbacks
 * ## Mistakes to expect                one `### <id> …` heading per exercise
 * ```
 *
 * The durations block between the markers is written by tools/src/demo-durations.ts and read
 * back here ({@link readDurations}).
 *
 * Commands: every line of a ```sh block, and every inline code span that starts with `pnpm `
 * (after `VAR=value` assignments, if any), is a command typed in the session folder. A line may end with `# dry: <command>`: the test
 * runs that (faster, or harmless) form instead. Other fenced blocks (```text, ```console) are
 * quoted output and are not run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Session, Workbook } from './exercises.ts';

/** The file name of a session's run sheet. */
export const RUN_SHEET_FILE = 'INSTRUCTOR.md';

/**
 * Sessions numbered up to this must have a run sheet; later sessions are checked once their
 * folder has an INSTRUCTOR.md (raise it when sessions 06+ add theirs).
 * @default 5
 */
export const RUN_SHEETS_REQUIRED_THROUGH = 5;

/** Length of a class in the course plan (seed plan: 45 minutes per session). @default 45 */
export const CLASS_MINUTES = 45;

/** Headings every run sheet has (matched by how the `## ` heading starts). */
export const REQUIRED_SECTIONS = [
  'Before class',
  'Timeline',
  'Commands, in order',
  'Exercises: together and homework',
  'Live-coding path',
  'Demo durations',
  'When something fails',
  'Mistakes to expect',
] as const;

/** How an exercise is used in class. */
export type ExercisePlan = 'together' | 'homework';

/** A command named by a run sheet. */
export interface SheetCommand {
  /** The command as typed (comment removed). */
  text: string;
  /** The form the test runs instead (`# dry: …`), or `null`. */
  dry: string | null;
  /** 1-based line in the sheet. */
  line: number;
  /** True for an inline code span, false for a line of a ```sh block. */
  inline: boolean;
}

/** One row of the timeline table. */
export interface TimelineRow {
  line: number;
  /** Minutes from the start of class (from `h:mm`). */
  at: number;
  minutes: number;
  /** The row's text without the `at` and `min` cells. */
  what: string;
  /** Demos the row runs (`pnpm demo <name>` in the row). */
  demos: string[];
}

/** One row of the exercises table. */
export interface PlanRow {
  line: number;
  exercise: string;
  plan: ExercisePlan | string;
}

/** A parsed run sheet. */
export interface RunSheet {
  title: string;
  /** `## ` headings with their 1-based line. */
  sections: { heading: string; line: number }[];
  commands: SheetCommand[];
  timeline: TimelineRow[];
  plan: PlanRow[];
  /** Exercise ids of the `### <id> …` headings under "Mistakes to expect". */
  mistakes: string[];
}

/** `<session>/INSTRUCTOR.md`. */
export function runSheetPath(session: Session): string {
  return path.join(session.dir, RUN_SHEET_FILE);
}

/** Whether a session must have a run sheet: numbered up to the limit, or it already has one. */
export function requiresRunSheet(session: Session): boolean {
  return Number(session.number) <= RUN_SHEETS_REQUIRED_THROUGH || existsSync(runSheetPath(session));
}

/** The sessions whose run sheets are checked, in course order. */
export function runSheetSessions(workbook: Workbook): Session[] {
  return workbook.sessions.filter(requiresRunSheet);
}

/** Reads and parses a session's run sheet, or `null` when it has none. */
export function loadRunSheet(session: Session): RunSheet | null {
  const file = runSheetPath(session);
  return existsSync(file) ? parseRunSheet(readFileSync(file, 'utf8')) : null;
}

/** Minutes from `h:mm` (`0:05` → 5, `1:10` → 70), or `null`. */
export function parseClock(text: string): number | null {
  const match = /^(\d+):([0-5]\d)$/.exec(text.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Parses a run sheet's markdown. Pure. */
export function parseRunSheet(markdown: string): RunSheet {
  const lines = markdown.split('\n');
  const sheet: RunSheet = {
    title: '',
    sections: [],
    commands: [],
    timeline: [],
    plan: [],
    mistakes: [],
  };
  let fence: string | null = null;
  let section = '';
  let tableHeader: string[] | null = null;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fenceMatch = /^\s*(`{3,})(\S*)/.exec(raw);
    if (fenceMatch) {
      fence = fence === null ? fenceMatch[2]! || 'text' : null;
      return;
    }
    if (fence !== null) {
      if (fence === 'sh' || fence === 'bash') addBlockCommand(sheet, raw, line);
      return;
    }
    if (raw.startsWith('# ') && !sheet.title) sheet.title = raw.slice(2).trim();
    if (raw.startsWith('## ')) {
      section = raw.slice(3).trim();
      sheet.sections.push({ heading: section, line });
      tableHeader = null;
    }
    if (raw.startsWith('### ') && section.startsWith('Mistakes to expect')) {
      const id = /^###\s+(\d{2}\.\d+)\b/.exec(raw)?.[1];
      if (id) sheet.mistakes.push(id);
    }
    for (const span of raw.matchAll(/`([^`]+)`/g)) {
      const text = span[1]!.trim();
      // `pnpm …`, possibly after `VAR=value` assignments.
      if (/^([A-Z_][A-Z0-9_]*=\S*\s+)*pnpm\s/.test(text)) {
        sheet.commands.push({ text, dry: null, line, inline: true });
      }
    }
    if (!raw.trimStart().startsWith('|')) {
      tableHeader = null;
      return;
    }
    const cells = splitRow(raw);
    if (tableHeader === null) {
      tableHeader = cells.map((c) => c.toLowerCase());
      return;
    }
    if (cells.every((c) => /^:?-+:?$/.test(c))) return;
    if (section.startsWith('Timeline')) addTimelineRow(sheet, tableHeader, cells, line);
    if (section.startsWith('Exercises: together and homework')) addPlanRow(sheet, cells, line);
  });
  return sheet;
}

function splitRow(raw: string): string[] {
  const inner = raw.trim().replace(/^\|/, '').replace(/\|$/, '');
  // A `|` inside inline code does not end a cell.
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (const char of inner) {
    if (char === '`') inCode = !inCode;
    if (char === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

function addBlockCommand(sheet: RunSheet, raw: string, line: number): void {
  const trimmed = raw.trim();
  if (!trimmed || trimmed.startsWith('#')) return;
  const dry = /\s#\s*dry:\s*(.+)$/.exec(trimmed);
  const text = trimmed.replace(/\s+#.*$/, '').trim();
  sheet.commands.push({ text, dry: dry ? dry[1]!.trim() : null, line, inline: false });
}

function addTimelineRow(sheet: RunSheet, header: string[], cells: string[], line: number): void {
  const atIndex = header.indexOf('at');
  const minIndex = header.indexOf('min');
  if (atIndex < 0 || minIndex < 0) return;
  const rest = cells.filter((_, i) => i !== atIndex && i !== minIndex).join(' · ');
  const demos = [...rest.matchAll(/`pnpm demo ([a-z0-9-]+)[^`]*`/g)].map((m) => m[1]!);
  sheet.timeline.push({
    line,
    at: parseClock(cells[atIndex] ?? '') ?? Number.NaN,
    minutes: Number(cells[minIndex]),
    what: rest,
    demos,
  });
}

function addPlanRow(sheet: RunSheet, cells: string[], line: number): void {
  const id = /(\d{2}\.\d+)/.exec(cells[0] ?? '')?.[1];
  if (!id) return;
  const plan = (cells[1] ?? '').replace(/\*/g, '').trim().split(/\s/)[0]!.toLowerCase();
  sheet.plan.push({ line, exercise: id, plan });
}

/**
 * What is wrong with a run sheet's structure, against its session: missing sections, a
 * timeline that does not follow on or does not add up to {@link CLASS_MINUTES}, exercises
 * missing from the plan or the mistakes, exercises and demos that do not exist. Commands are
 * checked by running them (the test), durations by demo-durations.ts.
 * @param demoNames the session's demos
 */
export function sheetProblems(sheet: RunSheet, session: Session, demoNames: string[]): string[] {
  const problems: string[] = [];
  const expectedTitle = `Session ${session.number} ·`;
  if (!sheet.title.startsWith(expectedTitle)) {
    problems.push(`the title must start with "${expectedTitle}", got "${sheet.title}"`);
  }
  for (const required of REQUIRED_SECTIONS) {
    if (!sheet.sections.some((s) => s.heading.startsWith(required))) {
      problems.push(`no "## ${required}" section`);
    }
  }
  problems.push(...timelineProblems(sheet.timeline));
  const ids = new Set(session.exercises.map((ex) => ex.id));
  for (const row of sheet.plan) {
    if (!ids.has(row.exercise))
      problems.push(`line ${row.line}: exercise ${row.exercise} does not exist`);
    if (row.plan !== 'together' && row.plan !== 'homework') {
      problems.push(
        `line ${row.line}: plan of ${row.exercise} must be "together" or "homework", got "${row.plan}"`,
      );
    }
  }
  for (const ex of session.exercises) {
    const rows = sheet.plan.filter((r) => r.exercise === ex.id).length;
    if (rows !== 1)
      problems.push(`exercise ${ex.id} must have one row in the exercises table, has ${rows}`);
    if (!sheet.mistakes.includes(ex.id))
      problems.push(`no "### ${ex.id} …" under "Mistakes to expect"`);
  }
  if (session.exercises.length > 0 && !sheet.plan.some((r) => r.plan === 'together')) {
    problems.push('no exercise is done together in class');
  }
  for (const id of sheet.mistakes) {
    if (!ids.has(id)) problems.push(`"Mistakes to expect" names ${id}, which does not exist`);
  }
  for (const row of sheet.timeline) {
    for (const demo of row.demos) {
      if (!demoNames.includes(demo))
        problems.push(`line ${row.line}: the timeline runs demo \`${demo}\`, which does not exist`);
    }
  }
  return problems;
}

/** Rows must follow each other (each starts where the last ended) and end at 45 minutes. */
export function timelineProblems(rows: TimelineRow[]): string[] {
  if (rows.length === 0) return ['the timeline table has no rows (columns `at` and `min`)'];
  const problems: string[] = [];
  let clock = 0;
  for (const row of rows) {
    if (!Number.isInteger(row.minutes) || row.minutes <= 0) {
      problems.push(`line ${row.line}: \`min\` must be a whole number of minutes > 0`);
      continue;
    }
    if (row.at !== clock) {
      problems.push(
        `line ${row.line}: starts at ${formatClock(row.at)}, but the row before ends at ${formatClock(clock)}`,
      );
    }
    clock = (Number.isNaN(row.at) ? clock : row.at) + row.minutes;
  }
  const total = rows.reduce((sum, r) => sum + (Number.isInteger(r.minutes) ? r.minutes : 0), 0);
  if (total !== CLASS_MINUTES) {
    problems.push(`the timeline adds up to ${total} minutes, not ${CLASS_MINUTES}`);
  }
  return problems;
}

/** `5` → `0:05`; `NaN` → `?`. */
export function formatClock(minutes: number): string {
  if (!Number.isFinite(minutes)) return '?';
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The markers around the generated table. */
export const START_MARKER = '<!-- demo-durations:start -->';
export const END_MARKER = '<!-- demo-durations:end -->';
/** The columns of the generated durations table. */
export const DURATION_COLUMNS = ['demo', 'median s', 'min s', 'max s', 'runs', 'result'];
/** Which of {@link DURATION_COLUMNS} are right-aligned (the numbers). */
export const DURATION_RIGHT_ALIGNED = [false, true, true, true, true, false];

/** One row of a durations table, as read back. */
export interface DurationRow {
  demo: string;
  medianS: number;
  minS: number;
  maxS: number;
  runs: number;
  result: string;
}

/** What {@link readDurations} found: the rows, and what is wrong with the block's form. */
export interface DurationsReading {
  rows: DurationRow[];
  problems: string[];
}

const RESULT = /^(ok|exit \d+|timeout after \d+ s|left processes behind|could not start)$/;
const SECONDS = /^\d+\.\d$/;

/**
 * Reads the durations block of a run sheet and checks its form against the session's demos:
 * markers once each and in order, the generated table (however a formatter aligned it), exactly
 * one row per demo and no other, seconds with one decimal and min ≤ median ≤ max, a known
 * result, the conditions line. Pure: this is what `--check` and the run-sheet test hold every
 * sheet to.
 */
export function readDurations(sheet: string, demoNames: string[]): DurationsReading {
  const problems: string[] = [];
  const starts = sheet.split(START_MARKER).length - 1;
  const ends = sheet.split(END_MARKER).length - 1;
  if (starts !== 1 || ends !== 1) {
    return {
      rows: [],
      problems: [`needs ${START_MARKER} and ${END_MARKER} once each (found ${starts} and ${ends})`],
    };
  }
  const begin = sheet.indexOf(START_MARKER) + START_MARKER.length;
  const end = sheet.indexOf(END_MARKER);
  if (end < begin) return { rows: [], problems: ['the end marker comes before the start marker'] };
  const lines = sheet.slice(begin, end).trim().split('\n');
  const table = lines.filter((l) => l.trim().startsWith('|')).map(splitRow);
  const [header, rule, ...body] = table;
  if (
    header?.join('|') !== DURATION_COLUMNS.join('|') ||
    !rule?.every((cell, i) => (DURATION_RIGHT_ALIGNED[i] ? /^-+:$/ : /^-+$/).test(cell))
  ) {
    problems.push('the table header is not the generated one: run pnpm demo-durations');
  }
  const rows: DurationRow[] = [];
  for (const cells of body) {
    const [name, med, min, max, runs, result] = cells;
    const demo = /^`([a-z0-9-]+)`$/.exec(name ?? '')?.[1];
    if (
      cells.length !== DURATION_COLUMNS.length ||
      !demo ||
      ![med, min, max].every((v) => SECONDS.test(v ?? '')) ||
      !/^\d+$/.test(runs ?? '')
    ) {
      problems.push(`a row is not in the generated form: | ${cells.join(' | ')} |`);
      continue;
    }
    const row = {
      demo,
      medianS: Number(med),
      minS: Number(min),
      maxS: Number(max),
      runs: Number(runs),
      result: result!,
    };
    if (!(row.minS <= row.medianS && row.medianS <= row.maxS) || row.runs < 1) {
      problems.push(`\`${row.demo}\`: expected min ≤ median ≤ max and runs ≥ 1`);
    }
    if (!RESULT.test(row.result)) problems.push(`\`${row.demo}\`: unknown result "${row.result}"`);
    rows.push(row);
  }
  for (const demo of demoNames) {
    const count = rows.filter((r) => r.demo === demo).length;
    if (count !== 1) problems.push(`demo \`${demo}\` has ${count} rows in the table, expected 1`);
  }
  for (const row of rows) {
    if (!demoNames.includes(row.demo))
      problems.push(`the table lists \`${row.demo}\`, which is not a demo of this session`);
  }
  if (!lines.some((l) => l.startsWith('Measured '))) {
    problems.push('the conditions line ("Measured … on N CPU cores …") is missing');
  }
  return { rows, problems };
}
