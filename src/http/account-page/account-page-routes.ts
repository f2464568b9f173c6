import { readdir, readFile } from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { KeycardError } from '../../core/errors.js';

/**
 * Same folders from `src/http/account-page/` (tests, `npm run dev`) and from `dist/http/account-page/`
 * (`npm start`): the package root is three levels up either way. The page itself is plain files; the client it
 * imports is `keycard/client` as `tsc` compiles it (`npm start` builds first; see the README for `npm run dev`).
 */
const PAGE_FOLDER = new URL('../../../public/', import.meta.url);
const CLIENT_FOLDER = new URL('../../../dist/client/', import.meta.url);

/**
 * The page runs only what Keycard serves: no inline script or style, no other origin, no framing (a framed
 * account page could be clickjacked into revoking sessions).
 */
export const ACCOUNT_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const PAGE_FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/account.css': { file: 'account.css', type: 'text/css; charset=utf-8' },
  '/account.js': { file: 'account.js', type: 'text/javascript; charset=utf-8' },
} as const;

const CLIENT_MODULE = /^[a-z][a-z0-9-]*\.js$/;

/**
 * `GET /`: the account page (sign up, sign in, your devices), and the files it loads: its stylesheet, its
 * script and the `keycard/client` modules under `/client/`. Files are read once and kept.
 */
export function accountPageRoutes(): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async functions
  return async (app) => {
    const kept = new Map<string, Promise<string>>();
    const read = (url: URL): Promise<string> => {
      let text = kept.get(url.href);
      if (text === undefined) {
        text = readFile(url, 'utf8');
        // A missing file is looked for again next time (the client may be built meanwhile).
        text.catch(() => kept.delete(url.href));
        kept.set(url.href, text);
      }
      return text;
    };
    let clientModules: Promise<ReadonlySet<string>> | undefined;
    const listClientModules = () => {
      clientModules ??= readdir(CLIENT_FOLDER).then(
        (names) => new Set(names.filter((name) => CLIENT_MODULE.test(name))),
        () => {
          clientModules = undefined;
          return new Set<string>();
        },
      );
      return clientModules;
    };

    const send = (reply: FastifyReply, type: string, body: string) =>
      reply
        .type(type)
        .header('content-security-policy', ACCOUNT_PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(body);

    for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        send(reply, type, await read(new URL(file, PAGE_FOLDER))),
      );
    }

    app.get<{ Params: { module: string } }>(
      '/client/:module',
      { schema: { hide: true } },
      async (request, reply) => {
        const name = request.params.module;
        if (!(await listClientModules()).has(name)) {
          if (CLIENT_MODULE.test(name)) {
            request.log.warn({ module: name }, 'client module not found: run npm run build');
          }
          throw new KeycardError('not_found');
        }
        return send(reply, 'text/javascript; charset=utf-8', await read(new URL(name, CLIENT_FOLDER)));
      },
    );
  };
}
