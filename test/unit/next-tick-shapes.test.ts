import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdNextTickShapes } from '../../src/verify/next-tick-shapes.js';

const child = join(import.meta.dirname, '../support/next-tick-feedback-child.ts');

/**
 * The states of `process.nextTick`'s tick-object literal slots, from %DebugPrint: e.g. ['MONOMORPHIC', …].
 * The child's stdout is a file: V8 prints through C's stdio, which loses the end of its output on the
 * non-blocking socket Node gives a child for a piped stdout.
 */
async function tickLiteralFeedback(mode: 'hold' | 'verifier' | 'plain'): Promise<string[]> {
  const folder = mkdtempSync(join(tmpdir(), 'keycard-next-tick-'));
  try {
    const output = join(folder, 'stdout.txt');
    const fd = openSync(output, 'w');
    try {
      const exitCode = await new Promise<number | null>((resolve, reject) => {
        const running = spawn(
          process.execPath,
          ['--expose-gc', '--allow-natives-syntax', '--import', 'tsx', child, mode],
          { stdio: ['ignore', fd, 'inherit'], timeout: 30_000 },
        );
        running.once('error', reject);
        running.once('exit', resolve);
      });
      expect(exitCode).toBe(0);
    } finally {
      closeSync(fd);
    }
    const printed = readFileSync(output, 'utf8');
    return [...printed.matchAll(/slot #\d+ DefineKeyedOwnPropertyInLiteral (\w+)/g)].map(
      (match) => match[1] ?? '',
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('holding a tick object', () => {
  it('holds one, once', () => {
    expect(holdNextTickShapes()).toBe(true);
    expect(holdNextTickShapes()).toBe(true);
  });

  it('keeps every key of the tick object literal monomorphic across full collections', async () => {
    const states = await tickLiteralFeedback('hold');
    // async_id_symbol, trigger_async_id_symbol, callback, args
    expect(states).toHaveLength(4);
    expect(states.every((state) => state === 'MONOMORPHIC')).toBe(true);
  });

  it('is held by creating a keycard/verify verifier', async () => {
    const states = await tickLiteralFeedback('verifier');
    expect(states).toHaveLength(4);
    expect(states.every((state) => state === 'MONOMORPHIC')).toBe(true);
  });

  // The harm the hold prevents, on this Node: without it, the same run leaves keys megamorphic, and every tick
  // object is then built through the runtime. Should a Node release stop showing it, the hold can go.
  it('without it, the same run leaves keys of the literal megamorphic', async () => {
    const states = await tickLiteralFeedback('plain');
    expect(states).toHaveLength(4);
    expect(states).toContain('MEGAMORPHIC');
  });
});
