import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { userJson } from '../present-records.js';
import { plural, printJson } from '../print-output.js';
import { requireUser } from '../require-user.js';
import { CommandFailedError } from '../exit-codes.js';

export const usersDisableCommand: Command = {
  name: 'users disable',
  summary: 'Disable an account and revoke all its sessions',
  help: `Usage: keycard users disable <email|uuid> [--json]

Disables an account: signing in is refused with invalid_credentials (exactly as for a wrong password, so
accounts cannot be enumerated), and every session it has is revoked at once (reason user_disabled: its access
and refresh tokens stop working). Running nodes hear of it on the Redis change feed, or by their change poll
(KEYCARD_CHANGE_POLL). \`keycard users enable\` lifts it; revoked sessions stay revoked.

Exit codes: 0 disabled; 1 no such user; 2 usage.
`,
  async run(args) {
    const { values, positionals } = parseCommandLine(args, jsonOption, { names: ['email|uuid'] });
    const [name = ''] = positionals;
    const disabled = await withAdminKeycard(async (keycard) => {
      const user = await requireUser(keycard, name);
      return keycard.admin.disableUser(user.uuid);
    });
    if (disabled === undefined) throw new CommandFailedError(`no user ${name}`);
    if (values.json === true) {
      printJson({ user: userJson(disabled.user), sessions_revoked: disabled.sessionsRevoked });
    } else {
      process.stdout.write(
        `Disabled ${disabled.user.email}; revoked ${plural(disabled.sessionsRevoked, 'session')}.\n`,
      );
    }
    return 0;
  },
};
