/**
 * A vitest setup file (see `vitest.config.ts`): runs in each test worker before a test file.
 *
 * - With `WORKBOOK_HEARTBEAT_DIR` set (by `pnpm check`), the worker writes a heartbeat file
 *   `<pid>.json` every {@link BEAT_MS} and when each test starts, naming the test. A student's
 *   infinite loop or blocking call stops the event loop, so the beats stop, and the parent's
 *   watchdog (watchdog.ts) ends the run and names the test that was running.
 * - Checks (`test/exercises/*.test.ts`) show whole values in assertion messages: the student's
 *   own error text must never be cut off.
 * - In `pnpm check` runs, once a test of a file times out, the file's later tests are skipped:
 *   the same never-settling code would make the student wait a full timeout for each.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, chai, expect } from 'vitest';

/** How often a worker beats while its event loop is free. */
export const BEAT_MS = 250;

/** What a heartbeat file holds. */
export interface Heartbeat {
  pid: number;
  /** Increases with every beat. */
  beat: number;
  /** Absolute path of the test file being run. */
  file: string | null;
  /** Full name of the test running, or `null` while the file loads. */
  test: string | null;
}

interface TaskLike {
  name: string;
  suite?: TaskLike;
  file?: { filepath?: string };
  filepath?: string;
  type?: string;
}

function fullName(task: TaskLike): string {
  const names: string[] = [];
  for (let t: TaskLike | undefined = task; t; t = t.suite) {
    // The file-level suite is named after the file; the test's name starts below it.
    if (t.type === 'suite' && t.filepath) break;
    if (t.name) names.unshift(t.name);
  }
  return names.join(' › ');
}

const testPath = expect.getState().testPath ?? null;
if (testPath && /[\\/]test[\\/]exercises[\\/]/.test(testPath)) {
  chai.config.truncateThreshold = 0;
}

/**
 * vitest builds its timeout errors ahead of time with the placeholder "STACK_TRACE_ERROR" and
 * sets the real message later, but its JSON report prints the stack, which kept the
 * placeholder: a student read only `STACK_TRACE_ERROR`. Put the real message back.
 */
export function restoreTimeoutMessages(errors: Array<{ message?: string; stack?: string }>): void {
  for (const error of errors) {
    if (
      error.stack?.includes('STACK_TRACE_ERROR') &&
      error.message &&
      error.message !== 'STACK_TRACE_ERROR'
    ) {
      error.stack = error.stack.replace('STACK_TRACE_ERROR', error.message);
    }
  }
}

afterEach((context) => {
  restoreTimeoutMessages(
    (context.task.result?.errors ?? []) as Array<{ message?: string; stack?: string }>,
  );
});

const dir = process.env.WORKBOOK_HEARTBEAT_DIR;
if (dir) {
  const state = globalThis as { __workbookHeartbeat?: Heartbeat & { timer?: NodeJS.Timeout } };
  state.__workbookHeartbeat ??= { pid: process.pid, beat: 0, file: null, test: null };
  const heartbeat = state.__workbookHeartbeat;
  const file = path.join(dir, `${process.pid}.json`);
  const beat = () => {
    heartbeat.beat++;
    const { timer: _timer, ...record } = heartbeat as Heartbeat & { timer?: unknown };
    try {
      writeFileSync(file, JSON.stringify(record));
    } catch {
      // The folder is gone: the parent finished; nothing to report to.
    }
  };
  heartbeat.file = testPath;
  heartbeat.test = null;
  beat();
  if (!state.__workbookHeartbeat.timer) {
    state.__workbookHeartbeat.timer = setInterval(beat, BEAT_MS);
    state.__workbookHeartbeat.timer.unref();
  }
  beforeAll(() => {
    heartbeat.file = testPath;
    heartbeat.test = null;
    beat();
  });
  let timedOut: string | null = null;
  beforeEach((context) => {
    heartbeat.test = fullName(context.task as unknown as TaskLike);
    beat();
    if (timedOut) context.skip();
  });
  afterEach((context) => {
    const errors = (context.task.result?.errors ?? []) as Array<{ message?: string }>;
    if (errors.some((e) => /(Test|Hook) timed out in \d+ms/.test(e.message ?? ''))) {
      timedOut ??= fullName(context.task as unknown as TaskLike);
    }
  });
}
