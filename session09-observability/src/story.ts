/**
 * A task's story: its events from the {@link TaskEventLog}, merged with the workers' JSON log
 * lines about it (when log files are given), in time order. `imgq trace <task-id>` prints it.
 */
import { readFileSync } from 'node:fs';
import chalk from 'chalk';
import { ObservabilityErrorCodes, TraceContextError } from './errors.ts';
import type { TaskEvent, TaskEventLog } from './task-events.ts';

/** One line of a story: an event, or a log line. */
export type StoryEntry =
  | { kind: 'event'; at: number; event: TaskEvent }
  | { kind: 'log'; at: number; file: string; level: string; msg: string; workerId?: string };

/** What `imgq trace` tells about one task. */
export interface TaskStory {
  taskId: string;
  /** The trace id every entry shares (`null` when no event has one). */
  traceId: string | null;
  /** Workers that ran an attempt, in order. */
  workers: string[];
  /** Attempts started. */
  attempts: number;
  /** How it ended so far: done, dead-lettered, or in progress. */
  outcome: 'done' | 'dead-lettered' | 'in progress';
  entries: StoryEntry[];
}

/** Options of {@link readTaskStory}. */
export interface ReadStoryOptions {
  /** pino JSON log files whose lines about the task join the story. */
  logFiles?: string[];
}

const PINO_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * Reads the story of `taskId`.
 * @throws {TraceContextError} `ERR_TRACE_NOT_FOUND` when the log has no event of the task
 * @example const story = await readTaskStory(log, 'task-1');
 */
export async function readTaskStory(
  log: TaskEventLog,
  taskId: string,
  options: ReadStoryOptions = {},
): Promise<TaskStory> {
  const events = await log.read(taskId);
  if (events.length === 0) {
    throw new TraceContextError(
      ObservabilityErrorCodes.TRACE_NOT_FOUND,
      `No events of task \`${taskId}\` in queue \`${log.queue}\`: check the id and --queue; events are kept ${Math.round(log.retentionMs / 3_600_000)} h, and only for tasks handled by session 09's producer and workers`,
    );
  }
  const traceId = events.find((e) => e.traceId && e.traceId !== 'unknown')?.traceId ?? null;
  const entries: StoryEntry[] = events.map((event) => ({ kind: 'event', at: event.at, event }));
  for (const file of options.logFiles ?? []) entries.push(...logLines(file, taskId, traceId));
  entries.sort((a, b) => a.at - b.at);
  const started = events.filter((e) => e.type === 'started');
  const last = [...events].reverse().find((e) => e.type === 'done' || e.type === 'dead-lettered');
  return {
    taskId,
    traceId,
    workers: started.map((e) => e.workerId ?? '?'),
    attempts: started.length,
    outcome: last ? (last.type as 'done' | 'dead-lettered') : 'in progress',
    entries,
  };
}

function logLines(file: string, taskId: string, traceId: string | null): StoryEntry[] {
  const out: StoryEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (json.taskId !== taskId && (traceId === null || json.traceId !== traceId)) continue;
    out.push({
      kind: 'log',
      at: typeof json.time === 'number' ? json.time : 0,
      file,
      level: PINO_LEVELS[json.level as number] ?? String(json.level ?? ''),
      msg: String(json.msg ?? ''),
      ...(typeof json.workerId === 'string' ? { workerId: json.workerId } : {}),
    });
  }
  return out;
}

const COLOURS: Partial<Record<TaskEvent['type'], (s: string) => string>> = {
  done: chalk.green,
  'dead-lettered': chalk.red,
  retried: chalk.yellow,
  recovered: chalk.magenta,
  'lease-lost': chalk.red,
  released: chalk.yellow,
};

/** The story as lines for people: one per entry, times relative to the first. */
export function formatTaskStory(story: TaskStory): string {
  const start = story.entries[0]?.at ?? 0;
  const lines = [
    `${chalk.bold(`task ${story.taskId}`)}  trace ${story.traceId ?? '(none)'}`,
    `${story.attempts} attempt(s) by ${story.workers.join(', ') || 'nobody yet'}; ${story.outcome}`,
  ];
  for (const entry of story.entries) {
    const at = `+${((entry.at - start) / 1000).toFixed(3)}s`.padStart(10);
    if (entry.kind === 'log') {
      lines.push(
        `${chalk.dim(at)}  ${chalk.dim(`log ${entry.level.padEnd(5)}`)} ${entry.workerId ?? ''} ${entry.msg}`,
      );
      continue;
    }
    const e = entry.event;
    const colour = COLOURS[e.type] ?? ((s: string) => s);
    const who = e.workerId ? `by ${e.workerId}` : `by producer (pid ${e.pid ?? '?'})`;
    const parts = [
      colour(e.type.padEnd(13)),
      who,
      e.attempt === undefined ? '' : `attempt ${e.attempt}`,
      e.code ?? '',
      e.detail ?? '',
    ].filter(Boolean);
    lines.push(`${chalk.dim(at)}  ${parts.join('  ')}`);
  }
  return lines.join('\n');
}
