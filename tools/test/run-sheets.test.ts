import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listDemos } from '../src/demo.ts';
import {
  checkSession,
  type DemoTiming,
  demoDurationsMain,
  formatDurationsBlock,
  replaceDurations,
} from '../src/demo-durations.ts';
import { discoverWorkbook } from '../src/exercises.ts';
import { REPO_ROOT } from '../src/paths.ts';
import {
  parseClock,
  parseRunSheet,
  RUN_SHEETS_REQUIRED_THROUGH,
  readDurations,
  runSheetPath,
  runSheetSessions,
  sheetProblems,
  timelineProblems,
} from '../src/run-sheets.ts';
import { FIXTURE_ROOT, SLOW_MS, tempDir } from './helpers.ts';
import { classifyCommand, isHelpOnly, probe } from './run-sheet-probes.ts';

const SHEET = `# Session 01 · Fixture — instructor run sheet

Run \`pnpm demo hello\` first.

## Before class

\`\`\`sh
pnpm run doctor
REDIS_URL=redis://127.0.0.1:6390 pnpm demo hello   # comment
pnpm imgq status   # dry: pnpm imgq status --help
# a comment line
\`\`\`

## Timeline (45 minutes)

| at   | min | what  | run · point at |
| ---- | --: | ----- | -------------- |
| 0:00 |  20 | intro | \`pnpm demo hello\` and \`pnpm demo exit-code\` |
| 0:20 |  25 | \`a | b\` together | \`pnpm check 01.1\` |

## Exercises: together and homework

| exercise | plan | why |
| -------- | ---- | --- |
| 01.1 double | **together** | short |
| 01.2 shout | homework | long |

\`\`\`text
pnpm check 01.2   <- quoted output, not a command
\`\`\`

## Mistakes to expect

### 01.1 double
### 01.2 shout
`;

describe('run sheet parsing', () => {
  it('finds the title, sections, commands with dry forms, timeline, plan and mistakes', () => {
    const sheet = parseRunSheet(SHEET);
    expect(sheet.title).toBe('Session 01 · Fixture — instructor run sheet');
    expect(sheet.sections.map((s) => s.heading)).toEqual([
      'Before class',
      'Timeline (45 minutes)',
      'Exercises: together and homework',
      'Mistakes to expect',
    ]);
    expect(sheet.commands.map((c) => [c.text, c.dry, c.inline])).toEqual([
      ['pnpm demo hello', null, true],
      ['pnpm run doctor', null, false],
      ['REDIS_URL=redis://127.0.0.1:6390 pnpm demo hello', null, false],
      ['pnpm imgq status', 'pnpm imgq status --help', false],
      ['pnpm demo hello', null, true],
      ['pnpm demo exit-code', null, true],
      ['pnpm check 01.1', null, true],
    ]);
    expect(sheet.timeline.map((r) => [r.at, r.minutes, r.demos])).toEqual([
      [0, 20, ['hello', 'exit-code']],
      [20, 25, []],
    ]);
    expect(sheet.timeline[1]!.what).toContain('`a | b` together');
    expect(sheet.plan.map((r) => [r.exercise, r.plan])).toEqual([
      ['01.1', 'together'],
      ['01.2', 'homework'],
    ]);
    expect(sheet.mistakes).toEqual(['01.1', '01.2']);
  });

  it('reads h:mm clocks', () => {
    expect([parseClock('0:05'), parseClock('1:10'), parseClock('5'), parseClock('0:75')]).toEqual([
      5,
      70,
      null,
      null,
    ]);
  });

  it('holds the timeline to 45 minutes, each row starting where the last ended', () => {
    const row = (at: number, minutes: number, line: number) => ({
      line,
      at,
      minutes,
      what: '',
      demos: [],
    });
    expect(timelineProblems([row(0, 20, 1), row(20, 25, 2)])).toEqual([]);
    expect(timelineProblems([row(0, 20, 1), row(25, 25, 2)])).toEqual([
      'line 2: starts at 0:25, but the row before ends at 0:20',
    ]);
    expect(timelineProblems([row(0, 20, 1), row(20, 20, 2)])).toEqual([
      'the timeline adds up to 40 minutes, not 45',
    ]);
    expect(timelineProblems([])).toEqual([
      'the timeline table has no rows (columns `at` and `min`)',
    ]);
  });

  it('reports a sheet that misses sections, exercises or names demos that do not exist', () => {
    const workbook = discoverWorkbook(FIXTURE_ROOT);
    const session = workbook.sessions[0]!;
    const sheet = parseRunSheet(
      SHEET.replace('### 01.2 shout\n', '').replace('`pnpm demo exit-code`', '`pnpm demo nope`'),
    );
    expect(sheetProblems(sheet, session, ['hello', 'exit-code'])).toEqual([
      'no "## Commands, in order" section',
      'no "## Live-coding path" section',
      'no "## Demo durations" section',
      'no "## When something fails" section',
      'no "### 01.2 …" under "Mistakes to expect"',
      'line 18: the timeline runs demo `nope`, which does not exist',
    ]);
    const unplanned = parseRunSheet(SHEET.replace('| 01.1 double | **together** | short |\n', ''));
    expect(sheetProblems(unplanned, session, ['hello'])).toContain(
      'exercise 01.1 must have one row in the exercises table, has 0',
    );
    expect(sheetProblems(unplanned, session, ['hello'])).toContain(
      'no exercise is done together in class',
    );
  });

  it('classifies commands by the session’s scripts', () => {
    const scripts = {
      demo: 'tsx ../tools/src/demo.ts',
      check: 'tsx ../tools/src/workbook.ts check 01',
      workbook: 'tsx ../tools/src/workbook.ts',
      doctor: 'tsx ../tools/src/workbook.ts doctor',
      imgq: 'tsx src/cli/imgq.ts',
    };
    expect(classifyCommand('pnpm demo hello --solution', scripts)).toEqual({
      kind: 'demo',
      args: ['hello', '--solution'],
    });
    expect(classifyCommand('pnpm check 01.2', scripts)).toEqual({
      kind: 'workbook',
      args: ['check', '01', '01.2'],
    });
    expect(classifyCommand('pnpm run doctor', scripts)).toEqual({
      kind: 'workbook',
      args: ['doctor'],
    });
    expect(classifyCommand('REDIS_URL=x pnpm -s imgq --help', scripts)).toEqual({
      kind: 'script',
      script: 'imgq',
      body: 'tsx src/cli/imgq.ts',
      args: ['--help'],
    });
    expect(classifyCommand('redis-server --version', scripts)).toEqual({
      kind: 'external',
      argv: ['redis-server', '--version'],
    });
    expect(classifyCommand('pnpm demo-durations', scripts)).toMatchObject({ kind: 'unknown' });
    expect([
      isHelpOnly(['status', '--help']),
      isHelpOnly(['--check']),
      isHelpOnly(['status']),
    ]).toEqual([true, true, false]);
  });
});

const CONDITIONS = {
  startedAt: '2030-01-02T03:04:05.000Z',
  cores: 2,
  cpuModel: 'Test CPU',
  node: 'v20.20.2',
  runs: 3,
  timeoutS: 120,
  loadBefore: 0.5,
  loadAfter: 2.25,
  redisUrlSet: false,
  how: 'timed as a test',
  note: 'Nothing else ran.',
};

describe('the durations table', () => {
  const timings: DemoTiming[] = [
    { demo: 'hello', seconds: [1.24, 1.1, 3], result: 'ok' },
    { demo: 'wait-signal', seconds: [2], result: 'timeout after 2 s' },
  ];

  it('is written between the markers and read back, with the conditions', () => {
    const block = formatDurationsBlock(timings, CONDITIONS);
    const sheet = replaceDurations(
      'before\n<!-- demo-durations:start -->\nold\n<!-- demo-durations:end -->\nafter\n',
      block,
    );
    // Aligned as Prettier aligns markdown tables, so formatting the sheet changes nothing.
    expect(sheet).toContain(
      '| `hello`       |      1.2 |   1.1 |   3.0 |    3 | ok                |',
    );
    expect(sheet).toContain(
      '| `wait-signal` |      2.0 |   2.0 |   2.0 |    1 | timeout after 2 s |',
    );
    expect(sheet).toContain(
      'Measured 2030-01-02 03:04 UTC on 2 CPU cores (Test CPU), Node v20.20.2; load average (1 min) 0.50 before, 2.25 after; 3 run(s)',
    );
    expect(sheet).toMatch(
      /time limit 120 s per run\. Nothing else ran\.\n<!-- demo-durations:end -->\nafter\n$/,
    );
    expect(sheet).not.toContain('old');
    const reading = readDurations(sheet, ['hello', 'wait-signal']);
    expect(reading.problems).toEqual([]);
    expect(reading.rows.map((r) => [r.demo, r.medianS, r.maxS, r.result])).toEqual([
      ['hello', 1.2, 3, 'ok'],
      ['wait-signal', 2, 2, 'timeout after 2 s'],
    ]);
  });

  it('--check finds missing markers, missing and unknown rows, hand-edited rows', () => {
    const block = formatDurationsBlock(timings, CONDITIONS);
    const sheet = `<!-- demo-durations:start -->\n${block}\n<!-- demo-durations:end -->`;
    expect(readDurations('no markers', ['hello']).problems).toEqual([
      'needs <!-- demo-durations:start --> and <!-- demo-durations:end --> once each (found 0 and 0)',
    ]);
    expect(readDurations(sheet, ['hello', 'exit-code']).problems).toEqual([
      'demo `exit-code` has 0 rows in the table, expected 1',
      'the table lists `wait-signal`, which is not a demo of this session',
    ]);
    const edited = sheet.replace(/\| `hello` +\| +1\.2 \|/, '| `hello` | about 1 |');
    expect(readDurations(edited, ['hello', 'wait-signal']).problems).toEqual([
      'a row is not in the generated form: | `hello` | about 1 | 1.1 | 3.0 | 3 | ok |',
      'demo `hello` has 0 rows in the table, expected 1',
    ]);
    // Re-aligned by hand or by a formatter: still the generated table.
    const compact = sheet.replace(/ {2,}/g, ' ').replace(/-{3,}/g, '---');
    expect(readDurations(compact, ['hello', 'wait-signal']).problems).toEqual([]);
    const noConditions = sheet.replace(/\nMeasured .*\n/, '\n');
    expect(readDurations(noConditions, ['hello', 'wait-signal']).problems).toEqual([
      'the conditions line ("Measured … on N CPU cores …") is missing',
    ]);
    expect(() => replaceDurations('no markers', 'x')).toThrow(/no <!-- demo-durations:start -->/);
  });
});

/** A git-less copy of the fixture workbook with a run sheet holding empty markers. */
function fixtureCopy(demos: Record<string, string>) {
  const root = mkdtempSync(path.join(tmpdir(), 'run-sheets-'));
  cpSync(FIXTURE_ROOT, root, { recursive: true });
  const session = path.join(root, 'session01-fixture');
  rmSync(path.join(session, 'demos'), { recursive: true });
  cpSync(path.join(FIXTURE_ROOT, 'session01-fixture', 'demos'), path.join(session, 'demos'), {
    recursive: true,
    filter: (file) => !file.endsWith('.ts') || Object.keys(demos).includes(path.basename(file)),
  });
  for (const [name, source] of Object.entries(demos)) {
    if (source) writeFileSync(path.join(session, 'demos', name), source);
  }
  const sheet = path.join(session, 'INSTRUCTOR.md');
  writeFileSync(
    sheet,
    '# Session 01 · Fixture\n\n<!-- demo-durations:start -->\n<!-- demo-durations:end -->\n',
  );
  return { root, sheet, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}

describe('pnpm demo-durations (real demo runs on the fixture workbook)', {
  timeout: SLOW_MS,
}, () => {
  it('measures demos that succeed, fail, or leave a process behind, and writes the table', async () => {
    const leaver =
      "/** Starts a helper process and exits without stopping it. */\nimport { spawn } from 'node:child_process';\n" +
      "spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' }).unref();\n";
    using copy = fixtureCopy({
      'hello.ts': '',
      'fails.ts': '/** Exits with 3. */\nprocess.exit(3);\n',
      'leaves.ts': leaver,
    });
    const lines: string[] = [];
    const code = await demoDurationsMain(['01', '--note', 'A test run.'], copy.root, (l) =>
      lines.push(l),
    );
    expect(code, lines.join('\n')).toBe(0);
    const { rows, problems } = readDurations(readFileSync(copy.sheet, 'utf8'), [
      'fails',
      'hello',
      'leaves',
    ]);
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.demo, r.runs, r.result])).toEqual([
      ['fails', 1, 'exit 3'],
      ['hello', 1, 'ok'],
      ['leaves', 1, 'left processes behind'],
    ]);
    expect(readFileSync(copy.sheet, 'utf8')).toContain('A test run.');
    expect(await demoDurationsMain(['--check'], copy.root, () => {})).toBe(0);
  });

  it('stops a demo at its time limit, with its whole process group', async () => {
    using copy = fixtureCopy({ 'wait-signal.ts': '' });
    const code = await demoDurationsMain(['01', '--timeout-s', '1'], copy.root, () => {});
    expect(code).toBe(0);
    const { rows } = readDurations(readFileSync(copy.sheet, 'utf8'), ['wait-signal']);
    expect(rows.map((r) => r.result)).toEqual(['timeout after 1 s']);
  });

  it('--check fails on a sheet whose table was never generated; bad options exit 2', async () => {
    using copy = fixtureCopy({ 'hello.ts': '' });
    const lines: string[] = [];
    expect(await demoDurationsMain(['--check'], copy.root, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('demo `hello` has 0 rows in the table, expected 1');
    expect(await demoDurationsMain(['--runs', '0'], copy.root, () => {})).toBe(2);
    expect(await demoDurationsMain(['--bogus'], copy.root, () => {})).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// The course's own run sheets.

const workbook = discoverWorkbook(REPO_ROOT);
const sessions = runSheetSessions(workbook);

describe('the course run sheets', { timeout: SLOW_MS }, () => {
  it(`exist for sessions 01–${String(RUN_SHEETS_REQUIRED_THROUGH).padStart(2, '0')} and every session that has one`, () => {
    const missing = sessions.filter((s) => !existsSync(runSheetPath(s))).map((s) => s.folder);
    expect(missing, '🚨 write <session>/INSTRUCTOR.md (see tools/src/run-sheets.ts)').toEqual([]);
    expect(sessions.length).toBeGreaterThanOrEqual(RUN_SHEETS_REQUIRED_THROUGH);
  });

  for (const session of sessions) {
    it(`session ${session.number}: in shape, its timeline fits the measured demos`, () => {
      const file = runSheetPath(session);
      expect(existsSync(file), `🚨 ${session.folder} has no INSTRUCTOR.md`).toBe(true);
      const text = readFileSync(file, 'utf8');
      const sheet = parseRunSheet(text);
      const demos = listDemos(session).map((d) => d.name);
      expect(sheetProblems(sheet, session, demos), `🚨 ${session.folder}/INSTRUCTOR.md`).toEqual(
        [],
      );
      expect(checkSession(session), '🚨 run pnpm demo-durations for this session').toEqual([]);
      const { rows } = readDurations(text, demos);
      const late = sheet.timeline.flatMap((row) => {
        const seconds = row.demos.reduce(
          (sum, demo) => sum + (rows.find((r) => r.demo === demo)?.maxS ?? 0),
          0,
        );
        return seconds > row.minutes * 60
          ? [`line ${row.line}: its demos take up to ${seconds} s, the row has ${row.minutes} min`]
          : [];
      });
      expect(late, '🚨 a timeline row is shorter than its demos').toEqual([]);
    });
  }

  it('every command in them runs (dry forms where running is long)', async () => {
    const problems: string[] = [];
    const cache = new Map<string, string | null>();
    using progress = tempDir('run-sheets-progress-');
    for (const session of sessions) {
      if (!existsSync(runSheetPath(session))) continue;
      const text = readFileSync(runSheetPath(session), 'utf8');
      const { rows } = readDurations(
        text,
        listDemos(session).map((d) => d.name),
      );
      const seen = new Set<string>();
      for (const command of parseRunSheet(text).commands) {
        if (seen.has(command.text)) continue;
        seen.add(command.text);
        const problem = await probe(command, session, {
          workbook,
          okDemos: new Set(rows.filter((r) => r.result === 'ok').map((r) => r.demo)),
          cache,
          progressFile: path.join(progress.dir, `${session.number}.json`),
        });
        if (problem) {
          problems.push(
            `${session.folder}/INSTRUCTOR.md:${command.line} \`${command.text}\`: ${problem}`,
          );
        }
      }
    }
    expect(problems, '🚨 a run sheet names a command that does not run').toEqual([]);
  });
});
