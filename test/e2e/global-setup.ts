import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The account page loads keycard/client as `tsc` compiles it into dist/client (what `npm start` serves), so
 * the end-to-end tests build first: incremental, so a few seconds when nothing changed. On a fresh clone,
 * `npm test` needs nothing else.
 */
export default function buildForTheBrowser(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
