import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, '../support/hidden-class-child.ts');

interface CodeRange {
  readonly start: number;
  readonly end: number;
  /** V8's name for the code: the function, its script and position. */
  readonly name: string;
}

/** A detached map the child built between its markers: the key added, and the code that added it. */
interface DetachedMap {
  readonly key: string;
  readonly code: string;
}

/**
 * The detached hidden classes (V8 maps) the child built between its two markers, read from V8's log. V8 logs
 * `map,Transition,<time>,<from>,<to>,<pc>,<line>,<column>,<reason>,<key>`, where the reason "prototype" marks a
 * map that joins no transition tree, so it is built anew on every call: what Node 20's V8 does for a key added
 * after a spread (`{ ...object, newKey }`). The code is found from the `code-creation` line that covers the pc,
 * the latest one logged before the transition (addresses are reused after a collection).
 */
async function detachedMapsBetweenMarkers(mode: 'keycard' | 'spread'): Promise<DetachedMap[]> {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-hidden-classes-'));
  try {
    const log = join(folder, 'v8.log');
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const running = spawn(
        process.execPath,
        ['--log-maps', `--logfile=${log}`, '--no-logfile-per-isolate', '--import', 'tsx', child, mode],
        { stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 },
      );
      running.once('error', reject);
      running.once('exit', resolve);
    });
    expect(exitCode).toBe(0);
    const code: CodeRange[] = [];
    const built: DetachedMap[] = [];
    let between = false;
    let markersSeen = 0;
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const fields = line.split(',');
      if (fields[0] === 'code-creation') {
        const start = Number.parseInt(fields[4] ?? '', 16);
        code.push({ start, end: start + Number(fields[5]), name: fields.slice(6).join(',') });
      } else if (fields[0] === 'map' && fields[1] === 'Transition') {
        const key = fields[9] ?? '';
        if (key === 'keycardHiddenClassesFrom' || key === 'keycardHiddenClassesTo') {
          between = key === 'keycardHiddenClassesFrom';
          markersSeen += 1;
        } else if (between && fields[8] === 'prototype') {
          const pc = Number.parseInt(fields[5] ?? '', 16);
          const range = code.findLast((candidate) => candidate.start <= pc && pc < candidate.end);
          built.push({ key, code: range?.name ?? `unknown code at ${fields[5] ?? '?'}` });
        }
      }
    }
    expect(markersSeen).toBe(2);
    return built;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Keycard's own code (not a library's, not the child's): the build or the TypeScript sources. */
function isKeycardCode(map: DetachedMap): boolean {
  return /\/(src|dist)\//.test(map.code) && !map.code.includes('/node_modules/');
}

describe('hidden classes on the request path', () => {
  it('sign-in, /me, refresh, the session list and sign-out (by token and by cookie) build none in Keycard once warm', async () => {
    const built = await detachedMapsBetweenMarkers('keycard');
    expect(built.filter((map) => isKeycardCode(map) || map.code.startsWith('unknown'))).toEqual([]);
  }, 90_000);

  it('would see one built by a spread with a key added (the check can fail)', async () => {
    const built = await detachedMapsBetweenMarkers('spread');
    expect(built.length).toBeGreaterThanOrEqual(15);
    expect(built.every((map) => map.key === 'c' && map.code.includes('hidden-class-child.ts'))).toBe(true);
  }, 90_000);
});
