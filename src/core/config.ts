import { type ClaimDefinition, parseClaimsRegistry } from './claims-registry.js';
import { parseDurationSeconds } from './duration.js';
import { parseRateLimitRule, type RateLimitPolicy, type RateLimitRule } from './rate-limit-policy.js';

/** Keycard's settings, read once from the environment at startup. Durations are in seconds. */
export interface KeycardConfig {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  /** PostgreSQL connections per node. */
  readonly databasePoolSize: number;
  /** Where generated files (the secret, the SQLite database by default) live. */
  readonly dataDir: string;
  /** The server secret, or undefined to use (or create) the one kept in the data folder. */
  readonly secret: Buffer | undefined;
  readonly accessTtlSeconds: number;
  readonly shortIdleSeconds: number;
  readonly shortAbsoluteSeconds: number;
  readonly longIdleSeconds: number;
  readonly longAbsoluteSeconds: number;
  /** Idle timeout and absolute lifetime of anonymous sessions (`POST /auth/anonymous`). */
  readonly anonymousIdleSeconds: number;
  readonly anonymousAbsoluteSeconds: number;
  readonly refreshGraceSeconds: number;
  readonly apiVersions: readonly string[];
  readonly defaultApiVersion: string;
  /** How long an elevation (step-up) lasts (s). */
  readonly elevationTtlSeconds: number;
  /** Group ids a sign-in may name for its session. */
  readonly sessionGroups: readonly string[];
  /** API versions refused, with every session created with them. */
  readonly deniedApiVersions: readonly string[];
  /** Key of legacy (account version 003) JWTs; undefined to derive one from the server secret. */
  readonly legacyJwtSecret: Buffer | undefined;
  readonly sweepIntervalSeconds: number;
  /** Redis for the shared session cache and change feed; undefined for none. */
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  /** With the feed down, how long a node trusts its cached sessions (s). */
  readonly feedDownTrustSeconds: number;
  /** How often each node polls the store for other nodes' changes (s); 0 for never. */
  readonly changePollSeconds: number;
  /** Without Redis, how long a node trusts its cached sessions (s); undefined for as long as it likes. */
  readonly cacheMaxStalenessSeconds: number | undefined;
  readonly cacheMaxSessions: number;
  readonly logLevel: string;
  /** A port of its own for `GET /metrics`; undefined to serve it on the API port (with a token) or not at all. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** Bearer token `GET /metrics` requires; undefined for none (then only served on `metricsPort`, if set). */
  readonly metricsToken: string | undefined;
  /** How long shutdown waits for in-flight requests (s) before closing their connections. */
  readonly shutdownTimeoutSeconds: number;
  /** Rate limits and lockouts; undefined when `KEYCARD_RATE_LIMITS=off`. */
  readonly rateLimits: RateLimitPolicy | undefined;
  /** How long audit events are kept (s). */
  readonly auditRetentionSeconds: number;
  /** Addresses and CIDR ranges of proxies whose `X-Forwarded-For` is believed; empty for none. */
  readonly trustProxy: readonly string[];
  readonly accessTokenFormat: 'opaque' | 'jwt';
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwtTtlSeconds: number;
  readonly clockSkewSeconds: number;
  readonly jwtAlg: 'EdDSA' | 'ES256' | 'RS256' | 'HS256';
  /** A signing key file (PEM or JWK; for HS256 the secret); undefined to generate and store keys. */
  readonly jwtKeyFile: string | undefined;
  /** Keys other services present to read the revocation stream and introspect tokens. */
  readonly serviceKeys: readonly string[];
  /** Custom claims (`KEYCARD_CLAIMS`). */
  readonly claims: readonly ClaimDefinition[];
  /** Key of claims only services read (32 bytes); undefined for none. */
  readonly claimsKey: Buffer | undefined;
  /** Audiences `POST /session/token` mints for, besides those of registered claims. */
  readonly tokenAudiences: readonly string[];
  /**
   * Origins (`https://app.example.com`) other than Keycard's own whose pages may use Keycard with cookies:
   * CORS with credentials and the CSRF check both follow this list. Empty for none.
   */
  readonly trustedOrigins: readonly string[];
}

export const MIN_SECRET_BYTES = 32;
/** A session group id: what `KEYCARD_SESSION_GROUPS` lists and a sign-in's `group` names. */
export const SESSION_GROUP_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const MIN_METRICS_TOKEN_LENGTH = 16;
export const MIN_SERVICE_KEY_LENGTH = 32;
const JWT_ALGORITHMS = ['EdDSA', 'ES256', 'RS256', 'HS256'] as const;
const MAX_CLOCK_SKEW_SECONDS = 300;

/** One row per variable: its default and what it means. The README's configuration table mirrors this. */
export const configVariables = {
  KEYCARD_HOST: { default: '127.0.0.1', meaning: 'Address to listen on.' },
  KEYCARD_PORT: { default: '8080', meaning: 'Port to listen on (0 picks a free one).' },
  KEYCARD_DATABASE_URL: {
    default: 'sqlite:./data/keycard.db',
    meaning: 'Store of record: `sqlite:<path>`, `sqlite::memory:` or `postgres://user@host:port/database`.',
  },
  KEYCARD_DATABASE_POOL_SIZE: { default: '10', meaning: 'PostgreSQL connections per Keycard node.' },
  KEYCARD_DATA_DIR: {
    default: 'the SQLite file’s folder, else ./data',
    meaning: 'Folder for generated files (the server secret).',
  },
  KEYCARD_SECRET: {
    default: 'generated',
    meaning:
      'Server secret, at least 32 bytes. If unset, one is generated once and kept in `<data>/keycard.secret` (mode 0600).',
  },
  KEYCARD_ACCESS_TTL: { default: '3600', meaning: 'Lifetime of an access token.' },
  KEYCARD_SHORT_IDLE: {
    default: '90m',
    meaning: 'Idle timeout of sessions signed in with `remember: false`.',
  },
  KEYCARD_SHORT_ABSOLUTE: { default: '12h', meaning: 'Absolute lifetime of `remember: false` sessions.' },
  KEYCARD_LONG_IDLE: { default: '7d', meaning: 'Idle timeout of `remember: true` sessions (the default).' },
  KEYCARD_LONG_ABSOLUTE: { default: '90d', meaning: 'Absolute lifetime of `remember: true` sessions.' },
  KEYCARD_ANONYMOUS_IDLE: {
    default: '7d',
    meaning: 'Idle timeout of anonymous sessions (`POST /auth/anonymous`), their own lifetime class.',
  },
  KEYCARD_ANONYMOUS_ABSOLUTE: { default: '30d', meaning: 'Absolute lifetime of anonymous sessions.' },
  KEYCARD_REFRESH_GRACE: {
    default: '30',
    meaning: 'How long a just-rotated refresh token may be retried and get the same new pair.',
  },
  KEYCARD_API_VERSIONS: { default: '20190520,20200115', meaning: 'API versions accepted.' },
  KEYCARD_DEFAULT_API_VERSION: { default: '20200115', meaning: 'API version of requests that name none.' },
  KEYCARD_ELEVATION_TTL: {
    default: '600',
    meaning:
      'How long `POST /session/elevate` elevates a session (step-up for sensitive actions); never extended by a refresh.',
  },
  KEYCARD_SESSION_GROUPS: {
    default: 'none',
    meaning:
      'Comma-separated group ids a sign-in may name (`group`) to put its session in a group (`POST /admin/groups/{id}/revoke`).',
  },
  KEYCARD_DENIED_API_VERSIONS: {
    default: 'none',
    meaning:
      'Comma-separated API versions refused (426 `api_version_denied`), with every session created with them.',
  },
  KEYCARD_LEGACY_JWT_SECRET: {
    default: 'derived',
    meaning:
      'HS256 key of the JWTs of legacy accounts (version 003), at least 32 bytes: the old deployment’s key when migrating. Unset: derived from the server secret.',
  },
  KEYCARD_SWEEP_INTERVAL: { default: '60', meaning: 'How often expired sessions are swept.' },
  KEYCARD_REDIS_URL: {
    default: 'none',
    meaning: 'Redis (`redis://host:port/db`) for the shared session cache and the change feed between nodes.',
  },
  KEYCARD_REDIS_PREFIX: { default: 'keycard:', meaning: 'Prefix of Keycard’s Redis keys and channel.' },
  KEYCARD_FEED_DOWN_TRUST: {
    default: '1',
    meaning: 'While the Redis feed is down, how long a node trusts a session it cached.',
  },
  KEYCARD_CHANGE_POLL: {
    default: '2',
    meaning:
      'How often each node polls the database for sessions other nodes (or `keycard` commands) ended or rotated (`0`: never).',
  },
  KEYCARD_CACHE_MAX_STALENESS: {
    default: 'unbounded',
    meaning:
      'Without Redis: how long a node trusts a session it cached (set it when several nodes share a database).',
  },
  KEYCARD_CACHE_SIZE: {
    default: '100000',
    meaning: 'Sessions kept in the in-process cache (0 disables it).',
  },
  KEYCARD_LOG_LEVEL: {
    default: 'info',
    meaning: 'pino level: fatal, error, warn, info, debug, trace, silent.',
  },
  KEYCARD_METRICS_PORT: {
    default: 'off',
    meaning: 'Serve `GET /metrics` on this port, apart from the API (with the token too, if one is set).',
  },
  KEYCARD_METRICS_HOST: { default: '127.0.0.1', meaning: 'Address the metrics port listens on.' },
  KEYCARD_METRICS_TOKEN: {
    default: 'none',
    meaning:
      'Bearer token `GET /metrics` requires, at least 16 characters. With it and no metrics port, metrics are on the API port.',
  },
  KEYCARD_SHUTDOWN_TIMEOUT: {
    default: '10',
    meaning: 'On SIGTERM, how long in-flight requests may take before their connections are closed.',
  },
  KEYCARD_RATE_LIMITS: {
    default: 'on',
    meaning: '`off` turns every rate limit and lockout off (load tests, benchmarks); startup then warns.',
  },
  KEYCARD_LIMIT_SIGN_IN_PER_IP: {
    default: '20/1m',
    meaning: 'Sign-in attempts per client address (IPv6: per /64), as `<count>/<duration>` or `off`.',
  },
  KEYCARD_LIMIT_SIGN_IN_FAILURES: {
    default: '5/15m',
    meaning: 'Failed sign-ins per account (by email, known or not) that start a lockout.',
  },
  KEYCARD_LOCKOUT: { default: '15m', meaning: 'The first lockout; each further one doubles.' },
  KEYCARD_LOCKOUT_MAX: { default: '24h', meaning: 'The longest lockout.' },
  KEYCARD_LIMIT_REGISTER_PER_IP: { default: '10/1h', meaning: 'Registrations per client address.' },
  KEYCARD_LIMIT_ANONYMOUS_PER_IP: {
    default: '100/1h',
    meaning: 'Anonymous sessions started (`POST /auth/anonymous`) per client address.',
  },
  KEYCARD_LIMIT_REFRESH_PER_IP: { default: '60/1m', meaning: 'Refresh attempts per client address.' },
  KEYCARD_LIMIT_REFRESH_PER_SESSION: { default: '10/1m', meaning: 'Refreshes per session.' },
  KEYCARD_LIMIT_TOKEN_FAILURES_PER_IP: {
    default: '100/1m',
    meaning: 'Access tokens refused as invalid per client address, before its tokens are refused unread.',
  },
  KEYCARD_TRUST_PROXY: {
    default: 'none',
    meaning:
      'Comma-separated addresses or CIDR ranges of proxies (load balancers) whose `X-Forwarded-For` names the client.',
  },
  KEYCARD_AUDIT_RETENTION: { default: '90d', meaning: 'How long audit log events are kept.' },
  KEYCARD_ACCESS_TOKEN_FORMAT: {
    default: 'opaque',
    meaning:
      'Access tokens handed out: `opaque` (checked by Keycard) or `jwt` (signed, verifiable by other services).',
  },
  KEYCARD_ISSUER: {
    default: 'http://KEYCARD_HOST:KEYCARD_PORT',
    meaning: '`iss` of Keycard’s JWTs, and the base of `jwks_uri` in the OpenID configuration.',
  },
  KEYCARD_AUDIENCE: {
    default: 'keycard',
    meaning: 'Comma-separated `aud` of JWT access tokens; a token naming any of them is accepted.',
  },
  KEYCARD_JWT_TTL: { default: '15m', meaning: 'Lifetime of JWT access tokens (and of audience tokens).' },
  KEYCARD_CLOCK_SKEW: {
    default: '30',
    meaning:
      'How far clocks may disagree when `exp`, `nbf` and `iat` are checked (at most 5m; `0` for none).',
  },
  KEYCARD_JWT_ALG: {
    default: 'EdDSA',
    meaning: 'Signing algorithm: `EdDSA`, `ES256`, `RS256` or `HS256` (HS256 keys are never published).',
  },
  KEYCARD_JWT_KEY_FILE: {
    default: 'none',
    meaning:
      'A signing key (PEM or JWK private key; for HS256 a secret of at least 32 bytes) instead of generated, stored keys.',
  },
  KEYCARD_SERVICE_KEYS: {
    default: 'none',
    meaning:
      'Comma-separated keys (at least 32 characters each) other services use for `GET /events/revocations` and `POST /introspect`.',
  },
  KEYCARD_CLAIMS: {
    default: 'none',
    meaning:
      'Custom claims, a JSON array of `{"name", "type", "audiences": […], "readers": "clients" | "services"}`; values come from the user record or the embedding app, never from clients.',
  },
  KEYCARD_CLAIMS_KEY: {
    default: 'none',
    meaning:
      'Key shared with services (32 bytes, base64url) that encrypts claims only services may read (JWE `dir` + `A256GCM`).',
  },
  KEYCARD_TOKEN_AUDIENCES: {
    default: 'none',
    meaning:
      'Comma-separated services `POST /session/token` mints tokens for, besides the audiences of registered claims.',
  },
  KEYCARD_TRUSTED_ORIGINS: {
    default: 'none',
    meaning:
      'Comma-separated origins (`https://app.example.com`) whose pages may call Keycard with cookies (CORS and CSRF); Keycard’s own origin always may.',
  },
} as const;

export type ConfigVariable = keyof typeof configVariables;
export type Environment = Readonly<Record<string, string | undefined>>;

/** Startup refused: every bad variable, each named with what is wrong. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** An IPv4 or IPv6 address or CIDR range, or one of proxy-addr's names for the usual private ranges. */
const TRUSTED_PROXY_PATTERN = /^(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)$/i;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const API_VERSION_PATTERN = /^\d{8}$/;

/** Reads and validates the configuration; throws `ConfigError` listing every problem at once. */
export function loadConfig(env: Environment = process.env): KeycardConfig {
  const problems: string[] = [];
  const read = (name: ConfigVariable): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? configVariables[name].default : value.trim();
  };
  const duration = (name: ConfigVariable): number => {
    const seconds = parseDurationSeconds(read(name));
    if (seconds === undefined) {
      problems.push(
        `${name}: "${read(name)}" is not a duration (use seconds, or a number with s, m, h or d)`,
      );
      return 1;
    }
    return seconds;
  };
  const integer = (name: ConfigVariable, min: number, max: number): number => {
    const text = read(name);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name}: "${text}" must be a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  };

  const databaseUrl = read('KEYCARD_DATABASE_URL');
  // The URL is not echoed: it may hold a password.
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    problems.push(
      'KEYCARD_DATABASE_URL: not supported (use sqlite:<path>, sqlite::memory: or postgres://user@host/database)',
    );
  }
  const sqlitePath = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : '';
  const dataDirFromUrl = sqlitePath !== '' && sqlitePath !== ':memory:' ? dirnameOf(sqlitePath) : './data';
  const dataDir = env.KEYCARD_DATA_DIR?.trim() ? env.KEYCARD_DATA_DIR.trim() : dataDirFromUrl;

  let secret: Buffer | undefined;
  const secretText = env.KEYCARD_SECRET;
  if (secretText !== undefined && secretText !== '') {
    secret = Buffer.from(secretText, 'utf8');
    if (secret.length < MIN_SECRET_BYTES) {
      problems.push(`KEYCARD_SECRET: must be at least ${MIN_SECRET_BYTES} bytes (it has ${secret.length})`);
    }
  }

  const apiVersions = read('KEYCARD_API_VERSIONS')
    .split(',')
    .map((version) => version.trim())
    .filter((version) => version !== '');
  const badVersions = apiVersions.filter((version) => !API_VERSION_PATTERN.test(version));
  if (apiVersions.length === 0 || badVersions.length > 0) {
    problems.push(`KEYCARD_API_VERSIONS: expected a comma-separated list of YYYYMMDD versions`);
  }
  const defaultApiVersion = read('KEYCARD_DEFAULT_API_VERSION');
  if (!apiVersions.includes(defaultApiVersion)) {
    problems.push(`KEYCARD_DEFAULT_API_VERSION: "${defaultApiVersion}" is not in KEYCARD_API_VERSIONS`);
  }

  const groupsText = read('KEYCARD_SESSION_GROUPS');
  const sessionGroups =
    groupsText === 'none'
      ? []
      : groupsText
          .split(',')
          .map((group) => group.trim())
          .filter((group) => group !== '');
  if (!sessionGroups.every((group) => SESSION_GROUP_PATTERN.test(group))) {
    problems.push(
      'KEYCARD_SESSION_GROUPS: expected none, or comma-separated ids of letters, digits, _, - and . (up to 64)',
    );
  }

  const deniedText = read('KEYCARD_DENIED_API_VERSIONS');
  const deniedApiVersions =
    deniedText === 'none'
      ? []
      : deniedText
          .split(',')
          .map((version) => version.trim())
          .filter((version) => version !== '');
  if (!deniedApiVersions.every((version) => API_VERSION_PATTERN.test(version))) {
    problems.push(
      'KEYCARD_DENIED_API_VERSIONS: expected none, or a comma-separated list of YYYYMMDD versions',
    );
  }
  if (deniedApiVersions.includes(defaultApiVersion)) {
    problems.push(`KEYCARD_DENIED_API_VERSIONS: denies the default version ${defaultApiVersion}`);
  }

  let legacyJwtSecret: Buffer | undefined;
  const legacyText = env.KEYCARD_LEGACY_JWT_SECRET;
  if (legacyText !== undefined && legacyText !== '') {
    legacyJwtSecret = Buffer.from(legacyText, 'utf8');
    // The key is not echoed: it is a secret.
    if (legacyJwtSecret.length < MIN_SECRET_BYTES) {
      problems.push(
        `KEYCARD_LEGACY_JWT_SECRET: must be at least ${MIN_SECRET_BYTES} bytes (it has ${legacyJwtSecret.length})`,
      );
    }
  }

  const optionalDuration = (name: ConfigVariable, fallback: number | undefined): number | undefined => {
    const text = env[name]?.trim();
    if (text === undefined || text === '') return fallback;
    if (text === '0' || text === 'off') return 0;
    return duration(name);
  };
  const redisUrl = env.KEYCARD_REDIS_URL?.trim() ? env.KEYCARD_REDIS_URL.trim() : undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    problems.push('KEYCARD_REDIS_URL: expected redis://host:port/db');
  }
  const maxStaleness = optionalDuration('KEYCARD_CACHE_MAX_STALENESS', undefined);

  const logLevel = read('KEYCARD_LOG_LEVEL');
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`KEYCARD_LOG_LEVEL: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  }

  const metricsPortText = read('KEYCARD_METRICS_PORT');
  const metricsPort = metricsPortText === 'off' ? undefined : integer('KEYCARD_METRICS_PORT', 0, 65_535);
  const metricsToken = env.KEYCARD_METRICS_TOKEN?.trim() ? env.KEYCARD_METRICS_TOKEN.trim() : undefined;
  // The token is not echoed: it is a secret.
  if (metricsToken !== undefined && metricsToken.length < MIN_METRICS_TOKEN_LENGTH) {
    problems.push(`KEYCARD_METRICS_TOKEN: must be at least ${MIN_METRICS_TOKEN_LENGTH} characters`);
  }

  const rule = (name: ConfigVariable): RateLimitRule | undefined => {
    const parsed = parseRateLimitRule(read(name));
    if (parsed !== 'invalid') return parsed;
    problems.push(`${name}: "${read(name)}" is not a limit (use <count>/<duration>, such as 20/1m, or off)`);
    return undefined;
  };
  const rateLimitsSwitch = read('KEYCARD_RATE_LIMITS');
  if (rateLimitsSwitch !== 'on' && rateLimitsSwitch !== 'off') {
    problems.push(`KEYCARD_RATE_LIMITS: "${rateLimitsSwitch}" is neither on nor off`);
  }
  const rateLimits: RateLimitPolicy = {
    signInPerIp: rule('KEYCARD_LIMIT_SIGN_IN_PER_IP'),
    signInFailuresPerAccount: rule('KEYCARD_LIMIT_SIGN_IN_FAILURES'),
    lockoutSeconds: duration('KEYCARD_LOCKOUT'),
    lockoutMaxSeconds: duration('KEYCARD_LOCKOUT_MAX'),
    registrationsPerIp: rule('KEYCARD_LIMIT_REGISTER_PER_IP'),
    anonymousSessionsPerIp: rule('KEYCARD_LIMIT_ANONYMOUS_PER_IP'),
    refreshesPerIp: rule('KEYCARD_LIMIT_REFRESH_PER_IP'),
    refreshesPerSession: rule('KEYCARD_LIMIT_REFRESH_PER_SESSION'),
    tokenFailuresPerIp: rule('KEYCARD_LIMIT_TOKEN_FAILURES_PER_IP'),
  };
  if (rateLimits.lockoutSeconds > rateLimits.lockoutMaxSeconds) {
    problems.push('KEYCARD_LOCKOUT: must not be longer than KEYCARD_LOCKOUT_MAX');
  }
  const trustProxyText = read('KEYCARD_TRUST_PROXY');
  const trustProxy = trustProxyText === 'none' ? [] : trustProxyText.split(',').map((entry) => entry.trim());
  if (!trustProxy.every((entry) => TRUSTED_PROXY_PATTERN.test(entry))) {
    problems.push('KEYCARD_TRUST_PROXY: expected none, or comma-separated addresses or CIDR ranges');
  }

  const accessTokenFormat = read('KEYCARD_ACCESS_TOKEN_FORMAT');
  if (accessTokenFormat !== 'opaque' && accessTokenFormat !== 'jwt') {
    problems.push(`KEYCARD_ACCESS_TOKEN_FORMAT: "${accessTokenFormat}" is neither opaque nor jwt`);
  }
  const jwtAlg = read('KEYCARD_JWT_ALG');
  if (!(JWT_ALGORITHMS as readonly string[]).includes(jwtAlg)) {
    problems.push(`KEYCARD_JWT_ALG: "${jwtAlg}" is not one of ${JWT_ALGORITHMS.join(', ')}`);
  }
  const audiences = read('KEYCARD_AUDIENCE')
    .split(',')
    .map((audience) => audience.trim())
    .filter((audience) => audience !== '');
  if (audiences.length === 0) problems.push('KEYCARD_AUDIENCE: name at least one audience');
  const clockSkewSeconds = optionalDuration('KEYCARD_CLOCK_SKEW', 30) ?? 30;
  if (clockSkewSeconds > MAX_CLOCK_SKEW_SECONDS) {
    problems.push(`KEYCARD_CLOCK_SKEW: must be at most ${MAX_CLOCK_SKEW_SECONDS} seconds`);
  }
  const serviceKeysText = env.KEYCARD_SERVICE_KEYS?.trim() ?? '';
  const serviceKeys = serviceKeysText === '' ? [] : serviceKeysText.split(',').map((key) => key.trim());
  // The keys are not echoed: they are secrets.
  if (serviceKeys.some((key) => key.length < MIN_SERVICE_KEY_LENGTH)) {
    problems.push(`KEYCARD_SERVICE_KEYS: each key must be at least ${MIN_SERVICE_KEY_LENGTH} characters`);
  }
  const issuerText = env.KEYCARD_ISSUER?.trim() ?? '';
  if (issuerText !== '' && !/^https?:\/\/[^\s]+$/.test(issuerText)) {
    problems.push('KEYCARD_ISSUER: expected an http(s) URL');
  }

  let claims: ClaimDefinition[] = [];
  const claimsText = env.KEYCARD_CLAIMS?.trim() ?? '';
  if (claimsText !== '') {
    try {
      claims = parseClaimsRegistry(claimsText);
    } catch (error) {
      problems.push(`KEYCARD_CLAIMS: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const claimsKeyText = env.KEYCARD_CLAIMS_KEY?.trim() ?? '';
  const claimsKey = claimsKeyText === '' ? undefined : Buffer.from(claimsKeyText, 'base64url');
  // The key is not echoed: it is a secret.
  if (claimsKey !== undefined && (claimsKey.length !== 32 || !/^[A-Za-z0-9_-]+$/.test(claimsKeyText))) {
    problems.push('KEYCARD_CLAIMS_KEY: expected 32 bytes in base64url (43 characters)');
  }
  if (claimsKey === undefined && claims.some((claim) => claim.readers === 'services')) {
    problems.push('KEYCARD_CLAIMS_KEY: required by the claims only services may read');
  }
  const tokenAudiences = (env.KEYCARD_TOKEN_AUDIENCES ?? '')
    .split(',')
    .map((audience) => audience.trim())
    .filter((audience) => audience !== '');

  const trustedOrigins = parseTrustedOrigins(read('KEYCARD_TRUSTED_ORIGINS'));
  if (trustedOrigins === undefined) {
    problems.push(
      'KEYCARD_TRUSTED_ORIGINS: expected none, or comma-separated origins such as https://app.example.com (scheme, host and port only)',
    );
  }

  const config: KeycardConfig = {
    host: read('KEYCARD_HOST'),
    port: integer('KEYCARD_PORT', 0, 65_535),
    databaseUrl,
    databasePoolSize: integer('KEYCARD_DATABASE_POOL_SIZE', 1, 1000),
    dataDir,
    secret,
    accessTtlSeconds: duration('KEYCARD_ACCESS_TTL'),
    shortIdleSeconds: duration('KEYCARD_SHORT_IDLE'),
    shortAbsoluteSeconds: duration('KEYCARD_SHORT_ABSOLUTE'),
    longIdleSeconds: duration('KEYCARD_LONG_IDLE'),
    longAbsoluteSeconds: duration('KEYCARD_LONG_ABSOLUTE'),
    anonymousIdleSeconds: duration('KEYCARD_ANONYMOUS_IDLE'),
    anonymousAbsoluteSeconds: duration('KEYCARD_ANONYMOUS_ABSOLUTE'),
    refreshGraceSeconds: duration('KEYCARD_REFRESH_GRACE'),
    elevationTtlSeconds: duration('KEYCARD_ELEVATION_TTL'),
    sessionGroups,
    apiVersions,
    defaultApiVersion,
    deniedApiVersions,
    legacyJwtSecret,
    sweepIntervalSeconds: duration('KEYCARD_SWEEP_INTERVAL'),
    cacheMaxSessions: integer('KEYCARD_CACHE_SIZE', 0, 100_000_000),
    redisUrl,
    redisKeyPrefix: read('KEYCARD_REDIS_PREFIX'),
    feedDownTrustSeconds: duration('KEYCARD_FEED_DOWN_TRUST'),
    // On SQLite too: `keycard sessions revoke` and `users disable` change the database from another process.
    changePollSeconds: optionalDuration('KEYCARD_CHANGE_POLL', 2) ?? 0,
    cacheMaxStalenessSeconds: maxStaleness === 0 ? undefined : maxStaleness,
    logLevel,
    metricsPort,
    metricsHost: read('KEYCARD_METRICS_HOST'),
    metricsToken,
    shutdownTimeoutSeconds: duration('KEYCARD_SHUTDOWN_TIMEOUT'),
    rateLimits: rateLimitsSwitch === 'off' ? undefined : rateLimits,
    auditRetentionSeconds: duration('KEYCARD_AUDIT_RETENTION'),
    trustProxy,
    accessTokenFormat: accessTokenFormat === 'jwt' ? 'jwt' : 'opaque',
    issuer:
      issuerText === ''
        ? `http://${read('KEYCARD_HOST')}:${read('KEYCARD_PORT')}`
        : issuerText.replace(/\/+$/, ''),
    audiences,
    jwtTtlSeconds: duration('KEYCARD_JWT_TTL'),
    clockSkewSeconds,
    jwtAlg: (JWT_ALGORITHMS as readonly string[]).includes(jwtAlg)
      ? (jwtAlg as KeycardConfig['jwtAlg'])
      : 'EdDSA',
    jwtKeyFile: env.KEYCARD_JWT_KEY_FILE?.trim() ? env.KEYCARD_JWT_KEY_FILE.trim() : undefined,
    serviceKeys,
    claims,
    claimsKey,
    tokenAudiences,
    trustedOrigins: trustedOrigins ?? [],
  };
  if (config.metricsPort !== undefined && config.metricsPort !== 0 && config.metricsPort === config.port) {
    problems.push('KEYCARD_METRICS_PORT: must differ from KEYCARD_PORT');
  }
  if (config.shortIdleSeconds > config.shortAbsoluteSeconds) {
    problems.push('KEYCARD_SHORT_IDLE: must not be longer than KEYCARD_SHORT_ABSOLUTE');
  }
  if (config.longIdleSeconds > config.longAbsoluteSeconds) {
    problems.push('KEYCARD_LONG_IDLE: must not be longer than KEYCARD_LONG_ABSOLUTE');
  }
  if (config.anonymousIdleSeconds > config.anonymousAbsoluteSeconds) {
    problems.push('KEYCARD_ANONYMOUS_IDLE: must not be longer than KEYCARD_ANONYMOUS_ABSOLUTE');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * `none`, or origins exactly as browsers send them in `Origin`: an http(s) scheme, a host and an optional port,
 * with no path, no trailing slash and no wildcard. Undefined when any entry is not one.
 */
function parseTrustedOrigins(text: string): string[] | undefined {
  if (text === 'none') return [];
  const origins: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return undefined;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry) return undefined;
    origins.push(entry);
  }
  return origins;
}

function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash === -1) return '.';
  return slash === 0 ? '/' : path.slice(0, slash);
}
