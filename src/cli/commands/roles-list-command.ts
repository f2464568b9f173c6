import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { printResult } from '../print-result.js';
import { ROLES_EXIT_CODES } from './roles-exit-codes.js';

export const rolesListCommand: Command = {
  name: 'roles list',
  summary: 'List roles and the permissions they grant',
  help: `Usage: keycard roles list [--json]\n\n${ROLES_EXIT_CODES}`,
  async run(args) {
    const { values } = parseCommandLine(args, jsonOption);
    const roles = await withAdminKeycard((keycard) => keycard.admin.access.listRoles());
    const json = roles.map((role) => ({
      name: role.name,
      description: role.description,
      permissions: role.permissions,
    }));
    printResult(
      values.json,
      { roles: json },
      roles.map((role) => `${role.name}\t${role.permissions.join(',') || '-'}`).join('\n'),
    );
    return 0;
  },
};
