import { describe, expect, it } from 'vitest';
import { configVariables } from '../../src/core/config.js';
import { runCli } from '../support/run-cli.js';

interface ConfigCheckJson {
  valid: boolean;
  settings: { name: string; value: string; source: 'env' | 'default' }[];
  problems: string[];
}

const SECRET = 'a-server-secret-of-at-least-32-bytes-0123';
const TOKEN = 'metrics-token-0123456789';

describe('keycard config check', () => {
  it('prints every variable with its effective value and source, secrets and passwords redacted', async () => {
    const env = {
      KEYCARD_PORT: '9000',
      KEYCARD_SECRET: SECRET,
      KEYCARD_METRICS_TOKEN: TOKEN,
      KEYCARD_DATABASE_URL: 'postgres://keycard:db-pass-word@db.internal:5432/keycard?password=db-pass-word',
      KEYCARD_REDIS_URL: 'redis://:redis-pass-word@cache.internal:6379/0',
      KEYCARD_SERVICE_KEYS: 'service-key-pass-word-service-key-0123',
      KEYCARD_CLAIMS_KEY: Buffer.alloc(32, 7).toString('base64url'),
    };
    const table = await runCli(['config', 'check'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^VARIABLE\s+VALUE\s+SOURCE$/m);
    expect(table.stdout).toMatch(/^KEYCARD_PORT\s+9000\s+env$/m);
    expect(table.stdout).toMatch(/^KEYCARD_HOST\s+127\.0\.0\.1\s+default$/m);
    for (const secret of [
      SECRET,
      TOKEN,
      'db-pass-word',
      'redis-pass-word',
      'service-key-pass-word',
      'BwcHBwcH',
    ]) {
      expect(table.stdout).not.toContain(secret);
    }

    const json = await runCli(['config', 'check', '--json'], env);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as ConfigCheckJson;
    expect(parsed.valid).toBe(true);
    expect(parsed.settings.map((setting) => setting.name)).toEqual(Object.keys(configVariables));
    const setting = (name: string) => parsed.settings.find((candidate) => candidate.name === name);
    expect(setting('KEYCARD_SECRET')).toEqual({ name: 'KEYCARD_SECRET', value: 'REDACTED', source: 'env' });
    expect(setting('KEYCARD_METRICS_TOKEN')?.value).toBe('REDACTED');
    expect(setting('KEYCARD_SERVICE_KEYS')?.value).toBe('REDACTED');
    expect(setting('KEYCARD_CLAIMS_KEY')?.value).toBe('REDACTED');
    expect(setting('KEYCARD_DATABASE_URL')?.value).toBe(
      'postgres://keycard:REDACTED@db.internal:5432/keycard?password=REDACTED',
    );
    expect(setting('KEYCARD_REDIS_URL')?.value).toBe('redis://:REDACTED@cache.internal:6379/0');
    expect(setting('KEYCARD_CHANGE_POLL')).toMatchObject({ value: '2', source: 'default' });
    expect(json.stdout).not.toContain('pass-word');
  });

  it('shows where an unset secret is kept, and the data folder the SQLite path implies', async () => {
    const result = await runCli(['config', 'check', '--json'], {
      KEYCARD_DATABASE_URL: 'sqlite:/var/lib/keycard/keycard.db',
    });
    const parsed = JSON.parse(result.stdout) as ConfigCheckJson;
    const setting = (name: string) => parsed.settings.find((candidate) => candidate.name === name);
    expect(setting('KEYCARD_DATA_DIR')).toMatchObject({ value: '/var/lib/keycard', source: 'default' });
    expect(setting('KEYCARD_SECRET')?.value).toBe('generated, kept in /var/lib/keycard/keycard.secret');
  });

  it('exits 78 naming each bad variable, without echoing a secret', async () => {
    const result = await runCli(['config', 'check'], {
      KEYCARD_PORT: 'eighty',
      KEYCARD_SECRET: 'too-short-secret',
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('KEYCARD_PORT');
    expect(result.stderr).toContain('KEYCARD_SECRET');
    expect(result.stdout + result.stderr).not.toContain('too-short-secret');
    const json = await runCli(['config', 'check', '--json'], { KEYCARD_PORT: 'eighty' });
    expect(json.code).toBe(78);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      problems: [expect.stringContaining('KEYCARD_PORT')],
    });
  });
});
