import type { FastifyInstance } from 'fastify';

/**
 * A `fetch` that answers through `app.inject()`, for running keycard/client against the real app. With a cookie
 * jar it behaves like a browser on the app's own origin: it sends the jar's cookies and `Origin` with requests
 * whose credentials are included, and keeps what `Set-Cookie` says (a `Max-Age=0` cookie is dropped).
 */
export function injectFetch(app: FastifyInstance, jar?: Map<string, string>): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const headers: Record<string, string> = Object.fromEntries(new Headers(init.headers).entries());
    headers.host = url.host;
    if (jar !== undefined && init.credentials === 'include') {
      headers.origin = url.origin;
      if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    });
    if (jar !== undefined) {
      for (const cookie of response.cookies as { name: string; value: string; maxAge?: number }[]) {
        if (cookie.maxAge === 0 || cookie.value === '') jar.delete(cookie.name);
        else jar.set(cookie.name, cookie.value);
      }
    }
    const type = response.headers['content-type'];
    return new Response(response.statusCode === 204 ? null : response.body, {
      status: response.statusCode,
      headers: typeof type === 'string' ? { 'content-type': type } : {},
    });
  };
}
