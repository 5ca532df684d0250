/**
 * Shared by the session's tests: where things are, and the `# ✗ rule-id` markers that the
 * known-bad manifests carry on the line each finding must point at.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The session package folder. */
export const SESSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The manifests of the session. */
export const K8S_DIR = path.join(SESSION_DIR, 'k8s');
/** One folder per rule (and per validator stage) with a known-bad manifest. */
export const BROKEN_DIR = path.join(K8S_DIR, 'broken');
/** Test fixtures (the Kubernetes documentation's examples, re-typed). */
export const FIXTURES_DIR = path.join(SESSION_DIR, 'test', 'fixtures');

/** A line a finding must point at. */
export interface Marker {
  rule: string;
  file: string;
  line: number;
}

/** The `# ✗ id[, id]` markers of every YAML file in `dir`. */
export function markers(dir: string): Marker[] {
  const out: Marker[] = [];
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
    const file = path.join(dir, name);
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        const match = /#\s*✗\s*(.+)$/.exec(text);
        if (!match) return;
        for (const rule of match[1]!.split(','))
          out.push({ rule: rule.trim(), file, line: index + 1 });
      });
  }
  return out;
}

/** The folders of `k8s/broken/`. */
export function brokenCases(): string[] {
  return readdirSync(BROKEN_DIR).sort();
}
