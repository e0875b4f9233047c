// The server key that seals token secrets (DESIGN D2): given by the caller (from
// MAASKIT_SECRET_KEY), or kept in a 0600 file in the data dir, created on first use.
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RandomBytes } from '../model/index.ts';
import { StoreError } from './types.ts';

/** Decodes a key given as 64 hex characters or as base64 of at least 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64,}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length < 32) {
    throw new StoreError(
      'ERR_STORE_SECRET_KEY',
      'The secret key is too short: MAASKIT_SECRET_KEY must hold at least 32 bytes, as 64 hex characters or base64.',
    );
  }
  return key;
}

/**
 * Reads the key file, or creates it: written to a temporary file, then hard-linked into place,
 * which fails if another process won the race, so concurrent first runs agree on one key.
 */
export function loadOrCreateKeyFile(path: string, randomBytes: RandomBytes): Buffer {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) {
    const tmp = `${path}.${Buffer.from(randomBytes(6)).toString('hex')}.tmp`;
    writeFileSync(tmp, `${Buffer.from(randomBytes(32)).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(tmp);
    }
  }
  return parseSecretKey(readFileSync(path, 'utf8'));
}
