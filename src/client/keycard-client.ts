import type {
  Caller,
  Credentials,
  KeycardDevice,
  KeycardSession,
  KeycardTokens,
  SignedIn,
} from './api-types.js';
import { type CrossTab, detectCrossTab, noCrossTab } from './cross-tab.js';
import { errorOfResponse, KeycardClientError, type KeycardErrorCode } from './keycard-client-error.js';
import { memoryTokenStore, type TokenStore } from './token-store.js';

export interface KeycardClientOptions {
  /** Where Keycard is (`https://auth.example.com`); default `''`, the page's own origin. */
  readonly baseUrl?: string;
  /**
   * `bearer` (the default): the client keeps the tokens and sends `Authorization: Bearer`. `cookie`: Keycard
   * keeps them in HttpOnly cookies the page cannot read, and the client adds the CSRF header.
   */
  readonly transport?: 'bearer' | 'cookie';
  /** The fetch to use; default the global one. */
  readonly fetch?: typeof fetch;
  /** Bearer mode: where the tokens are kept; default in memory. */
  readonly tokenStore?: TokenStore;
  /**
   * How tabs coordinate refreshes and sign-outs: default Web Locks and BroadcastChannel where present in cookie
   * mode (where tabs share the session), none in Bearer mode (where each client has its own tokens, unless its
   * token store is shared: then pass `true`).
   */
  readonly crossTab?: CrossTab | boolean;
  /** Sent as `X-Api-Version` on every request; default the server's default version. */
  readonly apiVersion?: string;
}

export interface KeycardClient {
  readonly transport: 'bearer' | 'cookie';
  /**
   * Registers. When this client holds an anonymous session (`startAnonymous`, or `me()` found one), it is
   * carried over: its tokens are refreshed first if need be, sent along, and the new session's `anonymous_id`
   * is its id (null if it had ended meanwhile).
   */
  signUp(credentials: Credentials): Promise<SignedIn>;
  /** Signs in, carrying an anonymous session over as `signUp` does. */
  signIn(credentials: Credentials): Promise<SignedIn>;
  /** Starts an anonymous session (no account; `session.anonymous_id` is its id) until the visitor signs in. */
  startAnonymous(): Promise<{ session: KeycardSession }>;
  /** Ends this session; local state is cleared even when the server cannot be told. */
  signOut(): Promise<void>;
  /** The caller: `user` is null for an anonymous session. */
  me(): Promise<Caller>;
  listSessions(): Promise<KeycardDevice[]>;
  revokeSession(uuid: string): Promise<void>;
  revokeOtherSessions(): Promise<void>;
  /**
   * Changes the password, proving the current one (the step-up). Every other session is signed out unless
   * `keepOtherSessions`; this one carries on (its next request refreshes its tokens by itself).
   */
  changePassword(change: {
    readonly currentPassword: string;
    readonly newPassword: string;
    readonly keepOtherSessions?: boolean;
  }): Promise<void>;
  /** Exchanges the refresh token now (the fetch wrapper does it by itself when the access token expires). */
  refresh(): Promise<void>;
  /**
   * `fetch` with this session's credentials. On `access_token_expired` or `claims_stale` it refreshes once,
   * however many requests failed together (and across tabs), then replays them; on a dead session it signs out.
   * Bodies must be replayable (a string, `Blob`, `FormData`…, not a stream).
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Called when the session ends: sign-out, revocation elsewhere (`error.reason`), expiry. Returns an unsubscribe. */
  onSignedOut(listener: (error: KeycardClientError | undefined) => void): () => void;
  /** Stops listening to other tabs. */
  close(): void;
}

/** Codes after which a refresh and a replay can succeed. */
const REFRESH_CODES: ReadonlySet<KeycardErrorCode> = new Set(['access_token_expired', 'claims_stale']);
/** Codes after which the session is over: sign in again. */
const SIGNED_OUT_CODES: ReadonlySet<KeycardErrorCode> = new Set([
  'token_invalid',
  'session_required',
  'session_expired',
  'session_revoked',
  'refresh_token_invalid',
  'refresh_token_reused',
]);

export function createKeycardClient(options: KeycardClientOptions = {}): KeycardClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const transport = options.transport ?? 'bearer';
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const tokens = options.tokenStore ?? memoryTokenStore();
  const crossTab: CrossTab =
    typeof options.crossTab === 'object'
      ? options.crossTab
      : (options.crossTab ?? transport === 'cookie')
        ? detectCrossTab(`keycard:${baseUrl}`)
        : noCrossTab;
  const signedOutListeners = new Set<(error: KeycardClientError | undefined) => void>();
  /** Bumped by every refresh this tab saw (its own or another tab's): requests compare it with their start's. */
  let generation = 0;
  let refreshing: Promise<void> | undefined;
  /** Set once the end of the session was told, so 20 requests failing together tell the listeners once. */
  let ended = false;
  /** This client's session is anonymous, as far as it knows: a sign-in carries it over. */
  let anonymous = false;

  crossTab.onMessage((message) => {
    if (message.type === 'refreshed') generation += 1;
    else endLocally(undefined, false);
  });

  function endLocally(error: KeycardClientError | undefined, tellOtherTabs: boolean): void {
    tokens.save(undefined);
    anonymous = false;
    if (ended) return;
    ended = true;
    if (tellOtherTabs) crossTab.post({ type: 'signed_out' });
    for (const listener of signedOutListeners) listener(error);
  }

  async function send(path: string, init: RequestInit = {}, authenticated = true): Promise<Response> {
    const headers = new Headers(init.headers);
    if (options.apiVersion !== undefined) headers.set('x-api-version', options.apiVersion);
    if (transport === 'cookie') {
      headers.set('x-keycard-csrf', '1');
    } else if (authenticated) {
      const accessToken = tokens.load()?.access_token;
      if (accessToken !== undefined) headers.set('authorization', `Bearer ${accessToken}`);
    }
    try {
      return await fetchFn(`${baseUrl}${path}`, {
        ...init,
        headers,
        credentials: transport === 'cookie' ? 'include' : (init.credentials ?? 'same-origin'),
      });
    } catch (cause) {
      throw new KeycardClientError('network_error', 'No answer from Keycard.', { cause });
    }
  }

  /** POSTs JSON (or nothing) and returns the parsed answer; throws the server's error otherwise. */
  async function call<T>(method: string, path: string, body?: object, authenticated = true): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const response = authenticated ? await authenticatedFetch(path, init) : await send(path, init, false);
    if (!response.ok) throw await errorOfResponse(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async function refreshNow(): Promise<void> {
    const current = tokens.load();
    if (transport === 'bearer' && current === undefined) {
      throw new KeycardClientError('token_missing', 'Not signed in.', { status: 401 });
    }
    const response = await send(
      '/session/refresh',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(transport === 'cookie' ? {} : { refresh_token: current?.refresh_token }),
      },
      false,
    );
    if (!response.ok) throw await errorOfResponse(response);
    if (transport === 'bearer') tokens.save(((await response.json()) as { tokens: KeycardTokens }).tokens);
    generation += 1;
    ended = false;
    crossTab.post({ type: 'refreshed', at: Date.now() });
  }

  /**
   * One refresh for every request that failed before it: a request that started before the last refresh
   * (here or in another tab) only replays; the others wait for the refresh in flight, or start it under a lock
   * shared with the other tabs.
   */
  function refreshAfter(startedAt: number): Promise<void> {
    if (generation !== startedAt) return Promise.resolve();
    refreshing ??= crossTab
      .exclusive(`keycard-refresh:${baseUrl}`, () =>
        // Another tab may have refreshed while this one waited for the lock.
        generation !== startedAt ? Promise.resolve() : refreshNow(),
      )
      .catch((error: unknown) => {
        if (error instanceof KeycardClientError && SIGNED_OUT_CODES.has(error.code)) endLocally(error, true);
        throw error;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  async function authenticatedFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const startedAt = generation;
    const response = await send(path, init);
    if (response.status !== 401) {
      if (response.ok) ended = false;
      return response;
    }
    const error = await errorOfResponse(response.clone());
    if (REFRESH_CODES.has(error.code)) {
      await refreshAfter(startedAt);
      const replayed = await send(path, init);
      if (replayed.status === 401) await signOutIfOver(replayed);
      return replayed;
    }
    if (isOver(error)) endLocally(error, true);
    return response;
  }

  /**
   * Whether an answer means the session is over. In cookie mode `token_missing` does too: the browser dropped
   * the cookies (they expired with the session, or another tab signed out).
   */
  function isOver(error: KeycardClientError): boolean {
    return SIGNED_OUT_CODES.has(error.code) || (transport === 'cookie' && error.code === 'token_missing');
  }

  async function signOutIfOver(response: Response): Promise<void> {
    const error = await errorOfResponse(response.clone());
    if (isOver(error)) endLocally(error, true);
  }

  async function start(path: string, credentials: Credentials): Promise<SignedIn> {
    const body = transport === 'cookie' ? { ...credentials, transport: 'cookie' } : credentials;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (anonymous) {
      // Keycard carries over only a live access token's session: refresh first (an anonymous session that
      // ended meanwhile has nothing to carry, and the sign-in goes on without it).
      await refreshAfter(generation).catch(() => undefined);
      const accessToken = transport === 'bearer' ? tokens.load()?.access_token : undefined;
      if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
    }
    // Cookie mode sends the session cookie by itself (with the CSRF header, as every request).
    const response = await send(path, { method: 'POST', headers, body: JSON.stringify(body) }, false);
    if (!response.ok) throw await errorOfResponse(response);
    const signedIn = (await response.json()) as SignedIn & { tokens?: KeycardTokens };
    if (transport === 'bearer' && signedIn.tokens !== undefined) tokens.save(signedIn.tokens);
    ended = false;
    anonymous = false;
    return { user: signedIn.user, session: signedIn.session };
  }

  return {
    transport,
    signUp: (credentials) => start('/auth', credentials),
    signIn: (credentials) => start('/auth/sign_in', credentials),
    async startAnonymous() {
      const body = transport === 'cookie' ? { transport: 'cookie' } : {};
      const started = await call<{ session: KeycardSession; tokens?: KeycardTokens }>(
        'POST',
        '/auth/anonymous',
        body,
        false,
      );
      if (transport === 'bearer' && started.tokens !== undefined) tokens.save(started.tokens);
      ended = false;
      anonymous = true;
      return { session: started.session };
    },
    async signOut() {
      try {
        await call('POST', '/auth/sign_out');
      } catch (error) {
        // Already over on the server (revoked, expired): signing out is done all the same.
        if (!(
          error instanceof KeycardClientError &&
          (SIGNED_OUT_CODES.has(error.code) || error.code === 'token_missing')
        )) {
          throw error;
        }
      }
      anonymous = false;
      endLocally(undefined, true);
    },
    async me() {
      const caller = await call<Caller>('GET', '/me');
      anonymous = caller.user === null;
      return caller;
    },
    listSessions: async () => (await call<{ sessions: KeycardDevice[] }>('GET', '/sessions')).sessions,
    revokeSession: (uuid) => call('DELETE', '/session', { uuid }),
    revokeOtherSessions: () => call('DELETE', '/sessions'),
    changePassword: ({ currentPassword, newPassword, keepOtherSessions = false }) =>
      call('PUT', '/me/password', {
        current_password: currentPassword,
        new_password: newPassword,
        keep_other_sessions: keepOtherSessions,
      }),
    refresh: () => refreshAfter(generation),
    fetch: authenticatedFetch,
    onSignedOut(listener) {
      signedOutListeners.add(listener);
      return () => signedOutListeners.delete(listener);
    },
    close: () => crossTab.close(),
  };
}
