/**
 * KEDA's Redis list scaler (`type: redis`), as the KEDA documentation describes it: it reads the
 * length of one list (`LLEN listName`) and
 *
 * - ACTIVATES the workload (0 → 1) when the length is strictly greater than
 *   `activationListLength` (default 0: one waiting task is enough);
 * - feeds the length to the HPA it creates as an External metric with an `AverageValue` target
 *   of `listLength` per replica (default 5), so from 1 to N replicas the HPA converges on
 *   `ceil(length / listLength)`.
 *
 * The list to watch is the queue's real pending list: `reliableKeys(queue).pending`,
 * `imgq:{images}:pending`.
 */
import { checkNumber, describeValue, InvalidOptionError } from '@workbook/session01';
import type { ExternalMetricSpec } from '../hpa/types.ts';

/** `listLength` when the trigger does not set it (KEDA's scaler code; the docs mark it required). */
export const DEFAULT_LIST_LENGTH = 5;
/** `activationListLength` when unset (KEDA docs: "Default: 0, Optional"). */
export const DEFAULT_ACTIVATION_LIST_LENGTH = 0;

/** The `metadata` of a `type: redis` trigger, as written in a ScaledObject (strings in YAML). */
export interface RedisListTriggerMetadata {
  /** Name of the Redis list to watch, e.g. `imgq:{images}:pending`. Required. */
  listName: string;
  /** Target list length per replica. @default "5" */
  listLength?: string | number;
  /** Active (scaled from zero) when the length is greater than this. @default "0" */
  activationListLength?: string | number;
  /** `host:port` of Redis (not used by the model; kept so real metadata parses). */
  address?: string;
  [other: string]: string | number | undefined;
}

/** A checked trigger with its defaults. */
export interface RedisListTrigger {
  listName: string;
  listLength: number;
  activationListLength: number;
}

/**
 * Reads a trigger's metadata like KEDA does: numbers may be strings, unset ones get defaults.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION`: no `listName`, a length that is not a
 * number > 0, an activation length < 0.
 * @example parseRedisListTrigger({ listName: 'imgq:{images}:pending', listLength: '10' })
 * // { listName: 'imgq:{images}:pending', listLength: 10, activationListLength: 0 }
 */
export function parseRedisListTrigger(metadata: RedisListTriggerMetadata): RedisListTrigger {
  if (typeof metadata?.listName !== 'string' || metadata.listName === '') {
    throw new InvalidOptionError(
      `Expected \`metadata.listName\` to be the name of a Redis list, got ${describeValue(metadata?.listName)}`,
    );
  }
  const listLength = checkNumber(
    'metadata.listLength',
    numeric(metadata.listLength ?? DEFAULT_LIST_LENGTH),
    {
      min: Number.MIN_VALUE,
    },
  );
  const activationListLength = checkNumber(
    'metadata.activationListLength',
    numeric(metadata.activationListLength ?? DEFAULT_ACTIVATION_LIST_LENGTH),
    { min: 0 },
  );
  return { listName: metadata.listName, listLength, activationListLength };
}

/**
 * Whether the scaler is active: the length is STRICTLY greater than `activationListLength`
 * (KEDA: "not greater than or equal to"), so with the default 0 one task activates it.
 * @example redisListIsActive(0, trigger) // false; redisListIsActive(1, trigger) // true
 */
export function redisListIsActive(
  length: number,
  trigger: Pick<RedisListTrigger, 'activationListLength'>,
): boolean {
  return length > trigger.activationListLength;
}

/**
 * The replicas the HPA settles on for a list length: `ceil(length / listLength)` (what the
 * AverageValue target means — each replica should have `listLength` items waiting).
 * @example redisListReplicas(12, { listLength: 5 }) // 3
 */
export function redisListReplicas(
  length: number,
  trigger: Pick<RedisListTrigger, 'listLength'>,
): number {
  return Math.ceil(length / trigger.listLength);
}

/**
 * The metric KEDA puts in the HPA it creates for this trigger: External, `AverageValue` of
 * `listLength`, named `s<index>-redis-<list>` like KEDA names it.
 */
export function redisListMetricSpec(trigger: RedisListTrigger, index = 0): ExternalMetricSpec {
  return {
    type: 'External',
    external: {
      metric: { name: `s${index}-redis-${trigger.listName}` },
      target: { type: 'AverageValue', averageValue: trigger.listLength },
    },
  };
}

function numeric(value: string | number): unknown {
  if (typeof value === 'number') return value;
  const trimmed = String(value).trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : value;
}
