import { fileURLToPath } from 'node:url';

/** This folder: the checks render it with `kubectl kustomize` (edit deployment.yaml here). */
export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * The value of a Kubernetes quantity in base units — cores for CPU, bytes for memory — so
 * that a request can be compared with its limit. `NaN` when the text is not a quantity.
 *
 * @example parseQuantity('250m')  // 0.25 (a quarter of a core)
 * @example parseQuantity('512Mi') // 536870912
 * @example parseQuantity('1G')    // 1000000000
 * @example parseQuantity('2 cores') // NaN
 */
export function parseQuantity(quantity: string | number): number {
  // 🐨 1. A number is already a quantity.
  // 🐨 2. A string is a number (`1`, `0.5`, `.5`) followed by at most one suffix:
  //       binary Ki Mi Gi Ti Pi Ei (powers of 1024), decimal m k M G T P E (powers of 1000;
  //       `m` is a thousandth), or an exponent `e3` / `E-2`. Nothing else: no spaces.
  // 💰 One regular expression for the shape, then a lookup table of multipliers.
  void quantity;
  throw new Error('🐨 TODO (07.2): turn a Kubernetes quantity into a number');
}
