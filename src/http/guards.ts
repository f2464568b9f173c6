import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { CachedAccess } from '../access/access-cache.js';
import { KeycardError } from '../core/errors.js';
import type { Keycard } from '../keycard.js';
import type { AuthenticatedSession } from '../sessions/authenticate-access-token.js';
import { requireSession } from './authenticate-request.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Keycard this app serves (`buildApp` decorates it), for the guards of routes the embedding app adds. */
    keycard: Keycard;
  }
}

type Check = (
  caller: AuthenticatedSession,
  access: CachedAccess,
  keycard: Keycard,
) => KeycardError | undefined;

/**
 * A preHandler that authenticates the caller (unless an earlier hook did) and then runs `check` against the
 * caller's roles and permissions, held in memory: no SQL once they are held, and synchronous then.
 */
function guard(check: Check): preHandlerHookHandler {
  return function keycardGuard(request, reply, done) {
    const { keycard } = request.server;
    const decide = (caller: AuthenticatedSession) => {
      const held = keycard.cachedAccess(caller.user.uuid);
      if (held !== undefined) {
        done(check(caller, held, keycard));
        return;
      }
      keycard.userAccess(caller.user.uuid).then((access) => done(check(caller, access, keycard)), done);
    };
    if (request.auth !== null) {
      decide(request.auth);
      return;
    }
    requireSession(keycard).call(this, request, reply, (error?: Error) => {
      if (error !== undefined) done(error);
      else decide(authOf(request));
    });
  };
}

function authOf(request: FastifyRequest): AuthenticatedSession {
  if (request.auth === null) throw new KeycardError('token_missing');
  return request.auth;
}

/** 403 `permission_denied` (naming the permission) unless the caller holds `permission`, directly or by a role. */
export function requirePermission(permission: string): preHandlerHookHandler {
  return guard((_caller, access) =>
    access.permissionSet.has(permission)
      ? undefined
      : new KeycardError('permission_denied', { details: { permission } }),
  );
}

/** 403 `permission_denied` (naming `role:<name>`) unless the caller holds the role. */
export function requireRole(role: string): preHandlerHookHandler {
  return guard((_caller, access) =>
    access.roleSet.has(role)
      ? undefined
      : new KeycardError('permission_denied', { details: { permission: `role:${role}` } }),
  );
}

/** 403 `elevation_required` unless the caller's session is elevated now (`POST /session/elevate`). */
export function requireElevated(): preHandlerHookHandler {
  return guard((caller, _access, keycard) =>
    keycard.isElevated(caller.session) ? undefined : new KeycardError('elevation_required'),
  );
}
