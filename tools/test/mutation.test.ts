import { describe, expect, it } from 'vitest';
import {
  applyEquivalents,
  formatMutationReport,
  mutationScore,
  readReport,
} from '../src/mutation.ts';

const mutant = (status: string, line: number, mutatorName = 'EqualityOperator') => ({
  mutatorName,
  replacement: 'a  >\n b',
  status,
  location: { start: { line } },
});

describe('the mutation report', () => {
  it('counts mutants by status, scores killed + timeout over those that count, lists survivors', () => {
    const { counts, survivors } = readReport(
      {
        files: {
          'session01-x/solutions/01-a/a.ts': {
            mutants: [
              mutant('Killed', 1),
              mutant('Killed', 2),
              mutant('Timeout', 3),
              mutant('Survived', 4),
              mutant('NoCoverage', 5, 'StringLiteral'),
              mutant('CompileError', 6),
            ],
          },
        },
      },
      '/r',
    );
    expect(counts).toEqual({ killed: 2, timeout: 1, survived: 1, noCoverage: 1, errors: 1 });
    expect(mutationScore(counts)).toBe(60);
    expect(survivors).toEqual([
      {
        file: 'session01-x/solutions/01-a/a.ts',
        line: 4,
        mutator: 'EqualityOperator',
        replacement: 'a > b',
      },
      {
        file: 'session01-x/solutions/01-a/a.ts',
        line: 5,
        mutator: 'StringLiteral',
        replacement: 'a > b',
      },
    ]);
    expect(
      mutationScore({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 3 }),
    ).toBeNull();
    const lines = formatMutationReport([
      { id: '01.1', counts, score: 60, survivors, failure: null },
      { id: '02.2', counts, score: null, survivors: [], failure: 'boom' },
    ]);
    expect(lines[1]).toBe(
      '01.1      60.0%      60.0%       2        1         1           0       1       1',
    );
    expect(lines).toContain('01.1: 2 mutant(s) the check does not catch:');
    expect(lines).toContain('  session01-x/solutions/01-a/a.ts:4  EqualityOperator  → a > b');
    expect(lines).toContain('02.2: Stryker failed:');
  });

  it('leaves survivors explained as equivalent out of the behaviour score, and names stale entries', () => {
    const survivors = [
      { file: 'a.ts', line: 4, mutator: 'EqualityOperator', replacement: 'a >= 0' },
      { file: 'a.ts', line: 9, mutator: 'BooleanLiteral', replacement: 'true' },
    ];
    const counts = { killed: 17, timeout: 1, survived: 2, noCoverage: 0, errors: 0 };
    const result = applyEquivalents(
      { id: '02.1', counts, score: mutationScore(counts), survivors, failure: null },
      [
        {
          line: 4,
          mutator: 'EqualityOperator',
          replacement: 'a >= 0',
          why: 'an empty pass joins anything',
        },
        { line: 7, mutator: 'StringLiteral', replacement: '""', why: 'gone since' },
      ],
    );
    expect(result.score).toBe(90);
    expect(result.behaviourScore).toBe(94.7);
    expect(result.survivors.map((s) => s.line)).toEqual([9]);
    expect(result.equivalent).toEqual([{ ...survivors[0], why: 'an empty pass joins anything' }]);
    expect(result.stale?.map((e) => e.line)).toEqual([7]);
    const lines = formatMutationReport([result]);
    expect(lines[1]).toBe(
      '02.1      90.0%      94.7%      17        1         2           1       0       0',
    );
    expect(lines).toContain('02.1: 1 survivor(s) explained as equivalent:');
    expect(lines).toContain('      an empty pass joins anything');
    expect(lines).toContain('  line 7  StringLiteral  → ""');
  });
});
