import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled `dist/` of this checkout. */
export const BUILD_URL = new URL('../../dist/', import.meta.url);

/**
 * Imports a module of the build (`dist/<path>`), typed as its source. Benches measure the build, as
 * `npm start` runs it; `npm run bench` builds first.
 */
export async function fromBuild<Module>(path: string): Promise<Module> {
  const url = new URL(path, BUILD_URL);
  if (!existsSync(fileURLToPath(url))) {
    throw new Error(`${fileURLToPath(url)} is missing: run \`npm run build\` (npm run bench does) first`);
  }
  return (await import(url.href)) as Module;
}
