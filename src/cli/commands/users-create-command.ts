import { ACCOUNT_VERSIONS, isAccountVersion } from '../../accounts/legacy-accounts.js';
import { CURRENT_ACCOUNT_VERSION } from '../../accounts/user.js';
import { type Command, jsonOption } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { userColumns, userJson, userRow } from '../present-records.js';
import { printJson, printTable } from '../print-output.js';
import { PASSWORD_VARIABLE, readNewPassword } from '../read-new-password.js';

export const usersCreateCommand: Command = {
  name: 'users create',
  summary: 'Create an account (password from stdin or the environment)',
  help: `Usage: keycard users create <email> --password-stdin [--account-version 003|004] [--json]
       ${PASSWORD_VARIABLE}=… keycard users create <email> [--account-version 003|004] [--json]

Creates an account that can sign in, without a session. The email is normalised (trimmed, lower-cased) and
the password checked as registration does (8 to 1024 characters, not a very common one). The password is
never taken from the command line, where \`ps\` shows it: pipe it in, or set ${PASSWORD_VARIABLE}.

Options:
  --password-stdin   Read the password from stdin (up to the end; one trailing line break is dropped)
  --account-version  004 (the default) signs in to sessions; 003 makes a legacy account, which signs in to a
                     JWT and no session (to move a legacy deployment's accounts over; see \`users upgrade\`)
  --json             Print the account as JSON

Exit codes: 0 created; 1 refused (invalid email, password_too_weak, email_taken); 2 usage.
`,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      args,
      {
        ...jsonOption,
        'password-stdin': { type: 'boolean' },
        password: { type: 'string' },
        'account-version': { type: 'string' },
      },
      { names: ['email'] },
    );
    if (values.password !== undefined) {
      throw new UsageError(
        `--password is refused: the command line shows in \`ps\`; use --password-stdin or ${PASSWORD_VARIABLE}`,
      );
    }
    const accountVersion = values['account-version'] ?? CURRENT_ACCOUNT_VERSION;
    if (!isAccountVersion(accountVersion)) {
      throw new UsageError(`--account-version must be one of ${ACCOUNT_VERSIONS.join(', ')}`);
    }
    const [email = ''] = positionals;
    const password = await readNewPassword(values['password-stdin'] === true, process.env);
    const user = await withAdminKeycard((keycard) =>
      keycard.admin.createUser({ email, password }, accountVersion),
    );
    if (values.json === true) printJson(userJson(user));
    else printTable(userColumns, [userRow(user)]);
    return 0;
  },
};
