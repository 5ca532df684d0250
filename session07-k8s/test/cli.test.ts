/**
 * `k8s` in process (captured output) and as a real process: check's exit codes and JSON,
 * diff, tree, bad arguments, and deploy without a cluster (a clear message, no stack trace,
 * quickly: an empty kubeconfig and a short request timeout).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runK8s } from '../src/index.ts';
import { SESSION_DIR } from './helpers.ts';

let tmp: string;
let emptyKubeconfig: string;
let closedKubeconfig: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 's07-cli-'));
  emptyKubeconfig = path.join(tmp, 'empty');
  writeFileSync(emptyKubeconfig, '');
  // A cluster entry whose server refuses connections at once (port 1 on loopback).
  closedKubeconfig = path.join(tmp, 'closed');
  writeFileSync(
    closedKubeconfig,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n' +
      'users: [{name: u, user: {}}]\ncontexts: [{name: gone, context: {cluster: c, user: u}}]\ncurrent-context: gone\n',
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function k8s(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  };
  const code = await runK8s(argv, { cwd: SESSION_DIR, env, io });
  return { code, stdout, stderr };
}

describe('k8s (in process)', () => {
  it('check of every overlay exits 0; --json gives the counts, the objects and the timings', async () => {
    const result = await k8s(['check', '--json']);
    expect(result.code, result.stdout).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 0 });
    expect(report.targets.map((t: { target: string }) => t.target)).toEqual([
      'k8s/overlays/dev',
      'k8s/overlays/prod',
    ]);
    expect(report.targets[0].renderMs).toBeGreaterThan(0);
  }, 60_000);

  it('check of a broken manifest exits 1 and prints file:line, rule, problem and fix', async () => {
    const result = await k8s(['check', 'k8s/broken/image-tag-pinned']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✖ k8s/broken/image-tag-pinned/kustomization.yaml:9:5  image-tag-pinned',
    );
    expect(result.stdout).toContain('uses image `imgq-worker:latest`');
    expect(result.stdout).toMatch(/fix: Pin a version/);
    expect(result.stdout).toContain('1 error(s)');
  }, 60_000);

  it('overlay names work for diff and tree', async () => {
    const diff = await k8s(['diff', 'dev', 'prod']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('spec.replicas: 1 → 3');
    expect(diff.stdout).toContain('+ PodDisruptionBudget imgq/imgq-worker  (only in prod)');
    const tree = await k8s(['tree', 'prod']);
    expect(tree.stdout).toContain('└─ ReplicaSet imgq-worker-<hash>');
  }, 60_000);

  it('a bad command line exits 2 with the reason and the usage', async () => {
    for (const argv of [['chekc'], ['check', '--jsno'], ['diff', 'dev'], ['deploy']]) {
      const result = await k8s(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^k8s: ERR_BAD_ARGUMENT: /);
      expect(result.stderr).toContain('Usage: pnpm k8s <command>');
    }
  });

  it('a path that does not exist is a clear error, not a crash', async () => {
    const result = await k8s(['check', 'k8s/overlays/staging']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ERR_MANIFESTS_NOT_FOUND');
  });

  it('deploy to a cluster that refuses connections: ERR_NO_CLUSTER naming the context, with the way out', async () => {
    const result = await k8s(['deploy', '--overlay', 'dev', '--request-timeout', '2s'], {
      ...process.env,
      KUBECONFIG: closedKubeconfig,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^k8s: ERR_NO_CLUSTER: kubectl reaches no Kubernetes cluster \(context `gone`\)/,
    );
    expect(result.stderr).toContain('kind create cluster');
    expect(result.stderr).toContain('`pnpm k8s check` needs no cluster');
  }, 60_000);
});

describe('k8s (the real process)', () => {
  it('deploy without a cluster exits 1 with the message and no stack trace (and does not hang)', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(SESSION_DIR, 'src/cli/k8s.ts'),
        'deploy',
        '--overlay',
        'dev',
        '--request-timeout',
        '2s',
      ],
      {
        cwd: SESSION_DIR,
        env: { ...process.env, KUBECONFIG: emptyKubeconfig, FORCE_COLOR: '0' },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain('ERR_NO_CLUSTER');
    expect(result.stderr).toContain('minikube start');
    expect(result.stderr, '🚨 no stack trace').not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  }, 120_000);
});
