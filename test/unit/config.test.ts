import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { parseDurationSeconds } from '../../src/core/duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['90m', 5400],
    ['7d', 604_800],
    ['12h', 43_200],
    ['30s', 30],
    ['3600', 3600],
    [' 15m ', 900],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '0', '-5', '1.5h', '10w', 'soon', '9'.repeat(30)])('refuses %j', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'sqlite:./data/keycard.db',
      dataDir: './data',
      secret: undefined,
      accessTtlSeconds: 3600,
      shortIdleSeconds: 5400,
      shortAbsoluteSeconds: 43_200,
      longIdleSeconds: 604_800,
      longAbsoluteSeconds: 7_776_000,
      anonymousIdleSeconds: 604_800,
      anonymousAbsoluteSeconds: 2_592_000,
      refreshGraceSeconds: 30,
      apiVersions: ['20190520', '20200115'],
      defaultApiVersion: '20200115',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      KEYCARD_HOST: '0.0.0.0',
      KEYCARD_PORT: '9090',
      KEYCARD_DATABASE_URL: 'sqlite:/var/lib/keycard/db.sqlite',
      KEYCARD_SECRET: 'x'.repeat(32),
      KEYCARD_ACCESS_TTL: '15m',
      KEYCARD_SHORT_IDLE: '30m',
      KEYCARD_SHORT_ABSOLUTE: '8h',
      KEYCARD_LONG_IDLE: '14d',
      KEYCARD_LONG_ABSOLUTE: '30d',
      KEYCARD_ANONYMOUS_IDLE: '1d',
      KEYCARD_ANONYMOUS_ABSOLUTE: '3d',
      KEYCARD_REFRESH_GRACE: '10',
      KEYCARD_API_VERSIONS: '20200115, 20260101',
      KEYCARD_DEFAULT_API_VERSION: '20260101',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9090,
      dataDir: '/var/lib/keycard',
      accessTtlSeconds: 900,
      shortIdleSeconds: 1800,
      shortAbsoluteSeconds: 28_800,
      longIdleSeconds: 1_209_600,
      longAbsoluteSeconds: 2_592_000,
      anonymousIdleSeconds: 86_400,
      anonymousAbsoluteSeconds: 259_200,
      refreshGraceSeconds: 10,
      apiVersions: ['20200115', '20260101'],
      defaultApiVersion: '20260101',
    });
    expect(config.secret?.length).toBe(32);
  });

  it('accepts PostgreSQL URLs and a pool size', () => {
    const config = loadConfig({
      KEYCARD_DATABASE_URL: 'postgres://keycard@127.0.0.1:5432/keycard',
      KEYCARD_DATABASE_POOL_SIZE: '25',
    });
    expect(config.databaseUrl).toBe('postgres://keycard@127.0.0.1:5432/keycard');
    expect(config.databasePoolSize).toBe(25);
    expect(config.dataDir).toBe('./data');
  });

  it('refuses bad values, naming every variable at fault', () => {
    let caught: unknown;
    try {
      loadConfig({
        KEYCARD_PORT: '70000',
        KEYCARD_SECRET: 'too short',
        KEYCARD_ACCESS_TTL: 'an hour',
        KEYCARD_DATABASE_URL: 'mysql://localhost/keycard',
        KEYCARD_DEFAULT_API_VERSION: '20990101',
        KEYCARD_SHORT_IDLE: '13h',
        KEYCARD_ANONYMOUS_IDLE: '31d',
        KEYCARD_DENIED_API_VERSIONS: 'v1',
        KEYCARD_LEGACY_JWT_SECRET: 'legacy but short',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of [
      'KEYCARD_PORT',
      'KEYCARD_SECRET',
      'KEYCARD_ACCESS_TTL',
      'KEYCARD_DATABASE_URL',
      'KEYCARD_DEFAULT_API_VERSION',
      'KEYCARD_SHORT_IDLE',
      'KEYCARD_ANONYMOUS_IDLE',
      'KEYCARD_DENIED_API_VERSIONS',
      'KEYCARD_LEGACY_JWT_SECRET',
    ]) {
      expect(problems).toContain(name);
    }
    expect(problems).not.toContain('too short'); // the secret's value is never echoed
    expect(problems).not.toContain('legacy but short');
  });

  it('reads denied API versions and the legacy JWT key', () => {
    expect(loadConfig({})).toMatchObject({ deniedApiVersions: [], legacyJwtSecret: undefined });
    const config = loadConfig({
      KEYCARD_DENIED_API_VERSIONS: '20190520, 20180101',
      KEYCARD_LEGACY_JWT_SECRET: 'the old deployment secret_key_base, long enough',
    });
    expect(config.deniedApiVersions).toEqual(['20190520', '20180101']);
    expect(config.legacyJwtSecret?.toString('utf8')).toBe('the old deployment secret_key_base, long enough');
  });

  it('refuses to deny the default API version', () => {
    expect(() => loadConfig({ KEYCARD_DENIED_API_VERSIONS: '20200115' })).toThrow(
      /KEYCARD_DENIED_API_VERSIONS: denies the default version 20200115/,
    );
  });
});
