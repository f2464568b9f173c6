import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_SECRET_BYTES } from '../core/config.js';

export const SECRET_FILE_NAME = 'keycard.secret';

/**
 * The server secret kept in the data folder when `KEYCARD_SECRET` is unset: read if present, else generated once
 * (256 bits) and written with mode 0600. `created` tells the caller to warn that the secret lives on disk.
 */
export function loadOrCreateServerSecret(dataDir: string): {
  secret: Buffer;
  path: string;
  created: boolean;
} {
  const path = join(dataDir, SECRET_FILE_NAME);
  if (existsSync(path)) {
    const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (secret.length < MIN_SECRET_BYTES) {
      throw new Error(
        `${path} holds a secret shorter than ${MIN_SECRET_BYTES} bytes; remove it or set KEYCARD_SECRET`,
      );
    }
    return { secret, path, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { secret, path, created: true };
}
