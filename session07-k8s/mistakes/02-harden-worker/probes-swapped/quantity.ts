import { fileURLToPath } from 'node:url';

/** This folder: the checks render it with `kubectl kustomize` (edit deployment.yaml here). */
export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));

const MULTIPLIERS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

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
  if (typeof quantity === 'number') return quantity;
  const match =
    /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE])?)$/.exec(quantity);
  if (!match) return Number.NaN;
  const number = Number(match[1]);
  if (match[2] !== undefined) return number * 10 ** Number(match[2]);
  return number * MULTIPLIERS[match[3] ?? '']!;
}
