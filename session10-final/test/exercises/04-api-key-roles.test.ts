import { type ApiKey, parseApiKeys } from '@workbook/session10';
import { describe, expect, it } from 'vitest';
import { authorize } from '#ex/04-api-key-roles/roles.ts';

const keys: ApiKey[] = parseApiKeys(
  'alice:alice-key-123456:submit+read,bob:bob-key-1234567:read,ops:ops-key-12345678:admin',
);

describe('10.4 API keys with roles', () => {
  it('a key with the role gets through, and is returned', () => {
    expect(authorize(keys, 'alice-key-123456', 'submit').id, '🚨 alice may submit').toBe('alice');
    expect(authorize(keys, 'bob-key-1234567', 'read').id, '🚨 bob may read').toBe('bob');
  });

  it('admin may do everything', () => {
    for (const role of ['submit', 'read', 'admin'] as const) {
      let id: string | undefined;
      expect(() => {
        id = authorize(keys, 'ops-key-12345678', role).id;
      }, `🚨 admin includes ${role}`).not.toThrow();
      expect(id, `🚨 admin includes ${role}: the ops key is returned`).toBe('ops');
    }
  });

  it('no key at all is 401 with a challenge', () => {
    const error = (() => {
      try {
        authorize(keys, undefined, 'read');
      } catch (e) {
        return e as { status?: number; code?: string; headers?: Record<string, string> };
      }
    })();
    expect(error?.status, '🚨 no key at all is 401 (authenticate), not 403').toBe(401);
    expect(error?.code, '🚨 code ERR_UNAUTHORIZED').toBe('ERR_UNAUTHORIZED');
    expect(error?.headers?.['www-authenticate'], '🚨 a 401 carries WWW-Authenticate').toContain(
      'Bearer',
    );
  });

  it('an unknown key is 401; a near miss too', () => {
    expect(() => authorize(keys, 'nobody-key-00000', 'read'), '🚨 unknown key: 401').toThrow(
      expect.objectContaining({ status: 401, code: 'ERR_UNAUTHORIZED' }),
    );
    expect(
      () => authorize(keys, 'alice-key-12345', 'read'),
      '🚨 a prefix of a key is not the key',
    ).toThrow(expect.objectContaining({ status: 401 }));
    expect(
      () => authorize(keys, 'nobody-key-00000', 'read'),
      '🚨 an unknown key gets the same 401 as no key: with the WWW-Authenticate challenge',
    ).toThrow(
      expect.objectContaining({
        headers: expect.objectContaining({ 'www-authenticate': expect.stringContaining('Bearer') }),
      }),
    );
  });

  it('a known key without the role is 403 naming what is needed', () => {
    expect(
      () => authorize(keys, 'bob-key-1234567', 'submit'),
      '🚨 bob may only read: 403 ERR_FORBIDDEN',
    ).toThrow(
      expect.objectContaining({ status: 403, code: 'ERR_FORBIDDEN', extras: { needed: 'submit' } }),
    );
    expect(
      () => authorize(keys, 'alice-key-123456', 'admin'),
      '🚨 submit+read is not admin',
    ).toThrow(expect.objectContaining({ status: 403 }));
    for (const part of ['bob', 'read', 'submit']) {
      expect(
        () => authorize(keys, 'bob-key-1234567', 'submit'),
        `🚨 the 403 message names the key (bob), its roles (read) and what is needed (submit): ${part} is missing`,
      ).toThrow(expect.objectContaining({ message: expect.stringContaining(part) }));
    }
  });
});
