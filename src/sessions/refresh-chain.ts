import { deriveSecret } from '../tokens/opaque-secret.js';

/**
 * The refresh-token chain. Generation 0's refresh secret is random; every later secret is derived from the one
 * before it with an HMAC under the server key, and each generation's access secret from its refresh secret:
 *
 *   refresh[n+1] = HMAC(key, "keycard refresh" ‖ refresh[n])      access[n] = HMAC(key, "keycard access" ‖ refresh[n])
 *
 * Storing only hashes, this still lets the server
 * - answer a retried refresh (within the grace period) with the *same* successor pair, and
 * - tell a genuine older token of the chain (reuse: revoke the session) from a forged one (just refuse it), by
 *   walking forward from the presented secret to the stored hash.
 * Without the key nobody can walk the chain, so knowing an old token does not reveal a newer one.
 */
const REFRESH_LABEL = 'keycard refresh v1';
const ACCESS_LABEL = 'keycard access v1';

/** How far back a presented token is followed to prove reuse; older ones are simply refused. */
export const MAX_CHAIN_WALK = 1000;

export function nextRefreshSecret(key: Uint8Array, refreshSecret: string): string {
  return deriveSecret(key, REFRESH_LABEL, refreshSecret);
}

function accessSecretFor(key: Uint8Array, refreshSecret: string): string {
  return deriveSecret(key, ACCESS_LABEL, refreshSecret);
}

/** A generation's two secrets: its refresh secret, and the access secret derived from it. */
export interface GenerationSecrets {
  readonly refresh: string;
  readonly access: string;
}

/**
 * The secrets of the generation whose refresh secret is `refreshSecret`, each derived once: the stored hashes and
 * the tokens handed out are made from the same pair.
 */
export function generationSecrets(key: Uint8Array, refreshSecret: string): GenerationSecrets {
  return { refresh: refreshSecret, access: accessSecretFor(key, refreshSecret) };
}

/** The secrets of the generation after the one whose refresh secret is `refreshSecret`. */
export function nextGenerationSecrets(key: Uint8Array, refreshSecret: string): GenerationSecrets {
  return generationSecrets(key, nextRefreshSecret(key, refreshSecret));
}

/** Derives the refresh secret `steps` generations after `refreshSecret`. */
export function advanceRefreshSecret(key: Uint8Array, refreshSecret: string, steps: number): string {
  let secret = refreshSecret;
  for (let step = 0; step < steps; step += 1) secret = nextRefreshSecret(key, secret);
  return secret;
}
