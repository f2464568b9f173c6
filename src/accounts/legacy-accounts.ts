/**
 * Account versions up to `003` are legacy: they authenticate with a JWT (see tokens/legacy-jwt.ts) and have no
 * session. `004` and later sign in to server-side sessions. Versions are three-digit strings, compared as numbers.
 */
export function isLegacyAccountVersion(version: string): boolean {
  return Number.parseInt(version, 10) <= 3;
}

/** Versions an administrator may give an account: the legacy one (for migrated accounts) and the current one. */
export const ACCOUNT_VERSIONS = ['003', '004'] as const;
export type AccountVersion = (typeof ACCOUNT_VERSIONS)[number];

export function isAccountVersion(text: string): text is AccountVersion {
  return (ACCOUNT_VERSIONS as readonly string[]).includes(text);
}
