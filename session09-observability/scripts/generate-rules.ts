/** Writes the rules files generated from src/rules.ts (`pnpm rules:generate`). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedRuleFiles } from '../src/rules.ts';

const session = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
for (const [file, text] of Object.entries(generatedRuleFiles())) {
  writeFileSync(path.join(session, file), text);
  process.stdout.write(`wrote ${file}\n`);
}
