import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { userJson } from '../present-records.js';
import { isoOrDash, printJson, printTable } from '../print-output.js';
import { requireUser } from '../require-user.js';

/** Live sessions counted for `users show`; more are shown as "10000+". */
const SESSIONS_COUNTED = 10_000;

export const usersShowCommand: Command = {
  name: 'users show',
  summary: 'Show one account and how many live sessions it has',
  help: `Usage: keycard users show <email|uuid> [--json]

Shows an account (never its password hash) and how many live sessions it has.

Exit codes: 0 shown; 1 no such user or an invalid email; 2 usage.
`,
  async run(args) {
    const { values, positionals } = parseCommandLine(args, jsonOption, { names: ['email|uuid'] });
    const [name = ''] = positionals;
    const { user, sessions } = await withAdminKeycard(async (keycard) => {
      const found = await requireUser(keycard, name);
      const live = await keycard.admin.listSessions({ userUuid: found.uuid }, SESSIONS_COUNTED);
      return { user: found, sessions: live.length };
    });
    if (values.json === true) {
      printJson({ ...userJson(user), live_sessions: sessions });
      return 0;
    }
    printTable(
      ['field', 'value'],
      [
        ['uuid', user.uuid],
        ['email', user.email],
        ['version', user.version],
        ['created_at', isoOrDash(user.createdAt)],
        ['updated_at', isoOrDash(user.updatedAt)],
        ['disabled_at', isoOrDash(user.disabledAt)],
        ['live_sessions', sessions >= SESSIONS_COUNTED ? `${SESSIONS_COUNTED}+` : String(sessions)],
      ],
    );
    return 0;
  },
};
