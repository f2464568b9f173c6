import { isKeycardError } from '../../core/errors.js';
import { type Command, jsonOption } from '../command.js';
import { withAdminKeycard } from '../open-admin-keycard.js';
import { parseCommandLine } from '../parse-command-line.js';
import { printJson } from '../print-output.js';
import { requireUser } from '../require-user.js';

// `keycard roles …`: small commands over the same domain operations as the admin API (every change bumps the
// stamps of the users it affects). Kept in one file because each is a few lines over `keycard.admin.access`.

const EXIT_CODES = 'Exit codes: 0 done; 1 refused (unknown name, duplicate, last admin…); 2 usage.\n';

const say = (json: boolean | undefined, value: unknown, text: string) => {
  if (json === true) printJson(value);
  else process.stdout.write(`${text}\n`);
};

export const rolesListCommand: Command = {
  name: 'roles list',
  summary: 'List roles and the permissions they grant',
  help: `Usage: keycard roles list [--json]\n\n${EXIT_CODES}`,
  async run(args) {
    const { values } = parseCommandLine(args, jsonOption);
    const roles = await withAdminKeycard((keycard) => keycard.admin.access.listRoles());
    const json = roles.map((role) => ({
      name: role.name,
      description: role.description,
      permissions: role.permissions,
    }));
    say(
      values.json,
      { roles: json },
      roles.map((role) => `${role.name}\t${role.permissions.join(',') || '-'}`).join('\n'),
    );
    return 0;
  },
};

export const rolesCreateCommand: Command = {
  name: 'roles create',
  summary: 'Create a role',
  help: `Usage: keycard roles create <name> [--description TEXT] [--json]

A role name is lower-case letters, digits, _ and - (e.g. editor).

${EXIT_CODES}`,
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
    say(
      values.json,
      { name: role.name, description: role.description, permissions: [] },
      `Created role ${role.name}.`,
    );
    return 0;
  },
};

export const rolesDeleteCommand: Command = {
  name: 'roles delete',
  summary: 'Delete a role (its holders lose it)',
  help: `Usage: keycard roles delete <name>\n\nThe built-in admin role cannot be deleted.\n\n${EXIT_CODES}`,
  async run(args) {
    const { positionals } = parseCommandLine(args, {}, { names: ['name'] });
    const [name = ''] = positionals;
    await withAdminKeycard((keycard) => keycard.admin.access.deleteRole(name));
    process.stdout.write(`Deleted role ${name}.\n`);
    return 0;
  },
};

function grantCommand(granted: boolean): Command {
  const verb = granted ? 'grant' : 'revoke';
  return {
    name: `roles ${verb}`,
    summary: granted ? 'Give a role a permission (created if new)' : 'Take a permission from a role',
    help: `Usage: keycard roles ${verb} <role> <permission> [--json]

Permissions are named resource:action in lower case (e.g. notes:write)${granted ? '; a new one is created' : ''}.

${EXIT_CODES}`,
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
      say(
        values.json,
        { name: role.name, permissions: role.permissions },
        `${role.name}: ${role.permissions.join(', ') || '(no permissions)'}`,
      );
      return 0;
    },
  };
}

function assignCommand(held: boolean): Command {
  const verb = held ? 'assign' : 'unassign';
  return {
    name: `roles ${verb}`,
    summary: held ? 'Give a user a role (e.g. the first admin)' : 'Take a role from a user',
    help: `Usage: keycard roles ${verb} <role> <email|uuid> [--json]

${held ? 'Make the first administrator with: keycard roles assign admin you@example.com' : 'Taking admin from the last administrator is refused.'}
The user's existing access tokens get claims_stale; their next refresh carries the change.

${EXIT_CODES}`,
    async run(args) {
      const { values, positionals } = parseCommandLine(args, jsonOption, { names: ['role', 'email|uuid'] });
      const [role = '', name = ''] = positionals;
      const access = await withAdminKeycard(async (keycard) =>
        keycard.admin.access.setUserRole((await requireUser(keycard, name)).uuid, role, held),
      );
      say(
        values.json,
        { roles: access.roles, permissions: access.permissions },
        `${name}: roles ${access.roles.join(', ') || '-'}; permissions ${access.permissions.join(', ') || '-'}`,
      );
      return 0;
    },
  };
}

export const rolesGrantCommand = grantCommand(true);
export const rolesRevokeCommand = grantCommand(false);
export const rolesAssignCommand = assignCommand(true);
export const rolesUnassignCommand = assignCommand(false);
