import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runWorkers } from '#ex/03-process-launcher/run-workers.ts';

const FAKE_WORKER = fileURLToPath(new URL('../fixtures/fake-worker.mjs', import.meta.url));
const command = [process.execPath, FAKE_WORKER];

describe('04.3 process launcher', () => {
  it('starts count separate processes and reports them in start order', async () => {
    const reports = await runWorkers({ count: 3, command });
    expect(
      reports.map((r) => r.index),
      '🚨 one report per process, in start order',
    ).toEqual([0, 1, 2]);
    const pids = new Set(reports.map((r) => r.pid));
    expect(pids.size, '🚨 each worker is its own OS process (its own pid)').toBe(3);
    expect(pids.has(process.pid), '🚨 spawn new processes; do not run the work in this one').toBe(
      false,
    );
  });

  it('credits every completed task to the process that printed it', async () => {
    const reports = await runWorkers({ count: 3, command, env: { FAKE_TASKS: '3' } });
    for (const report of reports) {
      expect(
        report.completed,
        `🚨 process #${report.index} printed three completed tasks (lines may arrive in pieces: read LINES, not chunks; pass WORKER_INDEX)`,
      ).toEqual([0, 1, 2].map((n) => `w${report.index}-t${n}`));
    }
  });

  it('waits for every process and reports exit codes without throwing', async () => {
    const reports = await runWorkers({ count: 2, command, env: { FAKE_EXIT_CODE: '3' } });
    expect(
      reports.map((r) => r.exitCode),
      '🚨 report each exit code; a failed worker is not an exception',
    ).toEqual([3, 3]);
    expect(
      reports.every((r) => r.completed.length === 2),
      '🚨 resolve after the output was fully read',
    ).toBe(true);
  });
});
