/**
 * No password in git: a secret env file is created on first use from its committed
 * `.example`, with random values, and never overwritten.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSecretFile, renderTarget } from '../src/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 's07-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secret env files', () => {
  it('are created from the .example with a random value for each empty key, mode 600', () => {
    writeFileSync(
      path.join(dir, 'redis.env.example'),
      '# comment\nREDIS_PASSWORD=\nREDIS_USER=default\n',
    );
    const created: string[] = [];
    expect(
      ensureSecretFile(path.join(dir, 'redis.env'), { onCreated: (f) => created.push(f) }),
    ).toBe(true);
    const text = readFileSync(path.join(dir, 'redis.env'), 'utf8');
    expect(text).toMatch(/^# comment\nREDIS_PASSWORD=[0-9a-f]{48}\nREDIS_USER=default\n$/);
    expect(statSync(path.join(dir, 'redis.env')).mode & 0o777).toBe(0o600);
    expect(created).toEqual([path.join(dir, 'redis.env')]);
  });

  it('are never overwritten, and nothing is created without an example or when told not to', () => {
    writeFileSync(path.join(dir, 'redis.env.example'), 'REDIS_PASSWORD=\n');
    writeFileSync(path.join(dir, 'redis.env'), 'REDIS_PASSWORD=mine\n');
    expect(ensureSecretFile(path.join(dir, 'redis.env'))).toBe(false);
    expect(readFileSync(path.join(dir, 'redis.env'), 'utf8')).toBe('REDIS_PASSWORD=mine\n');
    expect(ensureSecretFile(path.join(dir, 'other.env'))).toBe(false);
    rmSync(path.join(dir, 'redis.env'));
    expect(ensureSecretFile(path.join(dir, 'redis.env'), { createMissingSecrets: false })).toBe(
      false,
    );
    expect(existsSync(path.join(dir, 'redis.env'))).toBe(false);
  });

  it('a kustomization with a secretGenerator renders on a fresh copy (the file is made first)', async () => {
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'secretGenerator:\n  - name: s\n    envs: [redis.env]\n',
    );
    writeFileSync(path.join(dir, 'redis.env.example'), 'REDIS_PASSWORD=\n');
    const rendered = await renderTarget(dir);
    expect(rendered.created).toEqual([path.join(dir, 'redis.env')]);
    expect(rendered.objects).toHaveLength(1);
    await expect(renderTarget(dir)).resolves.toMatchObject({ created: [] });
  });
});
