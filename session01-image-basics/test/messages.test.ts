/**
 * The 🚨 messages a student reads for the mistakes issue 15 lists for session 01, run through
 * the real checks (a child vitest with WORKBOOK_TARGET=mistake). Before: 01.3's zero padding
 * was blamed on the Laplacian's weights, the range edges 1/4096 and ±255 were never tested,
 * and every test image had 3 channels.
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

describe('session 01 checks name the mistakes of issue 15', { timeout: 180_000 }, () => {
  it('01.3 zero padding, 01.1 4096 refused, 01.2 ±255 refused, 01.4 a 3-channel image taken for RGBA', async () => {
    const results = await runMistakes([
      '03-edge-detection/zero-padding',
      '01-grayscale-thumbnail/upper-limit-excluded',
      '02-brightness/range-ends-excluded',
      '04-my-filter/alpha-always-assumed',
    ]);
    const padding = failuresOf(results, '03-edge-detection/zero-padding');
    expect(padding.messages).toContain(
      '🚨 Laplacian: a flat image must give 0 at the border too (the missing neighbours repeat the border pixel 137, they are not 0)',
    );
    expect(
      padding.messages,
      'the kernels are right: the message must not blame the weights',
    ).not.toContain('weights add up to 0');
    expect(failuresOf(results, '01-grayscale-thumbnail/upper-limit-excluded').messages).toContain(
      '🚨 4096x1 is allowed: the range 1 to 4096 includes both ends (< 1 or > 4096 is out); your code threw ERR_INVALID_OPTION',
    );
    expect(failuresOf(results, '02-brightness/range-ends-excluded').messages).toContain(
      '🚨 amount 255 is allowed: the range -255 to 255 includes both ends; your code threw ERR_INVALID_OPTION',
    );
    expect(failuresOf(results, '04-my-filter/alpha-always-assumed').messages).toContain(
      '🚨 an RGB image has no alpha: blue must darken like red',
    );
  });

  it('01.1 0 let through, 01.2 every 4th value taken for alpha', async () => {
    const results = await runMistakes([
      '01-grayscale-thumbnail/zero-allowed',
      '02-brightness/alpha-every-fourth-value',
    ]);
    expect(failuresOf(results, '01-grayscale-thumbnail/zero-allowed').messages).toContain(
      '🚨 a width of 0 must be refused by your own size check (its message says "1 to 4096"); your code threw ERR_INVALID_OPTION: "Expected `width` to be an integer from 1 to 16384, got `0` (number)"',
    );
    expect(failuresOf(results, '02-brightness/alpha-every-fourth-value').messages).toContain(
      '🚨 an RGB image (3 channels) has no alpha: all 9 values of 3 pixels must change by 10, got 11, 12, 13, 4, 15, 16, 17, 8, 19',
    );
  });

  it('01.2 grey+alpha (2 channels) brightened as colour', async () => {
    const results = await runMistakes(['02-brightness/alpha-only-for-rgba']);
    expect(failuresOf(results, '02-brightness/alpha-only-for-rgba').messages).toContain(
      '🚨 grey+alpha (2 channels): the 2nd value of each pixel is alpha and must not change, got 50, 0, 10, 150',
    );
  });
});
