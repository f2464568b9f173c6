import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, loadConfig } from '../../src/core/config.js';
import {
  defaultRateLimitPolicy,
  formatRateLimitRule,
  parseRateLimitRule,
} from '../../src/core/rate-limit-policy.js';
import { createLogger } from '../../src/http/create-logger.js';
import { startServer } from '../../src/server.js';
import { createSqliteStore } from '../../src/store/sqlite/create-sqlite-store.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('rate limit and audit log configuration', () => {
  it('defaults to the documented policy, 90 days of audit log and no trusted proxy', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual(defaultRateLimitPolicy);
    expect(config.auditRetentionSeconds).toBe(90 * 86_400);
    expect(config.trustProxy).toEqual([]);
  });

  it('documents each default as the policy has it', () => {
    const policy = defaultRateLimitPolicy;
    expect(configVariables.KEYCARD_LIMIT_SIGN_IN_PER_IP.default).toBe(
      formatRateLimitRule(policy.signInPerIp),
    );
    expect(configVariables.KEYCARD_LIMIT_SIGN_IN_FAILURES.default).toBe(
      formatRateLimitRule(policy.signInFailuresPerAccount),
    );
    expect(configVariables.KEYCARD_LIMIT_REGISTER_PER_IP.default).toBe(
      formatRateLimitRule(policy.registrationsPerIp),
    );
    expect(configVariables.KEYCARD_LIMIT_REFRESH_PER_IP.default).toBe(
      formatRateLimitRule(policy.refreshesPerIp),
    );
    expect(configVariables.KEYCARD_LIMIT_REFRESH_PER_SESSION.default).toBe(
      formatRateLimitRule(policy.refreshesPerSession),
    );
    expect(configVariables.KEYCARD_LIMIT_TOKEN_FAILURES_PER_IP.default).toBe(
      formatRateLimitRule(policy.tokenFailuresPerIp),
    );
    expect(configVariables.KEYCARD_LIMIT_ANONYMOUS_PER_IP.default).toBe(
      formatRateLimitRule(policy.anonymousSessionsPerIp),
    );
  });

  it('reads every limit, `off` for one of them, and `KEYCARD_RATE_LIMITS=off` for all', () => {
    const config = loadConfig({
      KEYCARD_LIMIT_SIGN_IN_PER_IP: '100/5m',
      KEYCARD_LIMIT_SIGN_IN_FAILURES: '10 / 1h',
      KEYCARD_LOCKOUT: '5m',
      KEYCARD_LOCKOUT_MAX: '2h',
      KEYCARD_LIMIT_REGISTER_PER_IP: 'off',
      KEYCARD_LIMIT_REFRESH_PER_IP: '600/60',
      KEYCARD_LIMIT_REFRESH_PER_SESSION: '3/10s',
      KEYCARD_LIMIT_TOKEN_FAILURES_PER_IP: '1000/1h',
      KEYCARD_LIMIT_ANONYMOUS_PER_IP: '5/1d',
      KEYCARD_AUDIT_RETENTION: '30d',
      KEYCARD_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1,loopback,fd00::/8',
    });
    expect(config.rateLimits).toEqual({
      signInPerIp: { limit: 100, windowSeconds: 300 },
      signInFailuresPerAccount: { limit: 10, windowSeconds: 3600 },
      lockoutSeconds: 300,
      lockoutMaxSeconds: 7200,
      registrationsPerIp: undefined,
      anonymousSessionsPerIp: { limit: 5, windowSeconds: 86_400 },
      refreshesPerIp: { limit: 600, windowSeconds: 60 },
      refreshesPerSession: { limit: 3, windowSeconds: 10 },
      tokenFailuresPerIp: { limit: 1000, windowSeconds: 3600 },
    });
    expect(config.auditRetentionSeconds).toBe(30 * 86_400);
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1', 'loopback', 'fd00::/8']);
    expect(loadConfig({ KEYCARD_RATE_LIMITS: 'off' }).rateLimits).toBeUndefined();
  });

  it('refuses bad values, naming each variable', () => {
    const problems = problemsOf({
      KEYCARD_RATE_LIMITS: 'maybe',
      KEYCARD_LIMIT_SIGN_IN_PER_IP: '20',
      KEYCARD_LIMIT_SIGN_IN_FAILURES: '0/15m',
      KEYCARD_LIMIT_REFRESH_PER_IP: 'lots/1m',
      KEYCARD_LOCKOUT: '2d',
      KEYCARD_LOCKOUT_MAX: '1d',
      KEYCARD_AUDIT_RETENTION: 'forever',
      KEYCARD_TRUST_PROXY: 'my-load-balancer',
    });
    for (const name of [
      'KEYCARD_RATE_LIMITS',
      'KEYCARD_LIMIT_SIGN_IN_PER_IP',
      'KEYCARD_LIMIT_SIGN_IN_FAILURES',
      'KEYCARD_LIMIT_REFRESH_PER_IP',
      'KEYCARD_LOCKOUT',
      'KEYCARD_AUDIT_RETENTION',
      'KEYCARD_TRUST_PROXY',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it.each([
    ['20/1m', { limit: 20, windowSeconds: 60 }],
    ['5/15m', { limit: 5, windowSeconds: 900 }],
    ['10/3600', { limit: 10, windowSeconds: 3600 }],
    ['off', undefined],
    ['20', 'invalid'],
    ['20/0', 'invalid'],
    ['-1/1m', 'invalid'],
    ['1.5/1m', 'invalid'],
  ])('parses the limit %j', (text, rule) => {
    expect(parseRateLimitRule(text)).toEqual(rule);
  });

  it('formats a rule in its largest whole unit', () => {
    expect(formatRateLimitRule({ limit: 10, windowSeconds: 3600 })).toBe('10/1h');
    expect(formatRateLimitRule({ limit: 3, windowSeconds: 90 })).toBe('3/90s');
    expect(formatRateLimitRule(undefined)).toBe('off');
  });
});

describe('the server with KEYCARD_RATE_LIMITS=off', () => {
  it('warns at startup that nothing is rate limited', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const config = loadConfig({
      KEYCARD_RATE_LIMITS: 'off',
      KEYCARD_PORT: '0',
      KEYCARD_DATABASE_URL: 'sqlite::memory:',
    });
    const store = await createSqliteStore({ filename: ':memory:' });
    const server = await startServer(config, {
      store,
      secret: new Uint8Array(32).fill(1),
      logger: createLogger('warn', destination),
    });
    await server.stop();
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(warnings.some((line) => line.level === 40 && line.msg.includes('KEYCARD_RATE_LIMITS=off'))).toBe(
      true,
    );
  });
});
