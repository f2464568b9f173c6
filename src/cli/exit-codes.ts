/**
 * What `keycard` exits with (sysexits.h where it has a code for it), so scripts can tell a refused operation
 * from a mistyped command line or a database that is down.
 */
export const ExitCode = {
  ok: 0,
  /** The operation was refused or found nothing: unknown user, email taken, weak password. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument or selector. */
  usage: 2,
  /** EX_UNAVAILABLE: the store could not be reached (or the SQLite file does not exist). */
  unavailable: 69,
  /** EX_SOFTWARE: an unexpected error, a bug. */
  software: 70,
  /** EX_CONFIG: a `KEYCARD_*` variable is invalid. */
  config: 78,
} as const;

/** The command line is wrong; the message says how (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The operation was refused or found nothing; the message says what (exit 1). */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
}

/** The store cannot be reached; the message says where (exit 69). */
export class StoreUnreachableError extends Error {
  override readonly name = 'StoreUnreachableError';
}
