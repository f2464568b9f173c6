import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { printResult } from '../print-result.js';
import { requireUser } from '../require-user.js';
import { ROLES_EXIT_CODES } from './roles-exit-codes.js';

/**
 * `keycard roles assign|unassign <role> <user>`: the roles a user holds. One idea, two directions, so one
 * factory; taking `admin` from the last administrator is refused either way it could happen.
 */
function userRoleCommand(held: boolean): Command {
  const verb = held ? 'assign' : 'unassign';
  return {
    name: `roles ${verb}`,
    summary: held ? 'Give a user a role (e.g. the first admin)' : 'Take a role from a user',
    help: `Usage: keycard roles ${verb} <role> <email|uuid> [--json]

${held ? 'Make the first administrator with: keycard roles assign admin you@example.com' : 'Taking admin from the last administrator is refused.'}
The user's existing access tokens get claims_stale; their next refresh carries the change.

${ROLES_EXIT_CODES}`,
    async run(args) {
      const { values, positionals } = parseCommandLine(args, jsonOption, { names: ['role', 'email|uuid'] });
      const [role = '', name = ''] = positionals;
      const access = await withAdminKeycard(async (keycard) =>
        keycard.admin.access.setUserRole((await requireUser(keycard, name)).uuid, role, held),
      );
      printResult(
        values.json,
        { roles: access.roles, permissions: access.permissions },
        `${name}: roles ${access.roles.join(', ') || '-'}; permissions ${access.permissions.join(', ') || '-'}`,
      );
      return 0;
    },
  };
}

export const rolesAssignCommand = userRoleCommand(true);
export const rolesUnassignCommand = userRoleCommand(false);
