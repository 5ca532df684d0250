import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertResolvedTarget } from '../src/switch-sentinel.ts';
import { TARGETS } from '../src/target.ts';
import { childEnv, runVitest } from '../src/vitest-run.ts';
import { FIXTURE_ROOT, FIXTURE_SESSION, SLOW_MS } from './helpers.ts';

const SWITCH_TEST = path.join(FIXTURE_SESSION, 'test/switch.test.ts');

describe('assertResolvedTarget', () => {
  it('accepts each target in its own folder and rejects it elsewhere', () => {
    expect(() => assertResolvedTarget('#ex/a.ts', '/c/s/solutions/a.ts', 'solution')).not.toThrow();
    expect(() => assertResolvedTarget('#ex/a.ts', '/c/s/wrong/a.ts', 'wrong')).not.toThrow();
    expect(() => assertResolvedTarget('#ex/a.ts', '/c/s/exercises/a.ts', 'exercise')).not.toThrow();
    expect(() => assertResolvedTarget('#ex/a.ts', '/c/s/exercises/a.ts', 'solution')).toThrow(
      'Exercise switch mismatch: WORKBOOK_TARGET=solution but #ex/a.ts resolved to /c/s/exercises/a.ts',
    );
    expect(() => assertResolvedTarget('lodash', '/c/s/exercises/a.ts', 'solution')).not.toThrow();
  });
});

describe('the switch in vitest (real runs on the fixture workbook)', { timeout: SLOW_MS }, () => {
  it('resolves #ex/* to the folder of every target', async () => {
    const runs = await Promise.all(
      TARGETS.map((target) =>
        runVitest({
          root: FIXTURE_ROOT,
          target,
          files: [SWITCH_TEST],
          env: { WORKBOOK_MISTAKE: 'session01-fixture/mistakes/01-double/squares' },
        }),
      ),
    );
    for (const [i, run] of runs.entries()) {
      const tests = run.report?.testResults[0]?.assertionResults ?? [];
      expect(
        tests.map((t) => t.status),
        `target ${TARGETS[i]}: ${run.output}`,
      ).toEqual(['passed']);
    }
  });

  it('fails the run with "Exercise switch mismatch" when the config drops the condition', async () => {
    const run = await runVitest({
      root: FIXTURE_ROOT,
      config: path.join(FIXTURE_ROOT, 'vitest.broken.config.ts'),
      target: 'solution',
      files: [SWITCH_TEST],
    });
    expect(run.exitCode).not.toBe(0);
    const file = run.report?.testResults[0];
    expect(file?.status).toBe('failed');
    expect(file?.message).toContain(
      'Exercise switch mismatch: WORKBOOK_TARGET=solution but #ex/target.ts',
    );
    expect(file?.message).toContain(path.join('session01-fixture', 'exercises', 'target.ts'));
  });
});

describe('the switch loader for demos (node --import switch-register.ts)', {
  timeout: SLOW_MS,
}, () => {
  const tsx = import.meta.resolve('tsx');
  const register = fileURLToPath(new URL('../src/switch-register.ts', import.meta.url));
  const demo = path.join(FIXTURE_SESSION, 'demos/hello.ts');
  const node = (target: string, extra: string[]) =>
    spawnSync(process.execPath, ['--import', tsx, '--import', register, ...extra, demo], {
      cwd: FIXTURE_SESSION,
      env: { ...childEnv(), WORKBOOK_TARGET: target },
      encoding: 'utf8',
    });

  it('lets a demo load the folder its target names', () => {
    const run = node('solution', ['--conditions=solution']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('hello from solution');
  });

  it('stops a demo that loads the starters while WORKBOOK_TARGET=solution', () => {
    const run = node('solution', []);
    expect(run.status).not.toBe(0);
    expect(run.stdout).not.toContain('hello');
    expect(run.stderr).toContain(
      'Exercise switch mismatch: WORKBOOK_TARGET=solution but #ex/target.ts',
    );
  });
});
