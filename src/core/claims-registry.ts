/** The JSON types a custom claim may have. */
export const CLAIM_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
export type ClaimType = (typeof CLAIM_TYPES)[number];

/**
 * One custom claim Keycard may put in its JWTs (`KEYCARD_CLAIMS`): only for the audiences listed, and readable by
 * clients, or only by services (then its value is encrypted, a JWE under `KEYCARD_CLAIMS_KEY`).
 */
export interface ClaimDefinition {
  readonly name: string;
  readonly type: ClaimType;
  readonly audiences: readonly string[];
  readonly readers: 'clients' | 'services';
}

/** Names Keycard sets itself, which no custom claim may take. */
const RESERVED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'sid',
  'ver',
  'api',
  'kcp',
  'typ',
  'cnf',
  'groups',
  'roles',
  'perms',
  'elv',
]);
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** Parses `KEYCARD_CLAIMS` (a JSON array); throws a `TypeError` saying what is wrong. */
export function parseClaimsRegistry(text: string): ClaimDefinition[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError('not valid JSON');
  }
  if (!Array.isArray(value)) throw new TypeError('expected a JSON array of {name, type, audiences, readers}');
  const names = new Set<string>();
  return (value as unknown[]).map((entry, index) => {
    const { name, type, audiences, readers, ...rest } = (entry ?? {}) as Record<string, unknown>;
    const at = `claim ${index + 1}`;
    if (Object.keys(rest).length > 0)
      throw new TypeError(`${at}: unknown field ${Object.keys(rest)[0] ?? ''}`);
    if (typeof name !== 'string' || !NAME_PATTERN.test(name))
      throw new TypeError(`${at}: name must be snake_case`);
    if (RESERVED.has(name)) throw new TypeError(`${at}: ${name} is a claim Keycard sets itself`);
    if (names.has(name)) throw new TypeError(`${at}: ${name} is declared twice`);
    names.add(name);
    if (!(CLAIM_TYPES as readonly unknown[]).includes(type)) {
      throw new TypeError(`${at}: type must be one of ${CLAIM_TYPES.join(', ')}`);
    }
    if (
      !Array.isArray(audiences) ||
      audiences.length === 0 ||
      !audiences.every((a) => typeof a === 'string' && a !== '')
    ) {
      throw new TypeError(`${at}: audiences must be a non-empty list of names`);
    }
    if (readers !== 'clients' && readers !== 'services')
      throw new TypeError(`${at}: readers must be clients or services`);
    return { name, type: type as ClaimType, audiences: audiences as string[], readers };
  });
}

/** Whether `value` has the JSON type `type`. */
export function hasClaimType(value: unknown, type: ClaimType): boolean {
  switch (type) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === type && (type !== 'number' || Number.isFinite(value));
    case 'integer':
      return Number.isSafeInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}
