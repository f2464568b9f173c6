import type { Command } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { ROLES_EXIT_CODES } from './roles-exit-codes.js';

export const rolesDeleteCommand: Command = {
  name: 'roles delete',
  summary: 'Delete a role (its holders lose it)',
  help: `Usage: keycard roles delete <name>\n\nThe built-in admin role cannot be deleted.\n\n${ROLES_EXIT_CODES}`,
  async run(args) {
    const { positionals } = parseCommandLine(args, {}, { names: ['name'] });
    const [name = ''] = positionals;
    await withAdminKeycard((keycard) => keycard.admin.access.deleteRole(name));
    process.stdout.write(`Deleted role ${name}.\n`);
    return 0;
  },
};
