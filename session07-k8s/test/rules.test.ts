/**
 * Every course rule is caught on a known-bad manifest, with its id and the right source file
 * and line: `k8s/broken/<rule-id>/` holds the real system with one typical mistake, and the
 * `# ✗ rule-id` comment marks the line the finding must name (often an overlay patch, an
 * `images:` entry or a JSON 6902 operation, not the base the mistake was applied to).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckReport, checkTargets, DEFAULT_RULES, STAGES } from '../src/index.ts';
import { BROKEN_DIR, brokenCases, markers } from './helpers.ts';

let report: CheckReport;
beforeAll(async () => {
  report = await checkTargets(brokenCases().map((name) => path.join(BROKEN_DIR, name)));
}, 180_000);

function findingsOf(name: string) {
  const target = report.targets.find((t) => t.target === path.join(BROKEN_DIR, name));
  if (!target) throw new Error(`no report for ${name}`);
  return target.findings;
}

describe('known-bad manifests', () => {
  it('every known-bad case renders (the mistake is in the manifests, not in the kustomization)', () => {
    const failed = report.targets
      .filter((t) => t.mode === 'failed')
      .map((t) => `${t.target}: ${t.findings[0]?.message}`);
    expect(failed, '🚨 a broken case must still render with kubectl kustomize').toEqual([]);
  });

  it('there is one case per default rule, and no case without a rule', () => {
    const ids = new Set<string>([
      ...DEFAULT_RULES.map((r) => r.id),
      STAGES.SCHEMA,
      STAGES.UNKNOWN_FIELD,
    ]);
    const cases = brokenCases();
    expect(
      cases.filter((c) => c !== 'schema-errors' && !ids.has(c)),
      '🚨 stray folders in k8s/broken',
    ).toEqual([]);
    expect(
      DEFAULT_RULES.map((r) => r.id).filter((id) => !cases.includes(id)),
      '🚨 rules without a known-bad case',
    ).toEqual([]);
    expect(new Set(DEFAULT_RULES.map((r) => r.id)).size, '🚨 rule ids are unique').toBe(
      DEFAULT_RULES.length,
    );
  });

  it.each(DEFAULT_RULES.map((rule) => [rule.id, rule.severity] as const))(
    '%s is caught at the marked source line',
    (id, severity) => {
      const expected = markers(path.join(BROKEN_DIR, id)).filter((m) => m.rule === id);
      expect(expected.length, `🚨 k8s/broken/${id} needs a "# ✗ ${id}" marker`).toBeGreaterThan(0);
      const findings = findingsOf(id);
      for (const marker of expected) {
        const hit = findings.find(
          (f) => f.rule === id && f.file === marker.file && f.line === marker.line,
        );
        const seen = findings.map(
          (f) => `${f.rule} ${path.relative(BROKEN_DIR, f.file)}:${f.line}`,
        );
        expect(
          hit,
          `🚨 expected ${id} at ${path.relative(BROKEN_DIR, marker.file)}:${marker.line}; found ${seen.join('; ') || 'nothing'}`,
        ).toBeDefined();
        expect(hit!.severity).toBe(severity);
        expect(hit!.message.length, '🚨 a finding says what is wrong').toBeGreaterThan(20);
        expect(hit!.fix.length, '🚨 and how to fix it').toBeGreaterThan(20);
      }
    },
  );

  it('schema errors (wrong type, bad quantity, missing required field) point at their lines', () => {
    const findings = findingsOf('schema-errors').filter((f) => f.rule === STAGES.SCHEMA);
    const lines = markers(path.join(BROKEN_DIR, 'schema-errors')).map((m) => m.line);
    expect(findings.map((f) => f.line).sort((a, b) => a - b)).toEqual(lines);
    expect(findings.map((f) => f.message)).toEqual([
      '`replicas` must be an integer, got `two` (string)',
      '`cpu` must be a quantity, got `2 cores` (string)',
      'required field `name` is missing',
    ]);
    expect(findings[1]!.fix, '🚨 the quantity fix shows real quantities').toMatch(/250m.*256Mi/);
  });

  it('unknown fields in an overlay patch point at the patch, with the field that was meant', () => {
    const findings = findingsOf('unknown-field').filter((f) => f.rule === STAGES.UNKNOWN_FIELD);
    const marked = markers(path.join(BROKEN_DIR, 'unknown-field'));
    expect(findings.map((f) => [path.basename(f.file), f.line])).toEqual(
      marked.map((m) => [path.basename(m.file), m.line]),
    );
    expect(findings[0]).toMatchObject({
      path: 'spec.replica',
      object: { kind: 'Deployment', name: 'imgq-worker' },
    });
    expect(findings[0]!.fix).toMatch(/Did you mean `replicas`\?/);
    expect(findings[1]!.fix).toMatch(/Did you mean `scheme`\?/);
  });
});
