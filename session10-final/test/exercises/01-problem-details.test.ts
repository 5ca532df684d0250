import { decompressionBombPng, InvalidOptionError, WorkbookError } from '@workbook/session01';
import { type FilterCatalogue, FilterFactory, parsePipelineSpec } from '@workbook/session02';
import { ApiError } from '@workbook/session10';
import { makeImage } from '@workbook/tools/testkit';
import { describe, expect, it } from 'vitest';
import { problemFor, validateSubmission } from '#ex/01-problem-details/submission.ts';

const catalogue = new FilterFactory();
const SPEC = JSON.stringify({ steps: [{ name: 'resize', params: { width: 40 } }] });
const file = (filename: string, data: Buffer) => ({
  field: 'images',
  filename,
  mimetype: 'image/png',
  data,
});

describe('10.1 validating a submission, problem details', () => {
  it('a good submission: the spec with defaults, every image with format and size', async () => {
    const png = await makeImage({ width: 64, height: 48 });
    const result = await validateSubmission(
      { files: [file('a.png', png), file('b.png', png)], spec: SPEC },
      { catalogue },
    );
    expect(
      result.spec.steps[0],
      '🚨 the spec is parsed by session 02 (defaults filled in)',
    ).toMatchObject({ name: 'resize' });
    expect(
      result.images.map((i) => [i.index, i.name, i.format, i.width, i.height]),
      '🚨 one checked image per file',
    ).toEqual([
      [0, 'a.png', 'png', 64, 48],
      [1, 'b.png', 'png', 64, 48],
    ]);
  });

  it('no files and no spec are 422 with their codes', async () => {
    const png = await makeImage();
    await expect(
      validateSubmission({ files: [], spec: SPEC }, { catalogue }),
      '🚨 no files: ERR_NO_FILES',
    ).rejects.toMatchObject({ status: 422, code: 'ERR_NO_FILES' });
    await expect(
      validateSubmission({ files: [file('a.png', png)], spec: undefined }, { catalogue }),
      '🚨 no spec: ERR_INVALID_SUBMISSION',
    ).rejects.toMatchObject({ status: 422, code: 'ERR_INVALID_SUBMISSION' });
    await expect(
      validateSubmission({ files: [file('a.png', png)], spec: '' }, { catalogue }),
      '🚨 an empty pipeline field is no spec either: ERR_INVALID_SUBMISSION, not a JSON error',
    ).rejects.toMatchObject({ status: 422, code: 'ERR_INVALID_SUBMISSION' });
    const noFiles = await validateSubmission({ files: [], spec: SPEC }, { catalogue }).catch(
      (e) => e,
    );
    expect(noFiles.message, '🚨 the detail tells the client what is missing: the images').toMatch(
      /image|file|upload/i,
    );
    const noSpec = await validateSubmission(
      { files: [file('a.png', png)], spec: undefined },
      { catalogue },
    ).catch((e) => e);
    expect(noSpec.message, '🚨 the detail tells the client what is missing: the pipeline').toMatch(
      /pipeline|spec|step/i,
    );
  });

  it('an unknown filter is 422 ERR_UNKNOWN_FILTER with a message naming it', async () => {
    const png = await makeImage();
    const error = await validateSubmission(
      { files: [file('a.png', png)], spec: '{"steps":[{"name":"sparkle"}]}' },
      { catalogue },
    ).catch((e) => e);
    expect(error, '🚨 a bad spec becomes an ApiError').toBeInstanceOf(ApiError);
    expect(error.status, '🚨 a bad spec is 422').toBe(422);
    expect(error.code, '🚨 the code of session 02 is kept').toBe('ERR_UNKNOWN_FILTER');
    expect(error.message, '🚨 the message names the filter').toContain('sparkle');
    const original = (() => {
      try {
        parsePipelineSpec('{"steps":[{"name":"sparkle"}]}', catalogue);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(
      error.message,
      "🚨 a bad spec keeps session 02's message as it is (no file prefix: no file is involved)",
    ).toBe(original);
  });

  it('an error without a code is a bug, not bad input: it goes through unchanged', async () => {
    const png = await makeImage();
    const bug = new TypeError('a bug in the catalogue');
    const broken: FilterCatalogue = {
      create: () => {
        throw bug;
      },
    };
    const error = await validateSubmission(
      { files: [file('a.png', png)], spec: SPEC },
      { catalogue: broken },
    ).catch((e) => e);
    expect(
      error,
      "🚨 only an error with a string code is the input's fault (422); rethrow anything else unchanged, so it becomes a 500",
    ).toBe(bug);
  });

  it('every file is checked, not only the first: a bomb second is refused with its name and index', async () => {
    const png = await makeImage();
    const error = await validateSubmission(
      { files: [file('ok.png', png), file('../bomb.png', decompressionBombPng())], spec: SPEC },
      { catalogue },
    ).catch((e) => e);
    expect(error?.code, '🚨 the second file is hostile: ERR_IMAGE_TOO_LARGE').toBe(
      'ERR_IMAGE_TOO_LARGE',
    );
    expect(error.status, '🚨 a hostile file is 422').toBe(422);
    expect(error.extras, '🚨 extras name the file (display name, no path) and its index').toEqual({
      file: 'bomb.png',
      index: 1,
    });
  });

  it('problemFor: an ApiError keeps status, code and extras; a type URN; the path as instance', () => {
    const problem = problemFor(
      new ApiError(413, 'ERR_PAYLOAD_TOO_LARGE', 'too big', { extras: { file: 'x.png' } }),
      '/v1/jobs',
    );
    expect(problem, '🚨 RFC 9457 members plus the code and extras').toEqual({
      type: 'urn:imgq:problem:ERR_PAYLOAD_TOO_LARGE',
      title: 'Content Too Large',
      status: 413,
      detail: 'too big',
      instance: '/v1/jobs',
      code: 'ERR_PAYLOAD_TOO_LARGE',
      file: 'x.png',
    });
  });

  it('problemFor: an input WorkbookError is 422; anything else is a 500 that reveals nothing', () => {
    expect(
      problemFor(new InvalidOptionError('sigma must be > 0'), '/v1/jobs'),
      "🚨 ERR_INVALID_OPTION is the client's mistake: 422",
    ).toMatchObject({ status: 422, code: 'ERR_INVALID_OPTION', detail: 'sigma must be > 0' });
    for (const code of [
      'ERR_INVALID_SPEC',
      'ERR_UNKNOWN_FILTER',
      'ERR_INVALID_OPTION',
      'ERR_EMPTY_INPUT',
      'ERR_INPUT_TOO_LARGE',
      'ERR_NOT_AN_IMAGE',
      'ERR_IMAGE_CORRUPT',
      'ERR_IMAGE_TOO_LARGE',
      'ERR_SVG_NOT_ALLOWED',
      'ERR_UNSUPPORTED_FORMAT',
    ]) {
      expect(
        problemFor(new WorkbookError(code, 'bad input'), '/v1/jobs'),
        `🚨 ${code} is about the client's input: a 422 problem document`,
      ).toEqual({
        type: `urn:imgq:problem:${code}`,
        title: 'Unprocessable Content',
        status: 422,
        detail: 'bad input',
        instance: '/v1/jobs',
        code,
      });
    }
    expect(
      problemFor(
        new WorkbookError('ERR_REDIS_UNAVAILABLE', 'the connection to redis was refused'),
        '/v1/jobs',
      ),
      "🚨 a WorkbookError that is not about the input (Redis away) is the server's problem: 500, not 422",
    ).toMatchObject({ status: 500, code: 'ERR_UNEXPECTED' });
    const internal = problemFor(new Error('password=hunter2 at db.ts:12'), '/v1/queue');
    expect(internal, '🚨 an unexpected error is 500 ERR_UNEXPECTED').toMatchObject({
      status: 500,
      code: 'ERR_UNEXPECTED',
    });
    expect(internal, '🚨 a 500 is a problem document too: type, title, instance').toMatchObject({
      type: 'urn:imgq:problem:ERR_UNEXPECTED',
      title: 'Internal Server Error',
      instance: '/v1/queue',
    });
    expect(internal.detail, '🚨 a 500 never shows the internal message').not.toContain('hunter2');
  });
});
