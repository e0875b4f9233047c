// Protection of stored secrets (DESIGN D2): token secrets are sealed with AES-256-GCM under
// the server key and accompanied by an HMAC digest for constant-time PLAINTEXT checks;
// passwords are scrypt hashes. A copy of the database alone reveals neither.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import type { RandomBytes } from '../model/index.ts';
import { StoreError } from './types.ts';

export interface SecretBox {
  /** base64(iv || ciphertext || tag) */
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** base64 HMAC-SHA256 of the secret under a key derived from the server key. */
  digest(secret: string): string;
  digestMatches(secret: string, digest: string): boolean;
}

function derive(serverKey: Buffer, purpose: string): Buffer {
  return createHash('sha256').update(purpose).update(serverKey).digest();
}

export function createSecretBox(serverKey: Buffer, randomBytes: RandomBytes): SecretBox {
  if (serverKey.length < 32) {
    throw new StoreError('ERR_STORE_SECRET_KEY', 'The server secret key must be at least 32 bytes.');
  }
  const encKey = derive(serverKey, 'maaskit token secret encryption v1');
  const macKey = derive(serverKey, 'maaskit token secret digest v1');
  return {
    seal(plaintext) {
      const iv = Buffer.from(randomBytes(12));
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      try {
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new StoreError(
          'ERR_STORE_SECRET_KEY',
          'A stored token secret cannot be decrypted: the server secret key is not the one it was stored with.',
          { cause },
        );
      }
    },
    digest(secret) {
      return createHmac('sha256', macKey).update(secret, 'utf8').digest('base64');
    },
    digestMatches(secret, digest) {
      const a = createHmac('sha256', macKey).update(secret, 'utf8').digest();
      const b = Buffer.from(digest, 'base64');
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

// scrypt parameters: N=2^14, r=8, p=1 (the RFC 7914 interactive-login recommendation).
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

/** `scrypt$N$r$p$salt$hash`, both base64. */
export function hashPassword(password: string, randomBytes: RandomBytes): string {
  const salt = Buffer.from(randomBytes(16));
  const hash = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/** Sessions are stored under a digest of their id, so a database copy cannot replay them. */
export function sessionDigest(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('base64');
}
