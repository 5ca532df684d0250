#!/usr/bin/env tsx
/**
 * `pnpm --filter @workbook/session09 k8s:check [target...]`: session 07's checker with the
 * Prometheus Operator's schemas, on k8s/monitoring by default.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatReport } from '@workbook/session07';
import { checkMonitoring } from '../k8s-check.ts';

const session = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const targets = process.argv.slice(2);
const report = await checkMonitoring(
  targets.length ? targets : [path.join(session, 'k8s/monitoring')],
);
process.stdout.write(`${formatReport(report)}\n`);
process.exitCode = report.errors > 0 ? 1 : 0;
