/**
 * `pnpm load …`: puts load on a queue — a burst, a steady rate or a sine-shaped rate of tasks,
 * each a course photo through a small pipeline — so an autoscaler has something to react to.
 *
 *   pnpm load burst 200
 *   pnpm load steady --rate 5 --seconds 60
 *   pnpm load sine --mean 4 --amplitude 4 --period 30 --seconds 90
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serializeError } from '@workbook/session01';
import type { PipelineSpec } from '@workbook/session02';
import { BadArgumentError } from '@workbook/session04';
import { EXIT_USAGE, parseStrict, redisAndQueue } from '@workbook/session04/cli';
import { type LoadPattern, patternTotal, runLoad } from '../load/load-generator.ts';

/** The usage text. */
export const LOAD_USAGE = `Usage: pnpm load <pattern> [options]

Patterns:
  burst <count>                                    count tasks at once
  steady --rate <per s> --seconds <s>              a constant rate
  sine --mean <per s> --amplitude <per s> --period <s> --seconds <s>
                                                   mean + amplitude × sin(2πt / period), never below 0

Options:
  --redis-url <url>    Redis (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --queue <name>       queue (default: $QUEUE, else images)
  --photos <dir>       input images (default: the course photos, tools/fixtures/photos)
  --out <dir>          where the workers write the outputs (default: <tmp>/imgq-load/<queue>)
  --pipeline <file>    pipeline spec JSON (default: resize to 320 px, WebP)
  --json               print the report as JSON`;

/** Where the command writes. */
export interface LoadIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const OPTIONS = {
  'redis-url': { type: 'string' },
  queue: { type: 'string' },
  photos: { type: 'string' },
  out: { type: 'string' },
  pipeline: { type: 'string' },
  rate: { type: 'string' },
  seconds: { type: 'string' },
  mean: { type: 'string' },
  amplitude: { type: 'string' },
  period: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Parses the pattern from the command line. @throws {BadArgumentError} `ERR_BAD_ARGUMENT` */
export function parsePattern(
  positionals: readonly string[],
  values: Record<string, string | boolean | undefined>,
): LoadPattern {
  const number = (name: string, raw: string | boolean | undefined, min: number): number => {
    const value = Number(raw);
    if (raw === undefined || typeof raw !== 'string' || !Number.isFinite(value) || value < min) {
      throw new BadArgumentError(
        `--${name} must be a number >= ${min}, got \`${raw ?? '(missing)'}\``,
      );
    }
    return value;
  };
  const [kind, count] = positionals;
  switch (kind) {
    case 'burst': {
      const n = Number(count);
      if (!Number.isInteger(n) || n < 1)
        throw new BadArgumentError(
          `\`burst <count>\` needs a whole number >= 1, got \`${count ?? '(missing)'}\``,
        );
      return { kind, count: n };
    }
    case 'steady':
      return {
        kind,
        rate: number('rate', values.rate, 0.01),
        durationMs: number('seconds', values.seconds, 0.1) * 1000,
      };
    case 'sine':
      return {
        kind,
        mean: number('mean', values.mean, 0),
        amplitude: number('amplitude', values.amplitude, 0),
        periodMs: number('period', values.period, 0.1) * 1000,
        durationMs: number('seconds', values.seconds, 0.1) * 1000,
      };
    default:
      throw new BadArgumentError(
        `Expected a pattern: \`burst\`, \`steady\` or \`sine\`, got \`${kind ?? '(none)'}\``,
      );
  }
}

/** Runs `pnpm load` with `argv` (without node and the script); returns the exit code. */
export async function loadMain(
  argv: readonly string[],
  io: LoadIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const json = argv.includes('--json');
  try {
    const { values, positionals } = parseStrict(argv, OPTIONS);
    if (values.help || positionals[0] === 'help') {
      io.stdout.write(`${LOAD_USAGE}\n`);
      return 0;
    }
    const pattern = parsePattern(positionals, values);
    const { redisUrl, queue } = redisAndQueue(values, env);
    const photos = await photoFiles(values.photos);
    const pipeline = values.pipeline
      ? (JSON.parse(readFileSync(values.pipeline, 'utf8')) as PipelineSpec)
      : undefined;
    const outDir = values.out ?? path.join(tmpdir(), 'imgq-load', queue);
    const total = patternTotal(pattern);
    if (!json)
      io.stdout.write(
        `Enqueuing ${total} task(s) on queue \`${queue}\` (${pattern.kind}); outputs in ${outDir}\n`,
      );
    let shown = 0;
    const report = await runLoad({
      redisUrl,
      queue,
      pattern,
      photos,
      outDir,
      ...(pipeline ? { pipeline } : {}),
      onProgress: (sent) => {
        if (json || sent - shown < Math.max(1, Math.ceil(total / 10))) return;
        shown = sent;
        io.stdout.write(`  ${sent}/${total}\n`);
      },
    });
    io.stdout.write(
      json
        ? `${JSON.stringify({ queue, pattern, sent: report.sent, durationMs: report.durationMs, outDir })}\n`
        : `Done: ${report.sent} task(s) in ${(report.durationMs / 1000).toFixed(1)} s.\n`,
    );
    return 0;
  } catch (error) {
    const { code, message } = serializeError(error);
    const usage = code === 'ERR_BAD_ARGUMENT' || code === 'ERR_INVALID_REDIS_URL';
    if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    else io.stderr.write(`load: ${code}: ${message}\n${usage ? `\n${LOAD_USAGE}\n` : ''}`);
    return usage ? EXIT_USAGE : 1;
  }
}

/** The images of `--photos <dir>`, or the course photos. */
async function photoFiles(dir: string | undefined): Promise<string[]> {
  if (dir === undefined) {
    const { fixturePhotos } = await import('@workbook/tools/testkit');
    return fixturePhotos();
  }
  const { readdirSync } = await import('node:fs');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new BadArgumentError(`--photos: cannot read the folder \`${dir}\``);
  }
  const photos = names
    .filter((n) => /\.(png|jpe?g|webp|tiff?|gif)$/i.test(n))
    .map((n) => path.resolve(dir, n));
  if (photos.length === 0) throw new BadArgumentError(`--photos: no images in \`${dir}\``);
  return photos;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await loadMain(process.argv.slice(2), process);
}
