import { isKeycardError } from '../../core/errors.js';
import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { printResult } from '../print-result.js';
import { ROLES_EXIT_CODES } from './roles-exit-codes.js';

/**
 * `keycard roles grant|revoke <role> <permission>`: the permissions a role grants. One idea, two directions,
 * so one factory: every holder's stamp is bumped either way.
 */
function rolePermissionCommand(granted: boolean): Command {
  const verb = granted ? 'grant' : 'revoke';
  return {
    name: `roles ${verb}`,
    summary: granted ? 'Give a role a permission (created if new)' : 'Take a permission from a role',
    help: `Usage: keycard roles ${verb} <role> <permission> [--json]

Permissions are named resource:action in lower case (e.g. notes:write)${granted ? '; a new one is created' : ''}.

${ROLES_EXIT_CODES}`,
    async run(args) {
      const { values, positionals } = parseCommandLine(args, jsonOption, { names: ['role', 'permission'] });
      const [roleName = '', permission = ''] = positionals;
      const role = await withAdminKeycard(async (keycard) => {
        const { access } = keycard.admin;
        if (granted) {
          try {
            await access.createPermission(permission);
          } catch (error) {
            if (!isKeycardError(error, 'name_taken')) throw error;
          }
        }
        return access.setRolePermission(roleName, permission, granted);
      });
      printResult(
        values.json,
        { name: role.name, permissions: role.permissions },
        `${role.name}: ${role.permissions.join(', ') || '(no permissions)'}`,
      );
      return 0;
    },
  };
}

export const rolesGrantCommand = rolePermissionCommand(true);
export const rolesRevokeCommand = rolePermissionCommand(false);
