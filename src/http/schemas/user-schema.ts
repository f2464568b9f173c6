import { type Static, Type } from 'typebox';
import type { SessionUser } from '../../accounts/user.js';
import { isoTime, Timestamp, Uuid } from './common-schemas.js';

export const UserBody = Type.Object(
  { uuid: Uuid, email: Type.String(), version: Type.String(), created_at: Timestamp },
  { additionalProperties: false },
);

export function presentUser(user: SessionUser): Static<typeof UserBody> {
  return { uuid: user.uuid, email: user.email, version: user.version, created_at: isoTime(user.createdAt) };
}
