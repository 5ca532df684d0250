/** Label selectors and quantities: the two small languages the rules depend on. */
import { describe, expect, it } from 'vitest';
import {
  describeSelector,
  imageRepository,
  imageTag,
  matchesLabels,
  matchesSelector,
  parseQuantity,
  variableReferences,
} from '../src/index.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front' };

  it('matchLabels needs every pair; an empty LabelSelector matches all, an empty Service selector nothing', () => {
    expect(matchesSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesLabels({}, labels)).toBe(false);
    expect(matchesLabels({ tier: 'front' }, labels)).toBe(true);
  });

  it('matchExpressions: In, NotIn (true when absent), Exists, DoesNotExist, unknown operators fail', () => {
    const expr = (operator: string, values?: string[], key = 'tier') => ({
      matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
    });
    expect(matchesSelector(expr('In', ['front', 'api']), labels)).toBe(true);
    expect(matchesSelector(expr('In', ['api']), labels)).toBe(false);
    expect(matchesSelector(expr('NotIn', ['db']), labels)).toBe(true);
    expect(matchesSelector(expr('NotIn', ['db'], 'zone'), labels)).toBe(true);
    expect(matchesSelector(expr('NotIn', ['front']), labels)).toBe(false);
    expect(matchesSelector(expr('Exists'), labels)).toBe(true);
    expect(matchesSelector(expr('DoesNotExist'), labels)).toBe(false);
    expect(matchesSelector(expr('Equals', ['front']), labels)).toBe(false);
    expect(
      describeSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }],
      }),
    ).toBe('app=web,tier in (a,b)');
  });
});

describe('quantities, images, variables', () => {
  it('parses CPU and memory quantities; anything else is NaN', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity(1.5)).toBe(1.5);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    for (const bad of ['2 cores', '1.5 GB', 'lots', '', ' 1', 'Mi'])
      expect(parseQuantity(bad), bad).toBeNaN();
  });

  it('splits image references with registries, ports and digests', () => {
    expect(imageRepository('registry.example.com:5000/imgq/worker:0.1.0')).toBe(
      'registry.example.com:5000/imgq/worker',
    );
    expect(imageTag('registry.example.com:5000/imgq/worker:0.1.0')).toBe('0.1.0');
    expect(imageTag('redis')).toBe('');
    expect(imageTag('redis@sha256:abc')).toBe('');
    expect(imageRepository('redis:7-bookworm@sha256:abc')).toBe('redis');
  });

  it('finds $(VAR) references; $$(VAR) is an escape', () => {
    expect(variableReferences('redis://:$(REDIS_PASSWORD)@$(REDIS_HOST):6379')).toEqual([
      'REDIS_PASSWORD',
      'REDIS_HOST',
    ]);
    expect(variableReferences('$$(LITERAL) and $$$(REAL)')).toEqual(['REAL']);
  });
});
