import chalk from 'chalk';
import { Presets, SingleBar } from 'cli-progress';
import type { BatchProcessor, BatchSummary } from './batch-processor.ts';

/** Options of {@link showBatchProgress}. */
export interface BatchProgressOptions {
  /** Where to write. @default process.stderr */
  stream?: NodeJS.WriteStream;
  /**
   * Draw a live bar; otherwise one plain line per image (logs, CI, pipes).
   * @default whether `stream` is a TTY
   */
  bar?: boolean;
}

/**
 * Shows a batch's progress for humans: a live progress bar on a terminal, one line per image
 * when the output is a file or a pipe (a bar would fill a log with control characters).
 *
 * @returns a function that stops listening (the bar stops by itself when the batch finishes).
 * @example
 * const batch = new BatchProcessor({ ... });
 * showBatchProgress(batch);
 * const summary = await batch.run();
 * process.stdout.write(formatBatchSummary(summary));
 */
export function showBatchProgress(
  batch: BatchProcessor,
  options: BatchProgressOptions = {},
): () => void {
  const stream = options.stream ?? process.stderr;
  const useBar = options.bar ?? Boolean(stream.isTTY);
  const bar = new SingleBar(
    {
      stream,
      format: `${chalk.cyan('{bar}')} {percentage}% | {value}/{total} images | {failed} failed | ETA {eta}s | {file}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const onStarted = ({ total }: { total: number }) => {
    if (useBar) bar.start(total, 0, { failed: 0, file: '' });
    else stream.write(`processing ${total} images\n`);
  };
  const onProgress = ({ done, total, failed, result }: Parameters<typeof formatLine>[0]) => {
    if (useBar) bar.update(done, { failed, file: result.input });
    else stream.write(`${formatLine({ done, total, failed, result })}\n`);
  };
  const onFinished = () => {
    if (useBar) bar.stop();
  };
  batch.on('started', onStarted);
  batch.on('progress', onProgress);
  batch.on('finished', onFinished);
  return () => {
    batch.off('started', onStarted);
    batch.off('progress', onProgress);
    batch.off('finished', onFinished);
    if (useBar) bar.stop();
  };
}

function formatLine(progress: {
  done: number;
  total: number;
  failed: number;
  result: { input: string; status: string; error?: { code: string } | undefined };
}): string {
  const { done, total, result } = progress;
  const width = String(total).length;
  const counter = `[${String(done).padStart(width)}/${total}]`;
  const detail = result.error ? ` ${result.error.code}` : '';
  return `${counter} ${result.status.padEnd(9)} ${result.input}${detail}`;
}

/**
 * The summary of a batch as a small table, with every failure and its error code.
 *
 * @example
 * process.stdout.write(formatBatchSummary(await batch.run()));
 */
export function formatBatchSummary(summary: BatchSummary): string {
  const seconds = summary.elapsedMs / 1000;
  const rows: Array<[string, string]> = [
    ['images', String(summary.total)],
    ['succeeded', chalk.green(String(summary.succeeded))],
    ['failed', summary.failed ? chalk.red(String(summary.failed)) : '0'],
    ['skipped', String(summary.skipped)],
    ...(summary.aborted
      ? [['aborted', chalk.yellow(String(summary.aborted))] as [string, string]]
      : []),
    ['elapsed', `${seconds.toFixed(2)} s`],
    ['throughput', `${summary.imagesPerSecond.toFixed(1)} images/s`],
    ['concurrency', `${summary.concurrency} (max in flight ${summary.maxInFlight})`],
    ['bytes in', formatBytes(summary.bytesIn)],
    ['bytes out', formatBytes(summary.bytesOut)],
  ];
  const lines = rows.map(([key, value]) => `  ${key.padEnd(12)} ${value}`);
  for (const failure of summary.failures) {
    lines.push(
      `  ${chalk.red('✗')} ${failure.input}: ${chalk.bold(failure.code)} ${failure.message}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** 1234567 → "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
