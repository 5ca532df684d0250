import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverWorkbook } from '../src/exercises.ts';
import { whoseErrors } from '../src/typecheck.ts';
import { parseTscOutput, typecheckExercises } from '../src/typecheck-exercise.ts';
import { SLOW_MS } from './helpers.ts';

const STUDENT_ROOT = fileURLToPath(new URL('./fixtures/student', import.meta.url));

describe('reading tsc output', () => {
  it('reads plain and pretty diagnostics with their continuation lines', () => {
    const plain =
      "s01/exercises/03-x/a.ts(3,9): error TS2322: Type 'string' is not assignable to type 'number'.\n" +
      "  Type 'x' is not 'y'.\n" +
      "s01/src/b.ts(1,1): error TS2304: Cannot find name 'q'.\n";
    expect(parseTscOutput(plain, '/r')).toEqual([
      {
        file: '/r/s01/exercises/03-x/a.ts',
        line: 3,
        column: 9,
        code: 'TS2322',
        message: "Type 'string' is not assignable to type 'number'.\n  Type 'x' is not 'y'.",
      },
      {
        file: '/r/s01/src/b.ts',
        line: 1,
        column: 1,
        code: 'TS2304',
        message: "Cannot find name 'q'.",
      },
    ]);
    expect(
      parseTscOutput(
        "s01/solutions/03-x/a.ts:4:2 - error TS2532: Object is possibly 'undefined'.",
        '/r',
      ),
    ).toHaveLength(1);
  });

  it("says whose files failed: the student's, the references' or the course's", () => {
    const output = [
      "session01-a/exercises/03-edge/edge.ts(2,1): error TS2532: Object is possibly 'undefined'.",
      "session01-a/solutions/03-edge/edge.ts(2,1): error TS2532: Object is possibly 'undefined'.",
      "session01-a/src/index.ts(2,1): error TS2532: Object is possibly 'undefined'.",
    ].join('\n');
    expect(whoseErrors(output, '/r')).toEqual([
      "  in the student's exercise code (exercises/; `pnpm check <id>` shows them per exercise): session01-a/exercises/03-edge/edge.ts",
      '  in reference, wrong or mistake code (solutions/, wrong/, mistakes/): session01-a/solutions/03-edge/edge.ts',
      '  in course code (src/, test/, demos/, tools/): session01-a/src/index.ts',
    ]);
    expect(whoseErrors('', '/r')).toEqual([]);
  });
});

describe("type check of one exercise's files (real tsc)", { timeout: SLOW_MS }, () => {
  it("finds the student's type error and none in the reference", async () => {
    const workbook = discoverWorkbook(STUDENT_ROOT);
    const typed = workbook.exercises.find((ex) => ex.id === '01.3')!;
    const mine = await typecheckExercises(STUDENT_ROOT, [typed], 'exercise');
    expect(mine.failure).toBeNull();
    expect(
      mine.byExercise.get('01.3')?.map((e) => [path.basename(e.file), e.line, e.code]),
    ).toEqual([['half.ts', 3, 'TS2322']]);
    const reference = await typecheckExercises(STUDENT_ROOT, [typed], 'solution');
    expect(reference.byExercise.size + reference.elsewhere.length, reference.failure ?? '').toBe(0);
  });
});
