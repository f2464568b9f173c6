import Bowser from 'bowser';
import { type Static, Type } from 'typebox';
import type { Session } from '../../sessions/session.js';
import type { LiveSession } from '../../sessions/session-cache.js';
import type { SessionLifetimes } from '../../sessions/session-lifetimes.js';
import { sessionEndsAt } from '../../sessions/session-lifetimes.js';
import { isoTime, Timestamp, Uuid } from './common-schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const SessionBody = Type.Object(
  {
    uuid: Uuid,
    api_version: Type.String(),
    user_agent: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
    /** When the session ends if unused: idle expiry capped by the absolute one. */
    expires_at: Timestamp,
    remember: Type.Boolean(),
    anonymous_id: Type.Union([Uuid, Type.Null()], {
      description:
        'An anonymous session’s id (its JWTs’ `sub` and `aid`); on a user’s session, the id of the anonymous session a sign-in or registration carried over (`aid`); else null.',
    }),
  },
  { additionalProperties: false },
);

export const SessionListItem = Type.Object(
  {
    uuid: Uuid,
    api_version: Type.String(),
    user_agent: Nullable(Type.String()),
    device: Type.Object({ browser: Nullable(Type.String()), os: Nullable(Type.String()) }),
    created_at: Timestamp,
    updated_at: Timestamp,
    current: Type.Boolean(),
  },
  { additionalProperties: false },
);

export function presentSession(
  session: LiveSession,
  lifetimes: SessionLifetimes,
): Static<typeof SessionBody> {
  return {
    uuid: session.uuid,
    api_version: session.apiVersion,
    user_agent: session.userAgent,
    created_at: isoTime(session.createdAt),
    updated_at: isoTime(session.updatedAt),
    expires_at: isoTime(sessionEndsAt(lifetimes, session)),
    remember: session.remember,
    anonymous_id: session.anonymousId,
  };
}

export function presentSessionListItem(
  session: Session,
  currentUuid: string,
): Static<typeof SessionListItem> {
  return {
    uuid: session.uuid,
    api_version: session.apiVersion,
    user_agent: session.userAgent,
    device: describeDevice(session.userAgent),
    created_at: isoTime(session.createdAt),
    updated_at: isoTime(session.updatedAt),
    current: session.uuid === currentUuid,
  };
}

function describeDevice(userAgent: string | null): { browser: string | null; os: string | null } {
  if (userAgent === null || userAgent === '') return { browser: null, os: null };
  const { browser, os } = Bowser.parse(userAgent);
  const label = (name?: string, version?: string) =>
    name === undefined || name === '' ? null : [name, version].filter(Boolean).join(' ');
  return { browser: label(browser.name, browser.version), os: label(os.name, os.versionName ?? os.version) };
}
