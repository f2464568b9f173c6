import { hash } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/**
 * The JWT of legacy accounts (account version 003, seed 004): `{user_uuid, pw_hash}` signed with HS256 under the
 * legacy key, where `pw_hash` is SHA-256 of the stored password hash. It carries no expiry, as the old server's
 * did: it dies when the password changes (and with it `pw_hash`) or when the account is upgraded to sessions.
 */
export interface LegacyJwtClaims {
  readonly userUuid: string;
  readonly pwHash: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PW_HASH_PATTERN = /^[0-9a-f]{64}$/;
/** Legacy tokens are small; anything much larger is not one, and is not worth verifying. */
const MAX_LEGACY_JWT_LENGTH = 1024;

/** `pw_hash`: SHA-256 (hex) of the stored password hash, so a password change ends every legacy token. */
export function legacyPasswordHashOf(storedPasswordHash: string): string {
  return hash('sha256', storedPasswordHash, 'hex');
}

export async function signLegacyJwt(key: Uint8Array, claims: LegacyJwtClaims): Promise<string> {
  return new SignJWT({ user_uuid: claims.userUuid, pw_hash: claims.pwHash })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .sign(key);
}

/** Whether a token has the shape of a JWS in compact form (three base64url parts), before any check. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(token);
}

/**
 * The claims of a genuine legacy JWT, or undefined for anything else: another algorithm (`none` included: jose
 * accepts only the one listed), a bad signature, a `typ` other than `JWT` (Keycard's access tokens are
 * `at+jwt`, signed with other keys anyway), a `crit` header, or claims that are not exactly a user uuid and a
 * password hash.
 */
export async function verifyLegacyJwt(key: Uint8Array, token: string): Promise<LegacyJwtClaims | undefined> {
  if (token.length > MAX_LEGACY_JWT_LENGTH || !looksLikeJwt(token)) return undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (header.typ !== undefined && header.typ.toUpperCase() !== 'JWT') return undefined;
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
    const { user_uuid: userUuid, pw_hash: pwHash } = payload;
    if (typeof userUuid !== 'string' || !UUID_PATTERN.test(userUuid)) return undefined;
    if (typeof pwHash !== 'string' || !PW_HASH_PATTERN.test(pwHash)) return undefined;
    // A legacy token names no audience; one that does was made for something else.
    if (payload.aud !== undefined || payload.sid !== undefined) return undefined;
    return { userUuid, pwHash };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return undefined;
    throw error;
  }
}
