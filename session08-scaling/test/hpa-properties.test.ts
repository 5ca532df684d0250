/**
 * Properties of the HPA over random specs and random histories (fast-check): whatever the
 * metrics do, the replica count stays within [min, max], and it never changes faster than the
 * policies allow.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HpaScalingPolicy,
  type HpaSpec,
  type HpaState,
  hpaStep,
  resolveHpaSpec,
  scaleDownLimit,
  scaleUpLimit,
} from '../src/index.ts';
import { external } from './helpers.ts';

const policy = fc.record({
  type: fc.constantFrom<HpaScalingPolicy['type']>('Pods', 'Percent'),
  value: fc.integer({ min: 1, max: 200 }),
  periodSeconds: fc.integer({ min: 1, max: 120 }),
});
const scalingRules = fc.record({
  stabilizationWindowSeconds: fc.integer({ min: 0, max: 120 }),
  selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
  policies: fc.array(policy, { minLength: 1, maxLength: 3 }),
});
const spec = fc
  .record({
    min: fc.integer({ min: 0, max: 10 }),
    extra: fc.integer({ min: 0, max: 30 }),
    scaleUp: scalingRules,
    scaleDown: scalingRules,
  })
  .map(
    ({ min, extra, scaleUp, scaleDown }): HpaSpec => ({
      minReplicas: min,
      maxReplicas: Math.max(1, min + extra),
      metrics: [external('queue', { averageValue: 5 })],
      behavior: { scaleUp, scaleDown },
    }),
  );
/** A history: the queue length and the seconds since the previous sync, for each sync. */
const history = fc.array(
  fc.record({ length: fc.integer({ min: 0, max: 500 }), gap: fc.integer({ min: 1, max: 40 }) }),
  {
    minLength: 1,
    maxLength: 40,
  },
);

describe('properties over random specs and histories', () => {
  it('the replica count always lies within [minReplicas, maxReplicas] and is a whole number', () => {
    fc.assert(
      fc.property(spec, history, fc.integer({ min: 0, max: 40 }), (s, steps, start) => {
        const resolved = resolveHpaSpec(s);
        let current = Math.min(Math.max(start, resolved.minReplicas), resolved.maxReplicas);
        let state: HpaState | undefined;
        let now = 0;
        for (const { length, gap } of steps) {
          now += gap * 1000;
          const result = hpaStep(
            s,
            state,
            { currentReplicas: current, metrics: [{ value: length }] },
            now,
          );
          state = result.state;
          current = result.decision.desiredReplicas;
          expect(Number.isInteger(current), '🚨 replicas are whole pods').toBe(true);
          expect(current, '🚨 never below minReplicas').toBeGreaterThanOrEqual(
            resolved.minReplicas,
          );
          expect(current, '🚨 never above maxReplicas').toBeLessThanOrEqual(resolved.maxReplicas);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('each step changes the count no faster than the policies allow at that moment', () => {
    fc.assert(
      fc.property(spec, history, (s, steps) => {
        const resolved = resolveHpaSpec(s);
        let current = resolved.minReplicas === 0 ? 1 : resolved.minReplicas;
        let state: HpaState | undefined;
        let now = 0;
        for (const { length, gap } of steps) {
          now += gap * 1000;
          const before = state ?? { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
          const { decision, state: next } = hpaStep(
            s,
            state,
            { currentReplicas: current, metrics: [{ value: length }] },
            now,
          );
          const { scaleUpEvents: up, scaleDownEvents: down } = before;
          if (decision.desiredReplicas > current) {
            const limit = scaleUpLimit(current, up, down, resolved.behavior.scaleUp, now);
            expect(decision.desiredReplicas).toBeLessThanOrEqual(Math.max(current, limit));
          } else if (decision.desiredReplicas < current) {
            const limit = scaleDownLimit(current, up, down, resolved.behavior.scaleDown, now);
            expect(decision.desiredReplicas).toBeGreaterThanOrEqual(Math.min(current, limit));
          }
          state = next;
          current = decision.desiredReplicas;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('one Pods policy of v per p seconds: pods added within any p-second window never exceed v', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 5, max: 90 }),
        history,
        (v, p, steps) => {
          const s: HpaSpec = {
            minReplicas: 1,
            maxReplicas: 200,
            metrics: [external('queue', { averageValue: 1 })],
            behavior: {
              scaleUp: { policies: [{ type: 'Pods', value: v, periodSeconds: p }] },
              scaleDown: { selectPolicy: 'Disabled' },
            },
          };
          let current = 1;
          let state: HpaState | undefined;
          let now = 0;
          const added: Array<{ at: number; n: number }> = [];
          for (const { length, gap } of steps) {
            now += gap * 1000;
            const result = hpaStep(
              s,
              state,
              { currentReplicas: current, metrics: [{ value: length }] },
              now,
            );
            if (result.decision.desiredReplicas > current)
              added.push({ at: now, n: result.decision.desiredReplicas - current });
            state = result.state;
            current = result.decision.desiredReplicas;
            const inWindow = added
              .filter((a) => a.at > now - p * 1000)
              .reduce((sum, a) => sum + a.n, 0);
            expect(inWindow, `🚨 at most ${v} pods per ${p} s`).toBeLessThanOrEqual(v);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with no behavior limits the HPA reaches ceil(length / target) in one step (KEDA’s formula)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 10 }),
        (current, length, target) => {
          const s: HpaSpec = {
            minReplicas: 1,
            maxReplicas: 1000,
            metrics: [external('queue', { averageValue: target })],
            behavior: {
              scaleUp: { policies: [{ type: 'Pods', value: 1000, periodSeconds: 1 }] },
              scaleDown: {
                stabilizationWindowSeconds: 0,
                policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }],
              },
            },
          };
          const { decision } = hpaStep(
            s,
            undefined,
            { currentReplicas: current, metrics: [{ value: length }] },
            0,
          );
          const ideal = Math.max(1, Math.ceil(length / target));
          const ratio = length / (target * current);
          const expected = Math.abs(1 - ratio) <= 0.1 ? current : ideal;
          expect(decision.desiredReplicas).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
