import { KeycardError } from '../core/errors.js';

/** The API versions a server accepts, the one assumed when a request names none, and those it now refuses. */
export interface ApiVersionPolicy {
  readonly supported: readonly string[];
  readonly defaultVersion: string;
  /**
   * Versions refused outright (seed 004: deny a version found vulnerable): requests naming one, and every
   * session created with one, get `api_version_denied`. Never the default version.
   */
  readonly denied?: readonly string[];
}

/** The version a request speaks: the one it names, if supported and not denied, else the default. */
export function resolveApiVersion(policy: ApiVersionPolicy, requested: string | undefined): string {
  if (requested === undefined) return policy.defaultVersion;
  if (policy.denied?.includes(requested) === true) throw new KeycardError('api_version_denied');
  if (!policy.supported.includes(requested)) throw new KeycardError('unsupported_api_version');
  return requested;
}
