import { UsageError } from './exit-codes.js';

/** Where a password may come from besides stdin: the environment, which unlike argv is not shown by `ps`. */
export const PASSWORD_VARIABLE = 'KEYCARD_USER_PASSWORD';
/** 1024 characters of up to 4 bytes each, and a line break: anything longer is not a password. */
const MAX_STDIN_BYTES = 4100;

/**
 * The new account's password, from stdin (`--password-stdin`: everything up to the end, less one trailing line
 * break) or from `KEYCARD_USER_PASSWORD`, exactly one of the two. Never from the command line.
 */
export async function readNewPassword(
  fromStdin: boolean,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const fromEnv = env[PASSWORD_VARIABLE];
  if (fromStdin && fromEnv !== undefined) {
    throw new UsageError(`give the password either on stdin or in ${PASSWORD_VARIABLE}, not both`);
  }
  if (fromEnv !== undefined) return fromEnv;
  if (!fromStdin) {
    throw new UsageError(
      `no password: pipe it in with --password-stdin, or set ${PASSWORD_VARIABLE} (never on the command line)`,
    );
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    length += bytes.length;
    if (length > MAX_STDIN_BYTES) throw new UsageError('the password on stdin is too long');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
