import { describe, expect, it } from 'vitest';
import { formatMutationReport, mutationScore, readReport } from '../src/mutation.ts';

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
    expect(lines[1]).toBe('01.1       60.0%       2        1         1       1       1');
    expect(lines).toContain('01.1: 2 mutant(s) the check does not catch:');
    expect(lines).toContain('  session01-x/solutions/01-a/a.ts:4  EqualityOperator  → a > b');
    expect(lines).toContain('02.2: Stryker failed:');
  });
});
