import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoNodeArgs, docSummary, findFlagship, listDemos, parseDemoArgs } from '../src/demo.ts';
import { discoverWorkbook } from '../src/exercises.ts';
import { waitFor } from '../src/testkit/index.ts';
import { childEnv } from '../src/vitest-run.ts';
import { FIXTURE_ROOT, FIXTURE_SESSION, gitCopyOfFixture, SLOW_MS } from './helpers.ts';

const workbook = discoverWorkbook(FIXTURE_ROOT);

describe('demo discovery', { timeout: SLOW_MS }, () => {
  it('takes the description from the first doc comment', () => {
    expect(docSummary('/** Says hello.\n * More text. */\nconsole.log(1);')).toBe('Says hello.');
    expect(docSummary('/**\n * Starts on the second line.\n */')).toBe(
      'Starts on the second line.',
    );
    expect(docSummary('// no doc comment')).toBe('');
  });

  it('lists a session’s demos with descriptions', () => {
    const demos = listDemos(workbook.sessions[0]!);
    expect(demos.map((d) => [d.name, d.description])).toEqual([
      ['exit-code', 'Exits with the code given as its first argument.'],
      ['hello', 'Says which target of the switch it loaded.'],
      ['wait-signal', 'Waits for SIGINT or SIGTERM, reports it, and exits 7.'],
    ]);
  });

  it('finds the flagship of the highest-numbered session that has its file', () => {
    using copy = gitCopyOfFixture();
    const second = path.join(copy.root, 'session02-more');
    mkdirSync(path.join(second, 'demos'), { recursive: true });
    const manifest = {
      name: '@fixture/session02',
      workbook: { session: '02', title: 'More', flagship: 'later' },
    };
    writeFileSync(path.join(second, 'package.json'), JSON.stringify(manifest));
    let found = findFlagship(discoverWorkbook(copy.root));
    expect(found.demo?.name).toBe('hello');
    expect(found.skipped).toEqual([
      'session 02 names `later` but demos/later.ts does not exist yet',
    ]);
    writeFileSync(path.join(second, 'demos', 'later.ts'), '/** Later. */\n');
    found = findFlagship(discoverWorkbook(copy.root));
    expect([found.demo?.session.number, found.demo?.name]).toEqual(['02', 'later']);
  });
});

describe('parseDemoArgs', () => {
  it('separates runner options from the demo’s own arguments', () => {
    expect(parseDemoArgs(['--flagship'])).toMatchObject({
      flagship: true,
      name: null,
      target: 'exercise',
    });
    expect(parseDemoArgs(['hello', '--solution', '-n', '3'])).toMatchObject({
      name: 'hello',
      target: 'solution',
      rest: ['-n', '3'],
    });
    expect(parseDemoArgs(['hello', '--', '--solution'])).toMatchObject({
      target: 'exercise',
      rest: ['--solution'],
    });
  });

  it('passes the solution condition and the switch loader to node', () => {
    const demo = listDemos(workbook.sessions[0]!).find((d) => d.name === 'hello')!;
    const args = demoNodeArgs(demo, 'solution', ['x']);
    expect(args).toContain('--conditions=solution');
    expect(args.some((a) => a.endsWith(path.join('src', 'switch-register.ts')))).toBe(true);
    expect(args.slice(-2)).toEqual([demo.file, 'x']);
    expect(demoNodeArgs(demo, 'exercise', [])).not.toContain('--conditions=solution');
  });
});

describe('the demo runner (child processes on the fixture workbook)', { timeout: SLOW_MS }, () => {
  const runner = new URL('../src/demo.ts', import.meta.url).href;
  const start = (argv: string[], cwd: string) => {
    const script =
      `const { demoMain } = await import(${JSON.stringify(runner)});` +
      `process.exitCode = await demoMain(${JSON.stringify(argv)}, ${JSON.stringify(FIXTURE_ROOT)}, ${JSON.stringify(cwd)});`;
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
      {
        env: { ...childEnv(), NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const done = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    return { child, done, output: () => out };
  };

  it('runs the root flagship, saying which, on the reference with --solution', async () => {
    const run = start(['--flagship', '--solution'], FIXTURE_ROOT);
    expect(await run.done).toBe(0);
    expect(run.output()).toContain('▶ Flagship demo of session 01 (Fixture basics): hello');
    expect(run.output()).toContain('hello from solution');
  });

  it('forwards the demo’s exit code and lists the demos for an unknown name', async () => {
    expect(await start(['exit-code', '3'], FIXTURE_SESSION).done).toBe(3);
    const unknown = start(['nope'], FIXTURE_SESSION);
    expect(await unknown.done).toBe(1);
    expect(unknown.output()).toContain('Session 01 has no demo named `nope`. Its demos:');
    expect(unknown.output()).toContain('wait-signal');
  });

  it('forwards SIGTERM to the demo once', async () => {
    const run = start(['wait-signal'], FIXTURE_SESSION);
    await waitFor(() => run.output().includes('ready'), {
      timeoutMs: 20_000,
      message: 'demo never started',
    });
    run.child.kill('SIGTERM');
    expect(await run.done).toBe(7);
    expect(run.output().match(/got SIGTERM/g)).toHaveLength(1);
  });
});
