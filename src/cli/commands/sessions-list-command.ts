import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine, parseWholeNumber } from '../parse-command-line.js';
import { sessionColumns, sessionJson, sessionRow } from '../present-records.js';
import { printJson, printTable } from '../print-output.js';
import { checkSelector, selectorOptions, sessionFilterOf } from '../session-selector.js';

export const sessionsListCommand: Command = {
  name: 'sessions list',
  summary: 'List live sessions by user, by API version, by group, or all',
  help: `Usage: keycard sessions list (--user <email|uuid> | --api-version V | --group G | --all) [--limit N] [--json]

Lists live sessions, oldest first. --user, --api-version and --group may be combined; --all stands alone.

Options:
  --user <email|uuid>   Sessions of this account
  --api-version V       Sessions created with this API version (such as 20190520)
  --group G             Sessions in this group (see KEYCARD_SESSION_GROUPS)
  --all                 Every live session
  --limit N             At most N sessions, 1 to 10000 (default 1000)
  --json                Print {"sessions": […]}

Exit codes: 0 listed; 1 no such user; 2 usage (no selector, unknown option).
`,
  async run(args) {
    const { values } = parseCommandLine(args, {
      ...jsonOption,
      ...selectorOptions,
      limit: { type: 'string' },
    });
    checkSelector(values);
    const limit = parseWholeNumber(values.limit, 'limit', { min: 1, max: 10_000, fallback: 1000 });
    const { sessions, lifetimes } = await withAdminKeycard(async (keycard) => ({
      sessions: await keycard.admin.listSessions(await sessionFilterOf(keycard, values), limit),
      lifetimes: keycard.lifetimes,
    }));
    if (values.json === true) {
      printJson({ sessions: sessions.map((session) => sessionJson(session, lifetimes)) });
    } else {
      printTable(
        sessionColumns,
        sessions.map((session) => sessionRow(session, lifetimes)),
        'No live sessions.',
      );
    }
    return 0;
  },
};
