/**
 * `pnpm stack`: a stack of Redis + workers driven through the engine's API (dockerode), the
 * programmatic twin of compose.yaml. The stack lives on the engine, found by its label, so
 * each command is a separate run:
 *
 *   pnpm stack up [--workers 3] [--redis-port 6381]   build (with progress), network, volumes, Redis, workers
 *   pnpm stack produce [thumbnail|poster]             the one-shot producer: enqueue the sample photos
 *   pnpm stack ps | stats | logs [-f] | scale <n> | kill <n> | down
 *
 * Options: --name <stack> (default imgq). `up` that fails or is interrupted removes what it made.
 */
import { parseArgs } from 'node:util';
import chalk from 'chalk';
import { checkEngine, connectEngine } from '../engine.ts';
import { DockerError, DockerErrorCodes } from '../errors.ts';
import { ensureCourseImages, ensurePulled, REDIS_IMAGE } from '../images.ts';
import { Stack } from '../stack.ts';
import { formatBytes } from '../stats.ts';

const USAGE = `Usage: pnpm stack <command> [options]

  up [--workers N] [--redis-port P]   build the images, start Redis and N workers (default 3)
  produce [pipeline]                  enqueue the sample photos (thumbnail | poster)
  ps                                  containers, state and health
  stats                               CPU % and memory of each container
  logs [-f]                           every container's output, one coloured prefix each
  scale <n>                           n workers: start more, or stop the extra ones gracefully
  kill <n>                            docker kill worker number n (it dies mid-task)
  down                                remove containers, network and volumes

  --name <stack>                      the stack's name (default imgq)`;

const out = (text = '') => process.stdout.write(`${text}\n`);

function bad(message: string): never {
  throw new DockerError(DockerErrorCodes.BAD_ARGUMENT, `${message}\n\n${USAGE}`);
}

function count(value: string | undefined, what: string): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0)
    bad(`\`${what}\` needs a whole number, got \`${value}\``);
  return n;
}

/** Runs one `stack` command; resolves with the exit code. */
export async function stackMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string', default: 'imgq' },
      workers: { type: 'string', default: '3' },
      'redis-port': { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return command || values.help ? 0 : 2;
  }
  const docker = connectEngine();
  await checkEngine(docker);
  const port = values['redis-port'] ?? process.env.REDIS_PORT;
  const stack = new Stack(docker, {
    name: values.name,
    redisPort: port === undefined ? 0 : count(port, '--redis-port'),
    onEvent: (message) => out(chalk.dim(`  ${message}`)),
  });
  const needStack = async () => {
    if ((await stack.ps()).length === 0) {
      throw new DockerError(
        DockerErrorCodes.STACK_NOT_FOUND,
        `No stack named \`${stack.name}\` on this engine. Start one: pnpm stack up`,
      );
    }
  };

  switch (command) {
    case 'up': {
      const workers = count(values.workers, '--workers');
      await ensurePulled(docker, REDIS_IMAGE);
      const images = await ensureCourseImages(docker, {
        onEvent: (tag, e) => {
          if (e.type === 'step')
            out(chalk.cyan(`${tag}  step ${e.index}/${e.total}  ${e.instruction.slice(0, 70)}`));
          if (e.type === 'cached') out(chalk.dim('  (cached)'));
        },
      });
      for (const image of [images.worker, images.imgq]) {
        out(
          `${image.tag}: ${image.built ? `built in ${(image.ms / 1000).toFixed(1)} s` : 'up to date'}`,
        );
      }
      const interrupted = () => void stack.down().finally(() => process.exit(130));
      process.once('SIGINT', interrupted);
      try {
        await stack.up({ workers });
      } finally {
        process.off('SIGINT', interrupted);
      }
      out(chalk.green(`Stack ${stack.name} is up: Redis + ${workers} worker(s).`));
      out(
        `From the host: REDIS_URL=${await stack.redisUrl()} pnpm --filter @workbook/session05 imgq monitor`,
      );
      return 0;
    }
    case 'produce': {
      await needStack();
      const ids = await stack.produce(arg ?? 'thumbnail');
      out(`Enqueued ${ids.length} task(s).`);
      return 0;
    }
    case 'ps': {
      await needStack();
      for (const c of await stack.ps())
        out(`${c.name.padEnd(28)} ${c.role.padEnd(8)} ${c.state.padEnd(9)} ${c.status}`);
      return 0;
    }
    case 'stats': {
      await needStack();
      for (const c of await stack.stats()) {
        const s = c.stats;
        out(
          `${c.name.padEnd(28)} ${s ? `${s.cpuPercent.toFixed(1).padStart(6)} %  ${formatBytes(s.memoryBytes)}` : '—'}`,
        );
      }
      return 0;
    }
    case 'logs': {
      await needStack();
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        await stack.logs({
          follow: values.follow,
          signal: abort.signal,
          onLine: (line) => out(line),
        });
      } finally {
        process.off('SIGINT', stop);
      }
      return 0;
    }
    case 'scale': {
      await needStack();
      const { started, stopped } = await stack.scale(count(arg, 'scale <n>'));
      for (const s of stopped)
        out(
          `${s.name}: exit ${s.exitCode} after ${(s.ms / 1000).toFixed(1)} s${s.killed ? ' (killed at the timeout)' : ''}`,
        );
      out(`${started.length} started, ${stopped.length} stopped gracefully.`);
      return 0;
    }
    case 'kill': {
      await needStack();
      await stack.kill(`${stack.name}-worker-${count(arg, 'kill <n>')}`);
      return 0;
    }
    case 'down': {
      const removed = await stack.down();
      out(
        `Removed ${removed.containers.length} container(s), ${removed.networks.length} network(s), ${removed.volumes.length} volume(s).`,
      );
      return 0;
    }
    default:
      bad(`Unknown command \`${command}\``);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  // `pnpm stack logs | head`: a closed pipe ends the command quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  try {
    process.exitCode = await stackMain(process.argv.slice(2));
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stderr.write(`${chalk.red(`stack: ${e.code ?? 'ERR_UNEXPECTED'}: ${e.message}`)}\n`);
    process.exitCode = e.code === DockerErrorCodes.BAD_ARGUMENT ? 2 : 1;
  }
}
