/**
 * The 🚨 messages a student reads for the mistakes issue 15 lists for session 02, run through
 * the real checks (a child vitest with WORKBOOK_TARGET=mistake). Before: 02.2's loose name
 * pattern, `some` for `every` and a missing name registered as "undefined" all passed; no
 * pipeline test had a non-adjacent pair; a limiter whose release was broken was caught only by
 * the 30 s timeout, or not at all.
 */
import { describe, expect, it } from 'vitest';
import { type CheckFailures, runMistakes } from './mistake-runner.ts';

/** The failures of one mistake, with a readable message when the run did not produce them. */
function failuresOf(results: Map<string, CheckFailures>, mistake: string): CheckFailures {
  const failures = results.get(mistake);
  expect(failures, `the check of ${mistake} must run and report`).toBeDefined();
  expect(
    failures!.failed.length,
    `${mistake} must fail at least one test of its check`,
  ).toBeGreaterThan(0);
  return failures!;
}

describe('session 02 checks name the mistakes of issue 15', { timeout: 180_000 }, () => {
  it('02.2 a loose name pattern, 02.1 a non-adjacent pair, 02.3 a release that increments', async () => {
    const results = await runMistakes([
      '02-factory-registration/loose-name-pattern',
      '01-pipeline/only-previous-filter',
      '03-batch-concurrency/release-increments',
    ]);
    const loose = failuresOf(results, '02-factory-registration/loose-name-pattern');
    for (const name of [
      "'gaussian--blur' (a double dash)",
      "'blur-' (a trailing dash)",
      "'-blur' (a leading dash)",
      "'2x-zoom' (starts with a digit)",
    ]) {
      expect(loose.messages).toContain(
        `🚨 register() must refuse the name ${name} with ERR_INVALID_FILTER_DEFINITION; your code returned without an error`,
      );
    }
    expect(failuresOf(results, '01-pipeline/only-previous-filter').messages).toContain(
      '🚨 grayscale → blur → sepia: blur → sepia alone is fine, but sepia cannot share a pass with the earlier grayscale (one grey band, no colour mix), so [grayscale, blur] | [sepia]; pass canJoinPass all ops of the pass so far, got [grayscale, blur, sepia]',
    );
    const release = failuresOf(results, '03-batch-concurrency/release-increments');
    expect(release.failed).toEqual([
      'serves a second wave after the first one finished (every slot came back)',
    ]);
    expect(release.messages).toContain(
      '🚨 second wave: after the first 6 tasks all finished, all 3 slots must be free again, so 3 of the next 6 start at once; 0 started — does a finished task give its slot back (active−1)?',
    );
    expect(release.messages, 'caught by its 🚨, not by the test timeout').not.toContain(
      'timed out',
    );
  });

  it('02.2 `some` for `every`; 02.3 a failed task that keeps its slot', async () => {
    const results = await runMistakes([
      '02-factory-registration/some-for-every',
      '03-batch-concurrency/failure-keeps-slot',
    ]);
    expect(failuresOf(results, '02-factory-registration/some-for-every').messages).toContain(
      "🚨 register() must refuse an unknown op among known ones ('threshold', 'explode') with ERR_INVALID_FILTER_DEFINITION; your code returned without an error",
    );
    const slot = failuresOf(results, '03-batch-concurrency/failure-keeps-slot');
    expect(slot.messages).toContain(
      '🚨 failing tasks: 3 task(s) wait but none runs — a task that finished or failed must free its slot and start the next waiting one (started so far: 0, 1; settled: 0 rejected, 1 rejected)',
    );
    expect(slot.messages, 'caught by its 🚨, not by the test timeout').not.toContain('timed out');
  });

  it('02.2 a missing name registered as "undefined"', async () => {
    const results = await runMistakes(['02-factory-registration/missing-name-as-undefined']);
    expect(
      failuresOf(results, '02-factory-registration/missing-name-as-undefined').messages,
    ).toContain(
      "🚨 register() must refuse a definition without a name (a RegExp tests undefined as the text 'undefined', which looks kebab-case) with ERR_INVALID_FILTER_DEFINITION; your code returned without an error",
    );
  });
});
