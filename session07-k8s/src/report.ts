/**
 * Printing a check: for people (colour, grouped by target, `file:line` first so terminals and
 * editors make it a link) and for tools (`--json`: one object, stable field names).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Chalk } from 'chalk';
import type { Rule } from './rules/rule.ts';
import type { CheckReport, Finding } from './validator.ts';

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /** Paths are shown relative to this folder. @default process.cwd() */
  cwd?: string;
  /** Use ANSI colours. @default false */
  color?: boolean;
}

/**
 * The text of line `line` (1-based) of `file`, or `null` when the file cannot be read.
 * @example sourceLine('k8s/overlays/prod/kustomization.yaml', 8) // 'namespace: imgq'
 */
export function sourceLine(file: string, line: number): string | null {
  if (!path.isAbsolute(file) || !existsSync(file)) return null;
  return readFileSync(file, 'utf8').split('\n')[line - 1] ?? null;
}

/** `k8s/overlays/dev/kustomization.yaml:12:5`, relative to `cwd`. */
export function findingLocation(finding: Finding, cwd = process.cwd()): string {
  const file = path.isAbsolute(finding.file)
    ? path.relative(cwd, finding.file) || finding.file
    : finding.file;
  return `${file}:${finding.line}:${finding.column}`;
}

/**
 * The report as text: one block per finding, then one line per target and the totals.
 * @example process.stdout.write(formatReport(report, { color: process.stdout.isTTY }));
 */
export function formatReport(report: CheckReport, options: FormatOptions = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const cwd = options.cwd ?? process.cwd();
  const lines: string[] = [];
  for (const target of report.targets) {
    for (const created of target.created) {
      lines.push(
        c.cyan(
          `ℹ created ${path.relative(cwd, created)} from its .example with a random password (git-ignored)`,
        ),
      );
    }
  }
  for (const target of report.targets) {
    for (const f of target.findings) {
      const mark = f.severity === 'error' ? c.red('✖') : c.yellow('⚠');
      const id = f.severity === 'error' ? c.red(f.rule) : c.yellow(f.rule);
      lines.push(`${mark} ${c.bold(findingLocation(f, cwd))}  ${id}`);
      const excerpt = sourceLine(f.file, f.line);
      if (excerpt !== null)
        lines.push(c.dim(`  ${String(f.line).padStart(4)} │ `) + excerpt.trimEnd());
      const where = f.object.kind
        ? `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`
        : target.target;
      lines.push(`    ${f.message}`);
      lines.push(`    ${c.green('fix:')} ${f.fix}`);
      lines.push(
        c.dim(
          `    in ${where}${f.path ? `, field ${f.path}` : ''} (rendered from ${target.target})`,
        ),
      );
    }
  }
  if (lines.length > 0) lines.push('');
  for (const target of report.targets) {
    const errors = target.findings.filter((f) => f.severity === 'error').length;
    const warnings = target.findings.length - errors;
    const mark = errors ? c.red('✖') : warnings ? c.yellow('⚠') : c.green('✔');
    const counts = [
      errors ? c.red(`${errors} error(s)`) : '',
      warnings ? c.yellow(`${warnings} warning(s)`) : '',
    ]
      .filter(Boolean)
      .join(', ');
    const how =
      target.mode === 'kustomize'
        ? 'kustomize'
        : target.mode === 'files'
          ? 'files'
          : 'not rendered';
    lines.push(
      `${mark} ${c.bold(target.target.padEnd(24))} ${String(target.objects.length).padStart(3)} objects (${how})  ${counts || c.green('no findings')}` +
        c.dim(
          `  render ${Math.round(target.renderMs)} ms, checks ${Math.round(target.checkMs)} ms`,
        ),
    );
  }
  const total = report.targets.reduce((n, t) => n + t.objects.length, 0);
  const verdict = report.errors
    ? c.red.bold(`${report.errors} error(s)`)
    : c.green.bold('0 errors');
  lines.push(
    `${verdict}, ${report.warnings} warning(s) in ${total} objects of ${report.targets.length} target(s), ${Math.round(report.durationMs)} ms`,
  );
  return `${lines.join('\n')}\n`;
}

/** The report for tools: findings with paths relative to `cwd`, per-target counts and times. */
export function reportJson(report: CheckReport, cwd = process.cwd()): unknown {
  return {
    ok: report.errors === 0,
    errors: report.errors,
    warnings: report.warnings,
    durationMs: Math.round(report.durationMs),
    targets: report.targets.map((t) => ({
      target: t.target,
      mode: t.mode,
      objects: t.objects.map((o) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: (o.metadata as { name?: string })?.name,
      })),
      renderMs: Math.round(t.renderMs),
      checkMs: Math.round(t.checkMs),
      created: t.created.map((f) => path.relative(cwd, f)),
      findings: t.findings.map((f) => ({
        ...f,
        file: path.isAbsolute(f.file) ? path.relative(cwd, f.file) : f.file,
      })),
    })),
  };
}

/** The rules as a table: id, severity, title. */
export function formatRules(rules: readonly Rule[], options: { color?: boolean } = {}): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const width = Math.max(...rules.map((r) => r.id.length));
  return `${rules.map((r) => `${c.bold(r.id.padEnd(width))}  ${(r.severity === 'error' ? c.red : c.yellow)(r.severity.padEnd(7))}  ${r.title}`).join('\n')}\n`;
}
