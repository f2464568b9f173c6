import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { PASSWORD, uniqueEmail } from './test-keycard.js';

/** The host inject() requests name, so Keycard's own origin is `http://keycard.test`. */
export const HOST = 'keycard.test';
export const OWN_ORIGIN = `http://${HOST}`;
export const TRUSTED_ORIGIN = 'https://app.example.com';
export const ACCESS_COOKIE = '__Host-keycard';
export const REFRESH_COOKIE = '__Secure-keycard-refresh';

/** The headers of a same-origin page's request made by keycard/client in cookie mode. */
export const PAGE_HEADERS = { host: HOST, origin: OWN_ORIGIN, 'x-keycard-csrf': '1' } as const;

export interface BrowserCookies {
  access: string;
  refresh: string;
}

export interface SetCookie {
  name: string;
  value: string;
  path?: string;
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
}

/** The `Set-Cookie` headers of a response, by name. */
export function setCookiesOf(response: LightMyRequestResponse): Map<string, SetCookie> {
  return new Map((response.cookies as SetCookie[]).map((cookie) => [cookie.name, cookie]));
}

export function cookieHeader(cookies: Partial<BrowserCookies>): string {
  return [
    cookies.access === undefined ? undefined : `${ACCESS_COOKIE}=${cookies.access}`,
    cookies.refresh === undefined ? undefined : `${REFRESH_COOKIE}=${cookies.refresh}`,
  ]
    .filter((part) => part !== undefined)
    .join('; ');
}

/** The session cookies a response set; throws when it set neither. */
export function sessionCookiesOf(response: LightMyRequestResponse): BrowserCookies {
  const cookies = setCookiesOf(response);
  const access = cookies.get(ACCESS_COOKIE)?.value;
  const refresh = cookies.get(REFRESH_COOKIE)?.value;
  if (access === undefined || refresh === undefined) {
    throw new Error(`no session cookies in ${response.statusCode} ${response.body}`);
  }
  return { access, refresh };
}

/** Registers as the account page does (cookie transport); returns the response and the cookies it set. */
export async function registerWithCookies(
  app: FastifyInstance,
  body: Record<string, unknown> = {},
): Promise<{ email: string; response: LightMyRequestResponse; cookies: BrowserCookies }> {
  const email = uniqueEmail();
  const response = await app.inject({
    method: 'POST',
    url: '/auth',
    headers: PAGE_HEADERS,
    payload: { email, password: PASSWORD, transport: 'cookie', ...body },
  });
  if (response.statusCode !== 201) throw new Error(`registration failed: ${response.body}`);
  return { email, response, cookies: sessionCookiesOf(response) };
}
