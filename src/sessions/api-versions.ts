import { KeycardError } from '../core/errors.js';

/** The API versions a server accepts, and the one assumed when a request names none. */
export interface ApiVersionPolicy {
  readonly supported: readonly string[];
  readonly defaultVersion: string;
}

/** The version a request speaks: the one it names, if supported, else the default. */
export function resolveApiVersion(policy: ApiVersionPolicy, requested: string | undefined): string {
  if (requested === undefined) return policy.defaultVersion;
  if (!policy.supported.includes(requested)) throw new KeycardError('unsupported_api_version');
  return requested;
}
