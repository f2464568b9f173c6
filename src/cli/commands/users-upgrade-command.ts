import { type Command, jsonOption } from '../command.js';
import { CommandFailedError } from '../exit-codes.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { userJson } from '../present-records.js';
import { printJson } from '../print-output.js';
import { requireUser } from '../require-user.js';

export const usersUpgradeCommand: Command = {
  name: 'users upgrade',
  summary: 'Move a legacy account (version 003) to sessions (004)',
  help: `Usage: keycard users upgrade <email|uuid> [--json]

Sets a legacy account's version to 004. Its legacy JWTs stop working at once (\`session_required\`): its
client signs in again and gets a session. The account can also upgrade itself with \`POST /auth/upgrade\`.
Upgrading a current account changes nothing.

Exit codes: 0 upgraded (or already current); 1 no such user; 2 usage.
`,
  async run(args) {
    const { values, positionals } = parseCommandLine(args, jsonOption, { names: ['email|uuid'] });
    const [name = ''] = positionals;
    const user = await withAdminKeycard(async (keycard) =>
      keycard.admin.upgradeUser((await requireUser(keycard, name)).uuid),
    );
    if (user === undefined) throw new CommandFailedError(`no user ${name}`);
    if (values.json === true) printJson(userJson(user));
    else process.stdout.write(`${user.email} is on account version ${user.version}.\n`);
    return 0;
  },
};
