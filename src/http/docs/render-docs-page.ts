import { createHash } from 'node:crypto';
import { type ErrorCode, errorRegistry } from '../../core/errors.js';
import { ERROR_CODES_EXTENSION } from '../schemas/error-responses.js';

/** The parts of JSON Schema the page shows. */
interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minLength?: number;
  readonly maxLength?: number;
}

interface Operation {
  readonly summary?: string;
  readonly description?: string;
  readonly security?: readonly unknown[];
  readonly parameters?: readonly {
    readonly name: string;
    readonly in: string;
    readonly required?: boolean;
    readonly description?: string;
    readonly schema?: JsonSchema;
  }[];
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>> };
  readonly responses?: Readonly<
    Record<
      string,
      { readonly description?: string; readonly content?: Record<string, { readonly schema?: JsonSchema }> }
    >
  >;
  readonly [ERROR_CODES_EXTENSION]?: readonly string[];
}

/** The parts of an OpenAPI document the page shows. */
export interface OpenApiDocument {
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly paths?: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code{font:0.9em ui-monospace,monospace;background:#f2f2f2;padding:0 .25em;border-radius:3px}
section{border-top:1px solid #ddd;margin-top:2rem}h2 code{background:none}
.method{display:inline-block;min-width:4.5em;font:bold .8em ui-monospace,monospace;color:#fff;background:#555;
padding:.2em .4em;border-radius:3px;text-align:center}.get{background:#2b6cb0}.post{background:#2f855a}
.delete{background:#c53030}ul.schema{list-style:none;padding-left:1.2em;border-left:2px solid #eee}
.type{color:#666}.optional{color:#999;font-size:.85em}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left;vertical-align:top}nav li{margin:.1em 0}`;

/**
 * The Content-Security-Policy of the page: no script at all, no request to anywhere, and only this stylesheet
 * (by its hash), so the page adds nothing an attacker could use on the auth server's origin.
 */
export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A readable, self-contained HTML page of an OpenAPI document, rendered on the server: no script, no CDN. */
export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  const anchor = (method: string, path: string) => `${method}${path.replaceAll(/[^a-z0-9]+/gi, '-')}`;
  const { title, version, description } = document.info;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)} API</title><style>${STYLE}</style></head><body>
<h1>${escape(title)} API <small class="type">${escape(version)}</small></h1>
${paragraphs(description)}
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<nav><ul>${operations
    .map(
      ({ path, method, operation }) =>
        `<li><a href="#${anchor(method, path)}"><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></a> ${escape(operation.summary ?? '')}</li>`,
    )
    .join('')}</ul></nav>
${operations.map(({ path, method, operation }) => renderOperation(anchor(method, path), method, path, operation)).join('\n')}
</body></html>
`;
}

function renderOperation(id: string, method: string, path: string, operation: Operation): string {
  const parts = [
    `<section id="${id}"><h2><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code> ${escape(operation.summary ?? '')}</h2>`,
    paragraphs(operation.description),
  ];
  if ((operation.security ?? []).length > 0) {
    parts.push(
      '<p>Requires <code>Authorization: Bearer &lt;access token&gt;</code>, or the session cookie ' +
        '(with <code>X-Keycard-CSRF: 1</code> on requests that change state).</p>',
    );
  }
  const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
  if (query.length > 0) {
    parts.push(
      '<h3>Query parameters</h3><ul class="schema">',
      ...query.map((parameter) =>
        renderField(
          parameter.name,
          parameter.schema ?? {},
          parameter.required === true,
          parameter.description,
        ),
      ),
      '</ul>',
    );
  }
  const body = operation.requestBody?.content?.['application/json']?.schema;
  if (body !== undefined) parts.push('<h3>Request body</h3>', renderSchema(body));
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!status.startsWith('2')) continue;
    const schema = response.content?.['application/json']?.schema;
    parts.push(`<h3>Response ${escape(status)}</h3>`, paragraphs(response.description));
    if (schema !== undefined) parts.push(renderSchema(schema));
  }
  const codes = (operation[ERROR_CODES_EXTENSION] ?? []).filter(
    (code): code is ErrorCode => code in errorRegistry,
  );
  parts.push(
    '<h3>Errors</h3><table><tr><th>Status</th><th>Code</th><th>Meaning</th></tr>',
    ...codes.map(
      (code) =>
        `<tr><td>${errorRegistry[code].status}</td><td><code>${code}</code></td><td>${escape(errorRegistry[code].message)}</td></tr>`,
    ),
    '</table></section>',
  );
  return parts.join('\n');
}

function renderSchema(schema: JsonSchema): string {
  if (schema.properties === undefined) return `<p class="type">${escape(typeOf(schema))}</p>`;
  return renderProperties(schema);
}

function renderProperties(schema: JsonSchema): string {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    renderField(name, property, required.has(name), property.description),
  );
  return `<ul class="schema">${fields.join('')}</ul>`;
}

function renderField(name: string, schema: JsonSchema, required: boolean, description?: string): string {
  const nested = schema.properties ?? schema.items?.properties;
  const note = description === undefined ? '' : ` — ${inline(description)}`;
  return `<li><code>${escape(name)}</code> <span class="type">${escape(typeOf(schema))}</span>${
    required ? '' : ' <span class="optional">optional</span>'
  }${note}${nested === undefined ? '' : renderProperties(schema.properties === undefined ? (schema.items ?? {}) : schema)}</li>`;
}

/** A short description of a schema's type: `string (uuid, at most 36)`, `array of object`, `string or null`. */
function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.anyOf !== undefined) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.items !== undefined) return `array of ${typeOf(schema.items)}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  const notes = [
    schema.format,
    schema.minLength === undefined ? undefined : `at least ${schema.minLength}`,
    schema.maxLength === undefined ? undefined : `at most ${schema.maxLength}`,
  ].filter((note) => note !== undefined);
  return notes.length === 0 ? String(type) : `${String(type)} (${notes.join(', ')})`;
}

function paragraphs(text: string | undefined): string {
  if (text === undefined || text === '') return '';
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${inline(paragraph)}</p>`)
    .join('\n');
}

/** Escapes, then shows `code` spans as code. */
function inline(text: string): string {
  return escape(text).replaceAll(/`([^`]+)`/g, '<code>$1</code>');
}

function escape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
