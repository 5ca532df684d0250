import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive, sweepStaleRedisDirs } from '../src/testkit/redis-dirs.ts';
import { waitFor } from '../src/testkit/wait-for.ts';
import { childEnv } from '../src/vitest-run.ts';
import { SLOW_MS, tempDir } from './helpers.ts';

const REDIS = fileURLToPath(new URL('../src/testkit/redis.ts', import.meta.url));

/** A Node process that starts a test-kit Redis with TMPDIR=`tmp`, prints its folder, and waits. */
async function ownerOfARedis(tmp: string): Promise<{ child: ChildProcess; dir: string }> {
  const script = `const { startRedis } = await import(${JSON.stringify(REDIS)});
const redis = await startRedis();
console.log(redis.dir);
setInterval(() => {}, 1000);`;
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
    { env: { ...childEnv(), TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const dir = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the owner exited with ${code}`)));
  });
  return { child, dir };
}

function serverPid(dir: string): number {
  return Number(readFileSync(path.join(dir, 'server.pid'), 'utf8'));
}

describe('test-kit Redis folders (real processes)', { timeout: SLOW_MS }, () => {
  it('are removed, server and all, when their owner is ended by SIGTERM', async () => {
    using tmp = tempDir();
    const { child, dir } = await ownerOfARedis(tmp.dir);
    expect(path.basename(dir)).toMatch(new RegExp(`^workbook-redis-${child.pid}-`));
    const server = serverPid(dir);
    expect(isAlive(server)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(existsSync(dir)).toBe(false);
    await waitFor(() => !isAlive(server), {
      timeoutMs: 10_000,
      message: 'redis-server still runs',
    });
  });

  it('left by an owner ended with SIGKILL are swept, server and all, at the next start-up', async () => {
    using tmp = tempDir();
    const { child, dir } = await ownerOfARedis(tmp.dir);
    const server = serverPid(dir);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(dir)).toBe(true);
    // A folder of a live owner (this process) is left alone.
    const mine = path.join(tmp.dir, `workbook-redis-${process.pid}-abcdef`);
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'server.pid'), String(process.pid));
    // Folders named before they carried their owner: a minute-old unused one goes, a fresh one stays.
    const unnamedOld = path.join(tmp.dir, 'workbook-redis-Ab12Cd');
    const unnamedNew = path.join(tmp.dir, 'workbook-redis-Ef34Gh');
    mkdirSync(unnamedOld);
    mkdirSync(unnamedNew);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(unnamedOld, hourAgo, hourAgo);
    expect(sweepStaleRedisDirs(tmp.dir).sort()).toEqual([dir, unnamedOld].sort());
    expect(
      readdirSync(tmp.dir)
        .filter((n) => n.startsWith('workbook-redis-'))
        .sort(),
    ).toEqual([path.basename(unnamedNew), path.basename(mine)].sort());
    await waitFor(() => !isAlive(server), {
      timeoutMs: 10_000,
      message: 'redis-server still runs',
    });
  });
});
