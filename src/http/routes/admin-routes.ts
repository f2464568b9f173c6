import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ADMIN_PERMISSION } from '../../access/permission-names.js';
import { KeycardError } from '../../core/errors.js';
import type { Keycard } from '../../keycard.js';
import { emptyBodyWhenAbsent } from '../empty-body-when-absent.js';
import { requireElevated, requirePermission } from '../guards.js';
import { adminRequestContextOf, callerOf } from '../request-context.js';
import { ApiVersionField, ApiVersionQuery, NoBody, NoContent, Uuid } from '../schemas/common-schemas.js';
import {
  AccessBody,
  AdminSessionBody,
  ManagedUserBody,
  NewNamedBody,
  PermissionBody,
  presentAccess,
  presentAdminSession,
  presentManagedUser,
  presentPermission,
  presentRole,
  RoleBody,
} from '../schemas/admin-schemas.js';
import { ACCESS_TOKEN_ERRORS, BEARER_SECURITY, withErrorCodes } from '../schemas/error-responses.js';

/** Every admin call: an access token whose user holds `keycard:admin`, on an elevated session. */
const ADMIN_ERRORS = [
  ...ACCESS_TOKEN_ERRORS,
  'permission_denied',
  'elevation_required',
  // A malformed path parameter or query.
  'invalid_request',
] as const;
const tags = ['admin'];
const security = BEARER_SECURITY;
const querystring = ApiVersionQuery;
const RoleParams = Type.Object({ role: Type.String({ maxLength: 200 }) });
const PermissionParams = Type.Object({ permission: Type.String({ maxLength: 200 }) });
const RolePermissionParams = Type.Object({
  role: Type.String({ maxLength: 200 }),
  permission: Type.String({ maxLength: 200 }),
});
const UserParams = Type.Object({ uuid: Uuid });
const UserRoleParams = Type.Object({ uuid: Uuid, role: Type.String({ maxLength: 200 }) });
const UserPermissionParams = Type.Object({ uuid: Uuid, permission: Type.String({ maxLength: 200 }) });
const Revoked = Type.Object({ revoked: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

/**
 * The admin API under `/admin`: roles and permissions, users, their sessions, groups. Every route requires
 * `keycard:admin` and an elevated session; every change to what someone holds bumps their stamp.
 */
export function adminRoutes(keycard: Keycard): FastifyPluginAsyncTypebox {
  const { admin } = keycard;
  const { access } = admin;
  /** The operations as done for this request: the audit log learns its address and the acting administrator. */
  const adminOf = (request: FastifyRequest) =>
    keycard.adminFor(adminRequestContextOf(request, callerOf(request).user.uuid));
  const user = async (uuid: string) => {
    const found = await admin.findUser(uuid);
    if (found === undefined) throw new KeycardError('user_not_found');
    return found;
  };

  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    const preHandler = [requirePermission(ADMIN_PERMISSION), requireElevated()];
    const noBody = { preValidation: emptyBodyWhenAbsent, preHandler };

    app.get(
      '/admin/roles',
      {
        schema: withErrorCodes(ADMIN_ERRORS, {
          summary: 'List roles',
          description: 'Every role with the permissions it grants; `admin` is built in.',
          tags,
          security,
          querystring,
          response: { 200: Type.Object({ roles: Type.Array(RoleBody) }, { additionalProperties: false }) },
        }),
        preHandler,
      },
      async () => ({ roles: (await access.listRoles()).map(presentRole) }),
    );

    app.post(
      '/admin/roles',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'name_taken'], {
          summary: 'Create a role',
          description: 'A lower-case name of letters, digits, _ and - (e.g. `editor`), and a description.',
          tags,
          security,
          querystring,
          body: NewNamedBody,
          response: { 201: RoleBody },
        }),
        preHandler,
      },
      async (request, reply) => {
        const role = await adminOf(request).access.createRole(
          request.body.name,
          request.body.description ?? null,
        );
        return reply.code(201).send(presentRole(role));
      },
    );

    app.get(
      '/admin/roles/:role',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'role_not_found'], {
          summary: 'A role and its permissions',
          description: 'The role named in the path.',
          tags,
          security,
          querystring,
          params: RoleParams,
          response: { 200: RoleBody },
        }),
        preHandler,
      },
      async (request) => presentRole(await access.findRole(request.params.role)),
    );

    app.delete(
      '/admin/roles/:role',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'role_not_found', 'builtin_protected', 'last_admin'], {
          summary: 'Delete a role',
          description:
            'Its holders lose it; their stamps are bumped. The built-in `admin` role cannot go, nor a role ' +
            'that would leave no enabled administrator (`last_admin`).',
          tags,
          security,
          querystring,
          params: RoleParams,
          body: NoBody,
          response: { 204: { ...NoContent, description: 'Deleted.' } },
        }),
        ...noBody,
      },
      async (request, reply) => {
        await adminOf(request).access.deleteRole(request.params.role);
        return reply.code(204).send(null);
      },
    );

    for (const granted of [true, false]) {
      const route = {
        schema: withErrorCodes(
          [
            ...ADMIN_ERRORS,
            'role_not_found',
            'permission_not_found',
            'builtin_protected',
            ...(granted ? [] : (['last_admin'] as const)),
          ],
          {
            summary: granted ? 'Grant a permission to a role' : 'Take a permission from a role',
            description:
              'Every holder of the role gets their stamp bumped. `keycard:admin` cannot be taken from `admin`, ' +
              'nor from a role whose holders are the only enabled administrators (`last_admin`).',
            tags,
            security,
            querystring,
            params: RolePermissionParams,
            body: NoBody,
            response: { 200: RoleBody },
          },
        ),
        ...noBody,
      };
      const url = '/admin/roles/:role/permissions/:permission';
      const handler = async (request: FastifyRequest & { params: { role: string; permission: string } }) =>
        presentRole(
          await adminOf(request).access.setRolePermission(
            request.params.role,
            request.params.permission,
            granted,
          ),
        );
      if (granted) app.put(url, route, handler);
      else app.delete(url, route, handler);
    }

    app.get(
      '/admin/permissions',
      {
        schema: withErrorCodes(ADMIN_ERRORS, {
          summary: 'List permissions',
          description: 'Every permission, `keycard:admin` included.',
          tags,
          security,
          querystring,
          response: {
            200: Type.Object({ permissions: Type.Array(PermissionBody) }, { additionalProperties: false }),
          },
        }),
        preHandler,
      },
      async () => ({ permissions: (await access.listPermissions()).map(presentPermission) }),
    );

    app.post(
      '/admin/permissions',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'name_taken'], {
          summary: 'Create a permission',
          description: 'Named `resource:action` in lower case, e.g. `notes:write`.',
          tags,
          security,
          querystring,
          body: NewNamedBody,
          response: { 201: PermissionBody },
        }),
        preHandler,
      },
      async (request, reply) => {
        const permission = await adminOf(request).access.createPermission(
          request.body.name,
          request.body.description ?? null,
        );
        return reply.code(201).send(presentPermission(permission));
      },
    );

    app.delete(
      '/admin/permissions/:permission',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'permission_not_found', 'builtin_protected'], {
          summary: 'Delete a permission',
          description: 'Taken from every role and user holding it (their stamps are bumped).',
          tags,
          security,
          querystring,
          params: PermissionParams,
          body: NoBody,
          response: { 204: { ...NoContent, description: 'Deleted.' } },
        }),
        ...noBody,
      },
      async (request, reply) => {
        await adminOf(request).access.deletePermission(request.params.permission);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/admin/users',
      {
        schema: withErrorCodes(ADMIN_ERRORS, {
          summary: 'List or find users',
          description: 'By email order, `limit` at a time after `after` (an email); `email` finds one.',
          tags,
          security,
          querystring: Type.Object(
            {
              email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
              after: Type.Optional(Type.String({ maxLength: 320 })),
              // Query strings are text and validation does not coerce: 1 to 500 as text.
              limit: Type.Optional(
                Type.String({
                  pattern: '^([1-9][0-9]?|[1-4][0-9][0-9]|500)$',
                  description: '1 to 500; default 100.',
                }),
              ),
              api: ApiVersionField,
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ users: Type.Array(ManagedUserBody) }, { additionalProperties: false }),
          },
        }),
        preHandler,
      },
      async (request) => {
        const { email, after, limit = '100' } = request.query;
        if (email !== undefined) {
          const found = await admin.findUser(email);
          return { users: found === undefined ? [] : [presentManagedUser(found)] };
        }
        const users = await admin.listUsers({
          limit: Number(limit),
          ...(after === undefined ? {} : { afterEmail: after }),
        });
        return { users: users.map(presentManagedUser) };
      },
    );

    app.get(
      '/admin/users/:uuid',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'user_not_found'], {
          summary: 'A user, their roles and effective permissions',
          description: 'Effective permissions: held directly or through a role.',
          tags,
          security,
          querystring,
          params: UserParams,
          response: {
            200: Type.Object(
              {
                user: ManagedUserBody,
                roles: Type.Array(Type.String()),
                permissions: Type.Array(Type.String()),
              },
              { additionalProperties: false },
            ),
          },
        }),
        preHandler,
      },
      async (request) => {
        const found = await user(request.params.uuid);
        return { user: presentManagedUser(found), ...presentAccess(await access.userAccess(found.uuid)) };
      },
    );

    for (const held of [true, false]) {
      const codes = [...ADMIN_ERRORS, 'user_not_found', 'last_admin'] as const;
      const roleRoute = {
        schema: withErrorCodes([...codes, 'role_not_found'], {
          summary: held ? 'Give a user a role' : 'Take a role from a user',
          description:
            'Bumps the user’s stamp. Taking `admin` from the last administrator is refused (`last_admin`).',
          tags,
          security,
          querystring,
          params: UserRoleParams,
          body: NoBody,
          response: { 200: AccessBody },
        }),
        ...noBody,
      };
      const permissionRoute = {
        schema: withErrorCodes([...codes, 'permission_not_found'], {
          summary: held ? 'Grant a user a permission' : 'Take a permission from a user',
          description:
            'Bumps the user’s stamp. Taking `keycard:admin` from the last administrator is refused.',
          tags,
          security,
          querystring,
          params: UserPermissionParams,
          body: NoBody,
          response: { 200: AccessBody },
        }),
        ...noBody,
      };
      const roleHandler = async (request: FastifyRequest & { params: { uuid: string; role: string } }) =>
        presentAccess(
          await adminOf(request).access.setUserRole(
            request.params.uuid.toLowerCase(),
            request.params.role,
            held,
          ),
        );
      const permissionHandler = async (
        request: FastifyRequest & { params: { uuid: string; permission: string } },
      ) =>
        presentAccess(
          await adminOf(request).access.setUserPermission(
            request.params.uuid.toLowerCase(),
            request.params.permission,
            held,
          ),
        );
      if (held) {
        app.put('/admin/users/:uuid/roles/:role', roleRoute, roleHandler);
        app.put('/admin/users/:uuid/permissions/:permission', permissionRoute, permissionHandler);
      } else {
        app.delete('/admin/users/:uuid/roles/:role', roleRoute, roleHandler);
        app.delete('/admin/users/:uuid/permissions/:permission', permissionRoute, permissionHandler);
      }
    }

    for (const action of ['disable', 'enable'] as const) {
      app.post(
        `/admin/users/:uuid/${action}`,
        {
          schema: withErrorCodes([...ADMIN_ERRORS, 'user_not_found', 'last_admin'], {
            summary: action === 'disable' ? 'Disable a user' : 'Enable a user',
            description:
              action === 'disable'
                ? 'Sign-in refused, every session revoked at once (reason `user_disabled`).'
                : 'Sign-in allowed again.',
            tags,
            security,
            querystring,
            params: UserParams,
            body: NoBody,
            response: { 200: ManagedUserBody },
          }),
          ...noBody,
        },
        async (request) => {
          const uuid = request.params.uuid.toLowerCase();
          const changed =
            action === 'disable'
              ? (await adminOf(request).disableUser(uuid))?.user
              : await adminOf(request).enableUser(uuid);
          if (changed === undefined) throw new KeycardError('user_not_found');
          return presentManagedUser(changed);
        },
      );
    }

    app.get(
      '/admin/users/:uuid/sessions',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'user_not_found'], {
          summary: 'A user’s live sessions',
          description: 'Oldest first, with their group and elevation.',
          tags,
          security,
          querystring,
          params: UserParams,
          response: {
            200: Type.Object({ sessions: Type.Array(AdminSessionBody) }, { additionalProperties: false }),
          },
        }),
        preHandler,
      },
      async (request) => {
        const found = await user(request.params.uuid);
        const sessions = await admin.listSessions({ userUuid: found.uuid }, 1000);
        return { sessions: sessions.map(presentAdminSession) };
      },
    );

    app.delete(
      '/admin/users/:uuid/sessions',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'user_not_found'], {
          summary: 'Revoke every session of a user',
          description: 'Reason `revoked_by_admin`.',
          tags,
          security,
          querystring,
          params: UserParams,
          body: NoBody,
          response: { 200: Revoked },
        }),
        ...noBody,
      },
      async (request) => {
        const found = await user(request.params.uuid);
        return { revoked: await adminOf(request).revokeSessions({ userUuid: found.uuid }) };
      },
    );

    app.delete(
      '/admin/sessions/:uuid',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'session_not_found'], {
          summary: 'Revoke one session',
          description: 'Reason `revoked_by_admin`.',
          tags,
          security,
          querystring,
          params: UserParams,
          body: NoBody,
          response: { 204: { ...NoContent, description: 'Revoked.' } },
        }),
        ...noBody,
      },
      async (request, reply) => {
        if (!(await adminOf(request).revokeSession(request.params.uuid.toLowerCase()))) {
          throw new KeycardError('session_not_found');
        }
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/admin/sessions/revoke',
      {
        schema: withErrorCodes(ADMIN_ERRORS, {
          summary: 'Revoke every session of an API version',
          description: 'Optionally of one user too. Reason `revoked_by_admin`.',
          tags,
          security,
          querystring,
          body: Type.Object(
            {
              api_version: Type.String({ minLength: 1, maxLength: 50 }),
              user_uuid: Type.Optional(Uuid),
              api: ApiVersionField,
            },
            { additionalProperties: false },
          ),
          response: { 200: Revoked },
        }),
        preHandler,
      },
      async (request) => {
        const { api_version: apiVersion, user_uuid: userUuid } = request.body;
        return {
          revoked: await adminOf(request).revokeSessions({
            apiVersion,
            ...(userUuid === undefined ? {} : { userUuid: userUuid.toLowerCase() }),
          }),
        };
      },
    );

    app.put(
      '/admin/sessions/:uuid/group',
      {
        schema: withErrorCodes([...ADMIN_ERRORS, 'session_not_found'], {
          summary: 'Put a session in a group',
          description: 'One of `KEYCARD_SESSION_GROUPS`, or null for none.',
          tags,
          security,
          querystring,
          params: UserParams,
          body: Type.Object(
            {
              group: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]),
              api: ApiVersionField,
            },
            { additionalProperties: false },
          ),
          response: { 204: { ...NoContent, description: 'Done.' } },
        }),
        preHandler,
      },
      async (request, reply) => {
        if (
          !(await adminOf(request).setSessionGroup(request.params.uuid.toLowerCase(), request.body.group))
        ) {
          throw new KeycardError('session_not_found');
        }
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/admin/groups/:group/revoke',
      {
        schema: withErrorCodes(ADMIN_ERRORS, {
          summary: 'Revoke a group’s tokens',
          description:
            'Bumps the group’s stamp: every token of every session in the group issued before now gets ' +
            '`claims_stale` (the devices refresh and get fresh claims).',
          tags,
          security,
          querystring,
          params: Type.Object({ group: Type.String({ maxLength: 64 }) }),
          body: NoBody,
          response: {
            200: Type.Object(
              { valid_after: Type.String({ format: 'date-time' }) },
              { additionalProperties: false },
            ),
          },
        }),
        ...noBody,
      },
      async (request) => ({
        valid_after: new Date(await adminOf(request).revokeGroup(request.params.group)).toISOString(),
      }),
    );
  };
}
