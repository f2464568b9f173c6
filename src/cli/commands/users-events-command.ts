import { MAX_EVENTS_PAGE_SIZE } from '../../audit/list-user-events.js';
import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine, parseWholeNumber } from '../parse-command-line.js';
import { eventColumns, eventJson, eventRow } from '../present-records.js';
import { printJson, printTable } from '../print-output.js';
import { requireUser } from '../require-user.js';

export const usersEventsCommand: Command = {
  name: 'users events',
  summary: "Page through an account's audit log, newest first",
  help: `Usage: keycard users events <email|uuid> [--limit N] [--cursor C] [--json]

Prints a page of the account's security history (the audit log: sessions created, refreshed, revoked with the
reason, reuse detected, failed sign-ins), newest first. When there are older events, the cursor of the next page
is printed last (in --json: "next_cursor").

Options:
  --limit N    Events per page, 1 to ${MAX_EVENTS_PAGE_SIZE} (default 20)
  --cursor C   The next_cursor of the previous page
  --json       Print {"events": […], "next_cursor": …}

Exit codes: 0 printed; 1 no such user, or a bad cursor; 2 usage.
`,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      args,
      { ...jsonOption, limit: { type: 'string' }, cursor: { type: 'string' } },
      { names: ['email|uuid'] },
    );
    const [name = ''] = positionals;
    const limit = parseWholeNumber(values.limit, 'limit', {
      min: 1,
      max: MAX_EVENTS_PAGE_SIZE,
      fallback: 20,
    });
    const page = await withAdminKeycard(async (keycard) => {
      const user = await requireUser(keycard, name);
      return keycard.listUserEvents(user.uuid, {
        limit,
        ...(values.cursor === undefined ? {} : { cursor: values.cursor }),
      });
    });
    if (values.json === true) {
      printJson({ events: page.events.map(eventJson), next_cursor: page.nextCursor });
      return 0;
    }
    printTable(eventColumns, page.events.map(eventRow), 'No events.');
    if (page.nextCursor !== null) process.stdout.write(`Next page: --cursor ${page.nextCursor}\n`);
    return 0;
  },
};
