/** The JSON objects Keycard answers with (snake_case, as on the wire; times are ISO 8601 strings). */

export interface KeycardUser {
  readonly uuid: string;
  readonly email: string;
  readonly version: string;
  readonly created_at: string;
}

export interface KeycardSession {
  readonly uuid: string;
  readonly api_version: string;
  readonly user_agent: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  /** When the session ends if unused. */
  readonly expires_at: string;
  readonly remember: boolean;
  /**
   * An anonymous session's id (`startAnonymous`); on a user's session, the id of the anonymous session a sign-in
   * or registration carried over; else null.
   */
  readonly anonymous_id: string | null;
}

/** One entry of `listSessions()`: a device signed in to the account. */
export interface KeycardDevice {
  readonly uuid: string;
  readonly api_version: string;
  readonly user_agent: string | null;
  /** Browser and operating system read from the user agent, when it names them. */
  readonly device: { readonly browser: string | null; readonly os: string | null };
  readonly created_at: string;
  /** Last activity (written at most once a minute). */
  readonly updated_at: string;
  /** This is the session making the request. */
  readonly current: boolean;
}

/** The tokens of a Bearer-mode client (cookie-mode clients never see them). */
export interface KeycardTokens {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly refresh_expires_in: number;
}

export interface SignedIn {
  readonly user: KeycardUser;
  readonly session: KeycardSession;
}

/** `me()`: the caller's account and session; `user` is null for an anonymous session. */
export interface Caller {
  readonly user: KeycardUser | null;
  readonly session: KeycardSession;
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
  /** `true` (the default): a long-lived session; `false`: a short one (and shorter cookies). */
  readonly remember?: boolean;
}
