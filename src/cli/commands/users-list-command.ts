import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine, parseWholeNumber } from '../parse-command-line.js';
import { userColumns, userJson, userRow } from '../present-records.js';
import { printJson, printTable } from '../print-output.js';

export const usersListCommand: Command = {
  name: 'users list',
  summary: 'List accounts by email',
  help: `Usage: keycard users list [--limit N] [--after EMAIL] [--json]

Lists accounts ordered by email.

Options:
  --limit N       At most N accounts, 1 to 10000 (default 100)
  --after EMAIL   Start after this email (the last one of the previous page)
  --json          Print {"users": […]}
`,
  async run(args) {
    const { values } = parseCommandLine(args, {
      ...jsonOption,
      limit: { type: 'string' },
      after: { type: 'string' },
    });
    const limit = parseWholeNumber(values.limit, 'limit', { min: 1, max: 10_000, fallback: 100 });
    const users = await withAdminKeycard((keycard) =>
      keycard.admin.listUsers({
        limit,
        ...(values.after === undefined ? {} : { afterEmail: values.after.trim().toLowerCase() }),
      }),
    );
    if (values.json === true) printJson({ users: users.map(userJson) });
    else printTable(userColumns, users.map(userRow), 'No users.');
    return 0;
  },
};
