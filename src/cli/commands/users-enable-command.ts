import { type Command, jsonOption } from '../command.js';
import { CommandFailedError } from '../exit-codes.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { userJson } from '../present-records.js';
import { printJson } from '../print-output.js';
import { requireUser } from '../require-user.js';

export const usersEnableCommand: Command = {
  name: 'users enable',
  summary: 'Let a disabled account sign in again',
  help: `Usage: keycard users enable <email|uuid> [--json]

Lifts \`keycard users disable\`: the account can sign in again. Sessions revoked when it was disabled stay
revoked. Enabling an enabled account changes nothing.

Exit codes: 0 enabled; 1 no such user; 2 usage.
`,
  async run(args) {
    const { values, positionals } = parseCommandLine(args, jsonOption, { names: ['email|uuid'] });
    const [name = ''] = positionals;
    const user = await withAdminKeycard(async (keycard) =>
      keycard.admin.enableUser((await requireUser(keycard, name)).uuid),
    );
    if (user === undefined) throw new CommandFailedError(`no user ${name}`);
    if (values.json === true) printJson(userJson(user));
    else process.stdout.write(`Enabled ${user.email}.\n`);
    return 0;
  },
};
