/** The worker's configuration: one name per setting, checked by one schema. */
import { describe, expect, it } from 'vitest';
import {
  defaultWorkerId,
  envName,
  flagName,
  loadWorkerConfig,
  WORKER_SETTINGS,
} from '../src/index.ts';

describe('loadWorkerConfig', () => {
  it('gives every setting its default when the environment is empty', () => {
    const config = loadWorkerConfig({}, {}, false);
    expect(config).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      queue: 'images',
      workerId: defaultWorkerId(),
      concurrency: 1,
      leaseMs: 2_000,
      heartbeatIntervalMs: 500,
      heartbeatTtlMs: 2_000,
      recoveryIntervalMs: 500,
      gracePeriodMs: 10_000,
      maxAttempts: 5,
      inputRoot: undefined,
      outputRoot: undefined,
      healthPort: undefined,
      logLevel: 'info',
      logFormat: 'json',
    });
    expect(loadWorkerConfig({}, {}, true).logFormat).toBe('pretty');
  });

  it('reads each setting from its one environment name; overrides (flags) win', () => {
    const config = loadWorkerConfig(
      {
        REDIS_URL: 'redis://:secret@redis:6380/2',
        QUEUE: 'thumbs',
        WORKER_ID: 'pod-a',
        CONCURRENCY: '4',
        LEASE_MS: '3000',
        HEARTBEAT_INTERVAL_MS: '750',
        GRACE_PERIOD_MS: '0',
        HEALTH_PORT: '8080',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'pretty',
        INPUT_ROOT: '/data/in',
      },
      { concurrency: '8' },
      false,
    );
    expect(config).toMatchObject({
      redisUrl: 'redis://:secret@redis:6380/2',
      queue: 'thumbs',
      workerId: 'pod-a',
      concurrency: 8,
      leaseMs: 3_000,
      heartbeatIntervalMs: 750,
      gracePeriodMs: 0,
      healthPort: 8080,
      logLevel: 'debug',
      logFormat: 'pretty',
      inputRoot: '/data/in',
    });
  });

  it('names: option, flag and environment variable are the same word', () => {
    expect(envName('heartbeatIntervalMs')).toBe('HEARTBEAT_INTERVAL_MS');
    expect(flagName('heartbeatIntervalMs')).toBe('--heartbeat-interval-ms');
    expect(WORKER_SETTINGS.map(envName)).toEqual(
      expect.arrayContaining(['REDIS_URL', 'QUEUE', 'WORKER_ID', 'CONCURRENCY', 'LEASE_MS']),
    );
    expect(WORKER_SETTINGS.map(envName)).toEqual(
      expect.arrayContaining(['GRACE_PERIOD_MS', 'LOG_LEVEL', 'LOG_FORMAT', 'HEALTH_PORT']),
    );
  });

  it('refuses bad values with ERR_INVALID_CONFIG naming the variable, the flag and the value', () => {
    const bad = (env: NodeJS.ProcessEnv) => {
      try {
        loadWorkerConfig(env, {}, false);
      } catch (error) {
        return error as Error & { code: string };
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };
    const concurrency = bad({ CONCURRENCY: 'four' });
    expect(concurrency.code).toBe('ERR_INVALID_CONFIG');
    expect(concurrency.message).toContain('CONCURRENCY (or --concurrency) must be an integer');
    expect(concurrency.message).toContain('got `four`');
    expect(bad({ REDIS_URL: 'http://redis:6379' }).message).toContain('REDIS_URL');
    expect(bad({ LOG_FORMAT: 'xml' }).message).toContain('LOG_FORMAT');
    expect(bad({ WORKER_ID: 'has space' }).message).toContain('WORKER_ID');
    expect(bad({ LEASE_MS: '1000', HEARTBEAT_INTERVAL_MS: '1000' }).message).toMatch(
      /HEARTBEAT_INTERVAL_MS \(1000\) must be shorter than LEASE_MS/,
    );
    // Every problem at once, not one per start.
    const both = bad({ CONCURRENCY: '0', HEALTH_PORT: '99999' }).message;
    expect(both).toContain('CONCURRENCY');
    expect(both).toContain('HEALTH_PORT');
  });

  it('defaults the worker id to host name and pid, valid as a Redis key part', () => {
    expect(defaultWorkerId()).toMatch(new RegExp(`^[A-Za-z0-9_.-]+-${process.pid}$`));
  });
});
