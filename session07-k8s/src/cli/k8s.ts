#!/usr/bin/env tsx
/**
 * `k8s`: session 07's command line — validate manifests offline, compare overlays, draw the
 * object tree, and deploy to a cluster when there is one.
 *
 *   pnpm k8s check                       every overlay, offline
 *   pnpm k8s check k8s/broken/probes-present
 *   pnpm k8s diff dev prod
 *   pnpm k8s deploy --overlay dev        needs kind, minikube or k3d
 */
import { fileURLToPath } from 'node:url';
import { serializeError } from '@workbook/session01';
import chalk from 'chalk';
import { deployOverlay } from '../deploy.ts';
import { diffRenders, formatDiff } from '../diff.ts';
import { K8sErrorCodes } from '../errors.ts';
import { formatTree, objectTree } from '../object-tree.ts';
import { renderTarget } from '../render.ts';
import { formatReport, formatRules, reportJson } from '../report.ts';
import { DEFAULT_RULES } from '../rules/index.ts';
import { checkTargets } from '../validator.ts';
import {
  type Command,
  defaultTargets,
  EXIT_USAGE,
  parseCommand,
  resolveTarget,
  shown,
  USAGE,
} from './args.ts';

/** Where `k8s` writes (process.stdout/stderr, or a capture in tests). */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

/** Options of {@link runK8s}. */
export interface RunK8sOptions {
  /** Relative paths are resolved from here. @default $INIT_CWD or process.cwd() */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  io?: CliIo;
}

/**
 * Runs `k8s` with `argv` and returns the exit code: 0 fine, 1 errors found or a failure,
 * 2 a bad command line. Errors are printed (`k8s: CODE: message`), never thrown.
 * @example process.exitCode = await runK8s(['check', '--json']);
 */
export async function runK8s(
  argv: readonly string[],
  options: RunK8sOptions = {},
): Promise<number> {
  const io = options.io ?? process;
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? env.INIT_CWD ?? process.cwd();
  const json = argv.includes('--json');
  try {
    return await run(parseCommand(argv), { io, env, cwd });
  } catch (error) {
    const { code, message } = serializeError(error);
    const usage = code === K8sErrorCodes.BAD_ARGUMENT;
    if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    else io.stderr.write(`k8s: ${code}: ${message}\n${usage ? `\n${USAGE}\n` : ''}`);
    return usage ? EXIT_USAGE : 1;
  }
}

async function run(
  command: Command,
  ctx: { io: CliIo; env: NodeJS.ProcessEnv; cwd: string },
): Promise<number> {
  const { io, cwd } = ctx;
  const color = Boolean(io.stdout.isTTY) && chalk.level > 0;
  const kubectl = ctx.env.KUBECTL;
  switch (command.command) {
    case 'help':
      io.stdout.write(`${USAGE}\n`);
      return 0;
    case 'rules':
      io.stdout.write(
        command.json
          ? `${JSON.stringify(DEFAULT_RULES.map(({ id, severity, title, description }) => ({ id, severity, title, description })))}\n`
          : formatRules(DEFAULT_RULES, { color }),
      );
      return 0;
    case 'check': {
      const targets = command.targets.length
        ? command.targets.map((t) => resolveTarget(t, cwd))
        : defaultTargets();
      const report = await checkTargets(
        targets.map((t) => shown(t, cwd)),
        { cwd, kubectl, createMissingSecrets: command.createSecrets },
      );
      io.stdout.write(
        command.json
          ? `${JSON.stringify(reportJson(report, cwd))}\n`
          : formatReport(report, { cwd, color }),
      );
      return report.errors > 0 ? 1 : 0;
    }
    case 'diff': {
      const [from, to] = await Promise.all(
        [command.from, command.to].map((t) =>
          renderTarget(shown(resolveTarget(t, cwd), cwd), { cwd, kubectl }),
        ),
      );
      const diffs = diffRenders(from!.objects, to!.objects);
      io.stdout.write(
        command.json
          ? `${JSON.stringify(diffs)}\n`
          : formatDiff(diffs, { labels: [command.from, command.to], color }),
      );
      return 0;
    }
    case 'tree': {
      const rendered = await renderTarget(shown(resolveTarget(command.target, cwd), cwd), {
        cwd,
        kubectl,
      });
      const dim = (text: string, n: { derived: boolean }) =>
        color && n.derived ? chalk.dim(text) : text;
      io.stdout.write(formatTree(objectTree(rendered.objects), dim));
      return 0;
    }
    case 'deploy': {
      const overlay = shown(resolveTarget(command.overlay, cwd), cwd);
      const result = await deployOverlay(overlay, {
        cwd,
        kubectl,
        env: ctx.env,
        waitMs: command.waitMs,
        requestTimeout: command.requestTimeout,
        onProgress: command.json ? undefined : (line) => io.stdout.write(`${line}\n`),
      });
      const { tasks } = result;
      io.stdout.write(
        command.json
          ? `${JSON.stringify(result)}\n`
          : `✔ ${overlay} deployed to ${result.context} (namespace ${result.namespace}): ${tasks.completed} task(s) done, ${tasks.deadLettered} dead-lettered, of ${tasks.enqueued}, in ${Math.round(result.durationMs / 1000)} s\n`,
      );
      return 0;
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runK8s(process.argv.slice(2));
}
