/**
 * The course rules, in the order the README lists them. `DEFAULT_RULES` is what `k8s check`
 * runs; later sessions pass `[...DEFAULT_RULES, ...theirs]` (or `extraRules`).
 */
import { CONFIG_RULES } from './config.ts';
import { CONTAINER_RULES } from './containers.ts';
import { METADATA_RULES } from './metadata.ts';
import type { Rule } from './rule.ts';
import { SECURITY_RULES } from './security.ts';
import { SELECTION_RULES } from './selection.ts';

/** Every course rule of session 07. */
export const DEFAULT_RULES: readonly Rule[] = [
  ...SELECTION_RULES,
  ...CONTAINER_RULES,
  ...SECURITY_RULES,
  ...CONFIG_RULES,
  ...METADATA_RULES,
];
