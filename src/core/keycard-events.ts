import type { RevocationReason } from './errors.js';

/** Where an operation came from, when it came over HTTP: for the audit log and per-address rate limits. */
export interface RequestContext {
  /** The client's address (as the HTTP layer determined it, behind trusted proxies). */
  readonly ip: string | null;
  readonly userAgent: string | null;
  /**
   * Who acted, when it is not the user the operation is about: the administrator calling the admin API. Absent
   * for a user's own requests; the command line acts as nobody in particular.
   */
  readonly actorUuid?: string;
}

/**
 * What happened, for metrics and the audit log. Emitted by the domain after the store has committed; never carries
 * a secret, a token, a hash or a password. Listeners must not throw (a throw is swallowed and lost). `request` is
 * there when the operation came with a request context (over HTTP); the sweep's expiries have none.
 */
export type KeycardEvent = KeycardEventOf & { readonly request?: RequestContext };

type KeycardEventOf =
  | { readonly type: 'registered'; readonly userUuid: string; readonly sessionUuid: string }
  /** `sessionUuid` is null for a legacy account (version 003), which signs in to a JWT and no session. */
  | { readonly type: 'signed_in'; readonly userUuid: string; readonly sessionUuid: string | null }
  /** `userUuid` is null when the email belongs to no account. */
  | { readonly type: 'sign_in_failed'; readonly userUuid: string | null }
  /** An anonymous session (no user) began: `POST /auth/anonymous`. */
  | { readonly type: 'anonymous_session_started'; readonly sessionUuid: string }
  // In the events below, `userUuid` is null for an anonymous session.
  | {
      readonly type: 'session_refreshed';
      readonly userUuid: string | null;
      readonly sessionUuid: string;
      /** A grace-period retry that got the same successor pair again. */
      readonly retry: boolean;
    }
  | {
      readonly type: 'refresh_reuse_detected';
      readonly userUuid: string | null;
      readonly sessionUuid: string;
    }
  | { readonly type: 'session_elevated'; readonly userUuid: string; readonly sessionUuid: string }
  | { readonly type: 'elevation_dropped'; readonly userUuid: string; readonly sessionUuid: string }
  | { readonly type: 'password_changed'; readonly userUuid: string; readonly sessionUuid: string | null }
  | { readonly type: 'email_changed'; readonly userUuid: string; readonly sessionUuid: string | null }
  | { readonly type: 'account_deleted'; readonly userUuid: string }
  /** A user was given a role, or lost it (taken, or the role deleted). */
  | { readonly type: 'role_assigned' | 'role_unassigned'; readonly userUuid: string; readonly role: string }
  /** A user was given a permission directly, or lost it. */
  | {
      readonly type: 'permission_assigned' | 'permission_unassigned';
      readonly userUuid: string;
      readonly permission: string;
    }
  | { readonly type: 'role_created' | 'role_deleted'; readonly role: string }
  | { readonly type: 'permission_created' | 'permission_deleted'; readonly permission: string }
  /** A role was given a permission, or lost it: every holder of the role gained or lost it. */
  | {
      readonly type: 'role_permission_granted' | 'role_permission_revoked';
      readonly role: string;
      readonly permission: string;
    }
  | { readonly type: 'user_disabled' | 'user_enabled'; readonly userUuid: string }
  | {
      readonly type: 'session_ended';
      readonly userUuid: string | null;
      readonly sessionUuid: string;
      readonly reason: RevocationReason;
    };

export type KeycardEventListener = (event: KeycardEvent, at: number) => void;

/** Calls every listener, isolating Keycard from a listener that throws. */
export function fanOutEvents(listeners: readonly KeycardEventListener[]): KeycardEventListener {
  return (event, at) => {
    for (const listener of listeners) {
      try {
        listener(event, at);
      } catch {
        // A broken metrics or audit listener must never fail a sign-in.
      }
    }
  };
}
