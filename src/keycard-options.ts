import { ConfigError, type KeycardConfig } from './core/config.js';
import type { KeycardOptions } from './keycard.js';
import type { JwtOptions } from './keycard-jwt.js';
import { readSigningKeyFile } from './tokens/read-signing-key-file.js';

/**
 * The options every Keycard built from the configuration shares, the server's and the CLI's: lifetimes, token
 * times, API versions, JWT settings and audit retention. The server adds its cache and rate-limit settings.
 * Throws `ConfigError` when `KEYCARD_JWT_KEY_FILE` holds no usable key (an HS256 secret under 32 bytes too).
 */
export function keycardOptionsFrom(config: KeycardConfig, secret: Uint8Array): KeycardOptions {
  return {
    secret,
    lifetimes: {
      short: { idleSeconds: config.shortIdleSeconds, absoluteSeconds: config.shortAbsoluteSeconds },
      long: { idleSeconds: config.longIdleSeconds, absoluteSeconds: config.longAbsoluteSeconds },
      anonymous: {
        idleSeconds: config.anonymousIdleSeconds,
        absoluteSeconds: config.anonymousAbsoluteSeconds,
      },
    },
    accessTtlSeconds: config.accessTtlSeconds,
    refreshGraceSeconds: config.refreshGraceSeconds,
    elevationTtlSeconds: config.elevationTtlSeconds,
    sessionGroups: config.sessionGroups,
    apiVersions: {
      supported: config.apiVersions,
      defaultVersion: config.defaultApiVersion,
      denied: config.deniedApiVersions,
    },
    auditRetentionSeconds: config.auditRetentionSeconds,
    jwt: jwtOptionsFrom(config),
    ...(config.legacyJwtSecret === undefined ? {} : { legacyJwtSecret: config.legacyJwtSecret }),
  };
}

function jwtOptionsFrom(config: KeycardConfig): JwtOptions {
  const options: JwtOptions = {
    format: config.accessTokenFormat,
    issuer: config.issuer,
    audiences: config.audiences,
    ttlSeconds: config.jwtTtlSeconds,
    clockSkewSeconds: config.clockSkewSeconds,
    alg: config.jwtAlg,
    claims: config.claims,
    tokenAudiences: config.tokenAudiences,
    ...(config.claimsKey === undefined ? {} : { claimsKey: config.claimsKey }),
  };
  if (config.jwtKeyFile === undefined) return options;
  try {
    return { ...options, fileKey: readSigningKeyFile(config.jwtKeyFile, config.jwtAlg) };
  } catch (error) {
    throw new ConfigError([
      `KEYCARD_JWT_KEY_FILE: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
}
