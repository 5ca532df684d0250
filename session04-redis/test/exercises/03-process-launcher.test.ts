import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@workbook/tools/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runWorkers, type WorkerReport } from '#ex/03-process-launcher/run-workers.ts';

const FAKE_WORKER = fileURLToPath(new URL('../fixtures/fake-worker.mjs', import.meta.url));
const command = [process.execPath, FAKE_WORKER];
/** The fake worker exits with this code when it did not get the launcher's environment. */
const NO_PARENT_ENV = 97;

// A variable only THIS process has: a worker sees it only if the launcher passed its
// environment on (the fake worker exits 97 without it).
beforeAll(() => {
  process.env.WORKBOOK_LAUNCHER_PARENT = 'inherited';
});
afterAll(() => {
  delete process.env.WORKBOOK_LAUNCHER_PARENT;
});
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Fails with a clear 🚨 when a worker exited 97: it did not get this process's environment. */
function expectParentEnv(reports: WorkerReport[]): void {
  const without = reports.filter((r) => r.exitCode === NO_PARENT_ENV).map((r) => `#${r.index}`);
  expect(
    without,
    `🚨 process ${without.join(', ')} did not get this process's environment (PATH, HOME, …): give each { ...process.env, ...options.env, WORKER_INDEX } — an env without process.env replaces it`,
  ).toEqual([]);
}

/**
 * Awaits `run`, failing with a 🚨 instead of hanging until the test timeout when it never
 * settles. The fake workers exit within a second; the bound only names a launcher that never
 * resolves (it is never reached by one that does).
 */
async function finished<T>(run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            "🚨 runWorkers never resolved, though its processes had long exited: resolve each process's promise in its 'close' handler (child.on('close', (code) => …)) and await them all",
          ),
        ),
      HANG_MS,
    );
  });
  try {
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}
/** Far beyond what a launcher that resolves needs, well within the test's 30 s. */
const HANG_MS = 15_000;

const ids = (index: number, n = 2) => Array.from({ length: n }, (_, t) => `w${index}-t${t}`);

describe('04.3 process launcher', () => {
  it('starts every process at once and reports them in start order, with their pids', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ex43-'));
    dirs.push(dir);
    const ready = () => readdirSync(dir).filter((name) => name.startsWith('ready-'));
    // Child processes of this process that are alive now (one libuv handle each).
    const children = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'ProcessWrap').length;
    const before = children();
    let settled = false;
    const run = runWorkers({ count: 3, command, env: { FAKE_SYNC_DIR: dir, FAKE_COUNT: '3' } });
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    let reports: WorkerReport[];
    let go = false;
    try {
      // Each fake worker waits for `go`. Once the first one runs, a launcher that starts them
      // all at once has already started the other two; one that awaits each process before
      // starting the next has started only this one.
      await waitFor(() => settled || ready().length > 0, {
        timeoutMs: 25_000,
        message: '🚨 not one worker process started',
      });
      if (ready().length === 0) expectParentEnv(await run); // they all quit at once
      const started = children() - before;
      expect(
        started,
        `🚨 only ${started} of 3 processes were running while the first one waited for the others: start all of them first, then wait for them together (not one after another)`,
      ).toBe(3);
      await waitFor(() => ready().length === 3, {
        timeoutMs: 25_000,
        message: '🚨 the 3 worker processes were started, but not all of them came up',
      });
      go = true;
    } finally {
      writeFileSync(path.join(dir, go ? 'go' : 'abort'), '');
      reports = await finished(run);
    }
    expectParentEnv(reports);
    expect(ready().length, '🚨 all 3 processes must run at the same time').toBe(3);
    expect(
      reports.map((r) => r.index),
      '🚨 one report per process, in START order (the last one started exits first here: do not list them in the order they exit)',
    ).toEqual([0, 1, 2]);
    const pids = reports.map((r) => r.pid);
    expect(new Set(pids).size, '🚨 each worker is its own OS process (its own pid)').toBe(3);
    expect(
      pids.includes(process.pid),
      '🚨 spawn new processes; do not run the work in this one',
    ).toBe(false);
    expect(
      pids,
      "🚨 each report's pid must be the pid of the process started with that WORKER_INDEX",
    ).toEqual([0, 1, 2].map((n) => Number(readFileSync(path.join(dir, `ready-${n}`), 'utf8'))));
    expect(
      reports.map((r) => r.completed),
      '🚨 each process printed two completed tasks',
    ).toEqual([ids(0), ids(1), ids(2)]);
  }, 60_000);

  it("gives every process this process's environment, plus env, plus its WORKER_INDEX", async () => {
    const reports = await finished(runWorkers({ count: 2, command, env: { FAKE_TASKS: '1' } }));
    expectParentEnv(reports);
    expect(
      reports.map((r) => r.completed),
      "🚨 each process names its tasks after its WORKER_INDEX ('0', '1', … in start order) and prints FAKE_TASKS=1 task: pass options.env and WORKER_INDEX: String(index)",
    ).toEqual([ids(0, 1), ids(1, 1)]);
  });

  it('credits every completed task to the process that printed it, reading whole lines', async () => {
    const reports = await finished(runWorkers({ count: 3, command, env: { FAKE_TASKS: '3' } }));
    expectParentEnv(reports);
    for (const report of reports) {
      expect(
        report.completed,
        `🚨 process #${report.index} printed three lines with status 'completed' (and one 'failed', which does not count). Lines arrive in pieces: read LINES (readline), not chunks`,
      ).toEqual(ids(report.index, 3));
    }
  });

  it('waits for every process and reports exit codes without throwing', async () => {
    const reports = await finished(runWorkers({ count: 2, command, env: { FAKE_EXIT_CODE: '3' } }));
    expectParentEnv(reports);
    expect(
      reports.map((r) => r.exitCode),
      '🚨 report each exit code; a failed worker is not an exception',
    ).toEqual([3, 3]);
    expect(
      reports.map((r) => r.completed),
      '🚨 a process that exits with an error still gets its completed tasks reported',
    ).toEqual([ids(0), ids(1)]);
  });

  it('resolves only once every output line was read (close, not exit)', async () => {
    const reports = await finished(runWorkers({ count: 2, command, env: { FAKE_LATE: '1' } }));
    expectParentEnv(reports);
    expect(
      reports.map((r) => r.completed),
      "🚨 a line that arrives after the process exited was missed: 'exit' can come before the output is fully read; resolve on 'close' (stdout drained)",
    ).toEqual([0, 1].map((n) => [...ids(n), `w${n}-late`]));
  });

  it('counts only JSON objects with a string taskId and status completed; other lines are ignored', async () => {
    // Lines a real worker can print: JSON that is not an object, objects without a string
    // taskId, a completed line with the wrong status, blank lines.
    const lines = [
      'null',
      '42',
      '"completed"',
      '',
      '{"status":"completed"}',
      '{"taskId":7,"status":"completed"}',
      '{"taskId":null,"status":"completed"}',
      '{"taskId":"w-retry","status":"retrying"}',
      '{"taskId":"w-ok","status":"completed"}',
    ];
    const script = `process.stdout.write(${JSON.stringify(`${lines.join('\n')}\n`)})`;
    const reports = await finished(
      runWorkers({ count: 1, command: [process.execPath, '-e', script] }),
    );
    expect(
      reports.map((r) => [r.exitCode, r.completed]),
      "🚨 the worker printed null, 42, a string, a blank line, completed lines whose taskId is missing, a number or null, one with status 'retrying', and ONE valid completed line (taskId 'w-ok'): count a line only when it is a JSON object with a string taskId and status 'completed' (JSON.parse('null') is null: check the object before reading its fields)",
    ).toEqual([[0, ['w-ok']]]);
  });
});
