import type { Keycard } from '../keycard.js';
import type { SessionFilter } from '../sessions/session-store.js';
import { UsageError } from './exit-codes.js';
import { requireUser } from './require-user.js';

/** The options that pick sessions, shared by `sessions list` and `sessions revoke`. */
export const selectorOptions = {
  user: { type: 'string' },
  'api-version': { type: 'string' },
  all: { type: 'boolean' },
  // Accepted only to say why it does nothing yet.
  group: { type: 'string' },
} as const;

export interface SelectorValues {
  readonly user?: string | undefined;
  readonly 'api-version'?: string | undefined;
  readonly all?: boolean | undefined;
  readonly group?: string | undefined;
}

export const GROUPS_NOT_YET = 'groups do not exist yet (issue 5): --group will select their sessions then';

/**
 * The filter the options name: `--user` and `--api-version` (either or both, combined with AND), or `--all`
 * alone. No selector at all is a usage error: a bare `revoke` must never mean everything.
 */
export async function sessionFilterOf(keycard: Keycard, values: SelectorValues): Promise<SessionFilter> {
  const user = values.user === undefined ? undefined : await requireUser(keycard, values.user);
  return {
    ...(user === undefined ? {} : { userUuid: user.uuid }),
    ...(values['api-version'] === undefined ? {} : { apiVersion: values['api-version'] }),
  };
}

/** Checks the selector options before anything is opened; throws `UsageError`. */
export function checkSelector(values: SelectorValues, others: readonly string[] = []): void {
  if (values.group !== undefined) throw new UsageError(GROUPS_NOT_YET);
  const narrowing = values.user !== undefined || values['api-version'] !== undefined;
  if (values.all === true && (narrowing || others.length > 0)) {
    throw new UsageError('--all cannot be combined with another selector');
  }
  if (values.all !== true && !narrowing && others.length === 0) {
    throw new UsageError('name the sessions: --user, --api-version or --all');
  }
  if (values['api-version'] !== undefined && !/^\d{8}$/.test(values['api-version'])) {
    throw new UsageError('--api-version must be a version such as 20200115');
  }
}
