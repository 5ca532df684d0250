/**
 * Kubernetes quantities (`250m`, `1.5`, `512Mi`, `1e3`) as numbers, so that requests and
 * limits can be compared: `250m` of CPU is 0.25 cores, `512Mi` is 536 870 912 bytes.
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * The value of a quantity in base units (cores, bytes), or `NaN` when it is not one.
 * @example parseQuantity('250m') // 0.25
 * @example parseQuantity('512Mi') // 536870912
 * @example parseQuantity('2 cores') // NaN
 */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return Number.isFinite(quantity) ? quantity : Number.NaN;
  const match = QUANTITY.exec(quantity.trim() === quantity ? quantity : '');
  if (!match) return Number.NaN;
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  return number * (BINARY[suffix] ?? DECIMAL[suffix]!);
}
