import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** PostgreSQL's own default (`scram_iterations`, 4096 since SCRAM arrived in 10). */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;

export interface ScramOptions {
  /** Raw salt; random 16 bytes by default. Fixed only in tests. */
  salt?: Buffer;
  iterations?: number;
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

function keys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  // The server runs SASLprep on the password first; secrets.ts only admits printable ASCII, where SASLprep is
  // the identity, so the raw UTF-8 bytes are what both the server and node-postgres' client feed to PBKDF2.
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { storedKey: createHash('sha256').update(clientKey).digest(), serverKey: hmac(salted, 'Server Key') };
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores in `pg_authid.rolpassword` for a password:
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802/7677, base64 parts).
 * Sent as `ALTER ROLE … PASSWORD '<verifier>'`, it is stored as is, so the clear password never travels
 * in a statement that could reach the server log.
 */
export function scramVerifier(password: string, options: ScramOptions = {}): string {
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const { storedKey, serverKey } = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** True when `stored` is a SCRAM-SHA-256 verifier (not md5, not a clear text, not null). */
export function isScramVerifier(stored: string | null | undefined): stored is string {
  return typeof stored === 'string' && VERIFIER.test(stored);
}

/**
 * True when `stored` is a SCRAM-SHA-256 verifier of `password`: recomputed with the stored salt and
 * iteration count and compared in constant time. False for md5 hashes, null and other passwords.
 */
export function verifyScram(stored: string | null | undefined, password: string): boolean {
  const match = typeof stored === 'string' ? VERIFIER.exec(stored) : null;
  if (!match) return false;
  const { storedKey, serverKey } = keys(password, Buffer.from(match[2], 'base64'), Number(match[1]));
  const wantStored = Buffer.from(match[3], 'base64');
  const wantServer = Buffer.from(match[4], 'base64');
  return (
    wantStored.length === storedKey.length &&
    wantServer.length === serverKey.length &&
    timingSafeEqual(wantStored, storedKey) &&
    timingSafeEqual(wantServer, serverKey)
  );
}
