import { SESSION_GROUP_PATTERN } from '../core/config.js';
import type { Keycard } from '../keycard.js';
import type { SessionFilter } from '../sessions/session-store.js';
import { UsageError } from './exit-codes.js';
import { requireUser } from './require-user.js';

/** The options that pick sessions, shared by `sessions list` and `sessions revoke`. */
export const selectorOptions = {
  user: { type: 'string' },
  'api-version': { type: 'string' },
  group: { type: 'string' },
  all: { type: 'boolean' },
} as const;

export interface SelectorValues {
  readonly user?: string | undefined;
  readonly 'api-version'?: string | undefined;
  readonly all?: boolean | undefined;
  readonly group?: string | undefined;
}

/**
 * The filter the options name: `--user`, `--api-version` and `--group` (any of them, combined with AND), or
 * `--all` alone. No selector at all is a usage error: a bare `revoke` must never mean everything.
 */
export async function sessionFilterOf(keycard: Keycard, values: SelectorValues): Promise<SessionFilter> {
  const user = values.user === undefined ? undefined : await requireUser(keycard, values.user);
  return {
    ...(user === undefined ? {} : { userUuid: user.uuid }),
    ...(values['api-version'] === undefined ? {} : { apiVersion: values['api-version'] }),
    ...(values.group === undefined ? {} : { groupId: values.group }),
  };
}

/** The narrowing selectors given (`--user`, `--api-version`, `--group`), by option name. */
export function narrowingSelectorsOf(values: SelectorValues): ('user' | 'api-version' | 'group')[] {
  return (['user', 'api-version', 'group'] as const).filter((name) => values[name] !== undefined);
}

/** Checks the selector options before anything is opened; throws `UsageError`. */
export function checkSelector(values: SelectorValues, others: readonly string[] = []): void {
  const narrowing = narrowingSelectorsOf(values).length > 0;
  if (values.all === true && (narrowing || others.length > 0)) {
    throw new UsageError('--all cannot be combined with another selector');
  }
  if (values.all !== true && !narrowing && others.length === 0) {
    throw new UsageError('name the sessions: --user, --api-version, --group or --all');
  }
  if (values['api-version'] !== undefined && !/^\d{8}$/.test(values['api-version'])) {
    throw new UsageError('--api-version must be a version such as 20200115');
  }
  // Any well-formed group, not only those of KEYCARD_SESSION_GROUPS: sessions stay in a group taken off the list.
  if (values.group !== undefined && !SESSION_GROUP_PATTERN.test(values.group)) {
    throw new UsageError('--group must be a group id: 1 to 64 letters, digits, ".", "_" or "-"');
  }
}
