import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { printResult } from '../print-result.js';
import { ROLES_EXIT_CODES } from './roles-exit-codes.js';

export const rolesCreateCommand: Command = {
  name: 'roles create',
  summary: 'Create a role',
  help: `Usage: keycard roles create <name> [--description TEXT] [--json]

A role name is lower-case letters, digits, _ and - (e.g. editor).

${ROLES_EXIT_CODES}`,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      args,
      { ...jsonOption, description: { type: 'string' } },
      { names: ['name'] },
    );
    const [name = ''] = positionals;
    const role = await withAdminKeycard((keycard) =>
      keycard.admin.access.createRole(name, values.description ?? null),
    );
    printResult(
      values.json,
      { name: role.name, description: role.description, permissions: [] },
      `Created role ${role.name}.`,
    );
    return 0;
  },
};
