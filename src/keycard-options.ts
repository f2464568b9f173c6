import type { KeycardConfig } from './core/config.js';
import type { KeycardOptions } from './keycard.js';

/**
 * The options every Keycard built from the configuration shares, the server's and the CLI's: lifetimes, token
 * times, API versions and audit retention. The server adds its cache and rate-limit settings.
 */
export function keycardOptionsFrom(config: KeycardConfig, secret: Uint8Array): KeycardOptions {
  return {
    secret,
    lifetimes: {
      short: { idleSeconds: config.shortIdleSeconds, absoluteSeconds: config.shortAbsoluteSeconds },
      long: { idleSeconds: config.longIdleSeconds, absoluteSeconds: config.longAbsoluteSeconds },
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
    ...(config.legacyJwtSecret === undefined ? {} : { legacyJwtSecret: config.legacyJwtSecret }),
  };
}
