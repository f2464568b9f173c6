import { type Static, Type } from 'typebox';
import type { Permission, Role, UserAccess } from '../../access/access-store.js';
import type { ManagedUser } from '../../keycard-admin.js';
import type { Session } from '../../sessions/session.js';
import { isoTime, Timestamp, Uuid } from './common-schemas.js';

const Description = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]);

export const RoleBody = Type.Object(
  {
    name: Type.String(),
    description: Description,
    permissions: Type.Array(Type.String()),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);

export const PermissionBody = Type.Object(
  { name: Type.String(), description: Description, created_at: Timestamp },
  { additionalProperties: false },
);

export const AccessBody = Type.Object(
  { roles: Type.Array(Type.String()), permissions: Type.Array(Type.String()) },
  { additionalProperties: false },
);

export const ManagedUserBody = Type.Object(
  {
    uuid: Uuid,
    email: Type.String(),
    version: Type.String(),
    created_at: Timestamp,
    disabled_at: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
);

export const AdminSessionBody = Type.Object(
  {
    uuid: Uuid,
    user_uuid: Type.Union([Uuid, Type.Null()], { description: 'Null for an anonymous session.' }),
    anonymous_id: Type.Union([Uuid, Type.Null()], {
      description: 'An anonymous session’s id, or the one a user’s session was upgraded from.',
    }),
    api_version: Type.String(),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    group: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
    updated_at: Timestamp,
    elevated_until: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
);

/** `name` and `description` of a new role or permission. */
export const NewNamedBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    api: Type.Optional(Type.String({ maxLength: 50 })),
  },
  { additionalProperties: false },
);

export const presentRole = (role: Role): Static<typeof RoleBody> => ({
  name: role.name,
  description: role.description,
  permissions: [...role.permissions],
  created_at: isoTime(role.createdAt),
});

export const presentPermission = (permission: Permission): Static<typeof PermissionBody> => ({
  name: permission.name,
  description: permission.description,
  created_at: isoTime(permission.createdAt),
});

export const presentAccess = (access: UserAccess): Static<typeof AccessBody> => ({
  roles: [...access.roles],
  permissions: [...access.permissions],
});

export const presentManagedUser = (user: ManagedUser): Static<typeof ManagedUserBody> => ({
  uuid: user.uuid,
  email: user.email,
  version: user.version,
  created_at: isoTime(user.createdAt),
  disabled_at: user.disabledAt === null ? null : isoTime(user.disabledAt),
});

export const presentAdminSession = (session: Session): Static<typeof AdminSessionBody> => ({
  uuid: session.uuid,
  user_uuid: session.userUuid,
  anonymous_id: session.anonymousId,
  api_version: session.apiVersion,
  user_agent: session.userAgent,
  group: session.groupId,
  created_at: isoTime(session.createdAt),
  updated_at: isoTime(session.updatedAt),
  elevated_until: session.elevatedUntil === null ? null : isoTime(session.elevatedUntil),
});
