import { type Command, jsonOption } from '../command.js';
import { UsageError } from '../exit-codes.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { plural, printJson } from '../print-output.js';
import {
  checkSelector,
  narrowingSelectorsOf,
  selectorOptions,
  sessionFilterOf,
} from '../session-selector.js';

export const sessionsRevokeCommand: Command = {
  name: 'sessions revoke',
  summary: 'Revoke sessions by session, user, API version, group, or all',
  help: `Usage: keycard sessions revoke --session <uuid> [--json]
       keycard sessions revoke (--user <email|uuid> | --api-version V | --group G) [--json]
       keycard sessions revoke --all --yes [--json]

Revokes live sessions at once (reason revoked_by_admin: their access and refresh tokens stop working, and a
returning token gets session_revoked) and prints how many. --user, --api-version and --group may be combined.
Running nodes hear of it on the Redis change feed, or by their change poll (KEYCARD_CHANGE_POLL). --all also
bumps the global claims stamp, and --group alone the group's (as POST /admin/groups/{id}/revoke does, which
keeps the sessions): every token issued before, self-contained ones too, gets claims_stale.

Options:
  --session <uuid>      This one session
  --user <email|uuid>   Every session of this account
  --api-version V       Every session created with this API version
  --group G             Every session in this group
  --all                 Every session of every user; needs --yes
  --yes                 Confirm --all
  --json                Print {"revoked": N}

Exit codes: 0 done (even if none matched; a --session that is not live exits 1); 1 no such user or
session; 2 usage (no selector, --all without --yes).
`,
  async run(args) {
    const { values } = parseCommandLine(args, {
      ...jsonOption,
      ...selectorOptions,
      session: { type: 'string' },
      yes: { type: 'boolean' },
    });
    const session = values.session;
    checkSelector(values, session === undefined ? [] : ['--session']);
    const narrowing = narrowingSelectorsOf(values);
    if (session !== undefined && narrowing.length > 0) {
      throw new UsageError('--session cannot be combined with another selector');
    }
    if (values.all === true && values.yes !== true) {
      throw new UsageError('--all revokes every session of every user: add --yes to confirm');
    }
    const revoked = await withAdminKeycard(async (keycard) => {
      if (session === undefined) {
        const count = await keycard.admin.revokeSessions(await sessionFilterOf(keycard, values));
        // Everyone signed out: the global stamp refuses every token issued before, self-contained ones too.
        if (values.all === true) await keycard.admin.bumpStamp('global', '');
        // A whole group signed out, likewise (narrowed by user or API version, it is not the whole group).
        if (values.group !== undefined && narrowing.length === 1) {
          await keycard.admin.bumpStamp('group', values.group);
        }
        return count;
      }
      return (await keycard.admin.revokeSession(session.trim().toLowerCase())) ? 1 : 0;
    });
    if (session !== undefined && revoked === 0) {
      process.stderr.write(`keycard sessions revoke: no live session ${session}\n`);
      if (values.json === true) printJson({ revoked: 0 });
      return 1;
    }
    if (values.json === true) printJson({ revoked });
    else process.stdout.write(`Revoked ${plural(revoked, 'session')}.\n`);
    return 0;
  },
};
