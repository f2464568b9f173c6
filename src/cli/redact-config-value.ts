import type { ConfigVariable } from '../core/config.js';

export const REDACTED = 'REDACTED';

/** Variables that are secrets as a whole: only whether they are set is shown. */
const SECRET_VARIABLES: ReadonlySet<ConfigVariable> = new Set([
  'KEYCARD_SECRET',
  'KEYCARD_METRICS_TOKEN',
  'KEYCARD_LEGACY_JWT_SECRET',
]);
/** Variables that are URLs which may hold a password (in the user part or a query parameter). */
const URL_VARIABLES: ReadonlySet<ConfigVariable> = new Set(['KEYCARD_DATABASE_URL', 'KEYCARD_REDIS_URL']);
/** Query parameters pg and ioredis read a password from. */
const PASSWORD_PARAMETERS = ['password', 'sslpassword'];

/** A variable's value as `keycard config check` may print it: secrets and passwords replaced by `REDACTED`. */
export function redactConfigValue(name: ConfigVariable, value: string): string {
  if (SECRET_VARIABLES.has(name)) return REDACTED;
  if (!URL_VARIABLES.has(name) || value.startsWith('sqlite:')) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not even a URL: it might still be a password pasted in the wrong place.
    return REDACTED;
  }
  if (url.password !== '') url.password = REDACTED;
  for (const parameter of PASSWORD_PARAMETERS) {
    if (url.searchParams.has(parameter)) url.searchParams.set(parameter, REDACTED);
  }
  return url.href;
}
