/** The engine API with dockerode: version, a build context, a build with decoded progress and a failing step, a container's demultiplexed logs. */
import {
  type BuildFailedError,
  buildImage,
  checkEngine,
  connectEngine,
  prefixLine as coursePrefixLine,
  DOCKERFILE,
  demuxLogs,
  NODE_BASE_IMAGE,
  packContext,
  packTar,
  REPO_ROOT,
  RUN_LABEL,
  removeLabelled,
} from '@workbook/session06';
import { done, runMain, step, title, warn } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
// Exercise 06.3 (your code): prefixLine. The demo falls back to the course's while it is a TODO.
import { prefixLine } from '#ex/03-demux-logs/demux.ts';

const RUN = `basics-${process.pid}`;

await runMain(async () => {
  title('Session 06 · Talking to the Docker engine with dockerode');
  const docker = connectEngine();
  const engine = await checkEngine(docker);
  step(
    `GET /version → Docker ${engine.version}, API ${engine.apiVersion}, ${engine.os}/${engine.arch} at ${engine.endpoint}`,
  );

  const context = packContext({ root: REPO_ROOT, dockerfile: DOCKERFILE });
  step(
    `build context of the repository, filtered by .dockerignore: ${context.files.length} files, ${(context.bytes / 1e6).toFixed(1)} MB (digest ${context.digest.slice(0, 12)})`,
  );

  step(
    'a build whose third step fails: the engine reports it as an event, the library as an error',
  );
  try {
    await buildImage(docker, {
      context: packTar([
        {
          name: 'Dockerfile',
          data: `FROM ${NODE_BASE_IMAGE}\nRUN node --version\nRUN echo "missing tool" >&2 && exit 3\n`,
        },
      ]),
      onEvent: (e) => {
        if (e.type === 'step')
          console.log(chalk.dim(`  step ${e.index}/${e.total}: ${e.instruction}`));
        if (e.type === 'output') console.log(chalk.dim(`    ${e.line}`));
      },
    });
  } catch (error) {
    const failure = error as BuildFailedError;
    warn(
      `${failure.code} at step ${failure.step.index}/${failure.step.total}: ${failure.step.instruction}`,
    );
  }

  step('a container without a TTY: stdout and stderr arrive multiplexed in frames');
  const container = await docker.createContainer({
    Image: NODE_BASE_IMAGE,
    Cmd: [
      'node',
      '-e',
      "console.log('hello from stdout'); console.error('and from stderr'); console.log('bye')",
    ],
    Tty: false,
    Labels: { [RUN_LABEL]: RUN },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const raw = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    console.log(
      chalk.dim(
        `  ${raw.length} bytes, starting ${[...raw.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')} (header: stream, 0 0 0, length)`,
      ),
    );
    let prefix = (name: string, stream: 'stdout' | 'stderr', text: string) =>
      prefixLine(name, 12, stream, text);
    try {
      prefix('probe', 'stdout', '');
      console.log(chalk.dim('  (prefixes by your prefixLine, exercise 06.3)'));
    } catch {
      prefix = (name, stream, text) => coursePrefixLine(name, { stream, text }, chalk.cyan, 12);
      console.log(chalk.dim("  (exercise 06.3 not solved yet: the course's prefixLine)"));
    }
    for (const line of demuxLogs(raw)) console.log(`  ${prefix('hello', line.stream, line.text)}`);
    done(`exit code ${StatusCode}`);
  } finally {
    const removed = await removeLabelled(docker, `${RUN_LABEL}=${RUN}`);
    done(`removed by label: ${removed.containers.length} container(s)`);
  }
});
