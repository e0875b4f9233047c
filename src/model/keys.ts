// MAAS API keys: consumer_key:token_key:token_secret, 18:18:32 characters of
// [A-Za-z0-9] (spec/maas-auth.md §4.2, DESIGN D5).

export const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const CONSUMER_KEY_LENGTH = 18;
export const TOKEN_KEY_LENGTH = 18;
export const TOKEN_SECRET_LENGTH = 32;
/** MAAS's name for a user's first key, and for keys created without a name. */
export const DEFAULT_KEY_NAME = 'MAAS consumer';

export interface ApiKeyParts {
  consumerKey: string;
  tokenKey: string;
  tokenSecret: string;
}

/** A source of random bytes, injected (DESIGN D7). */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * Draws `length` characters from KEY_ALPHABET without modulo bias: bytes at or above the
 * largest multiple of 62 below 256 are rejected and redrawn.
 */
export function randomCode(length: number, randomBytes: RandomBytes): string {
  const limit = 256 - (256 % KEY_ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += KEY_ALPHABET[byte % KEY_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generateApiKeyParts(randomBytes: RandomBytes): ApiKeyParts {
  return {
    consumerKey: randomCode(CONSUMER_KEY_LENGTH, randomBytes),
    tokenKey: randomCode(TOKEN_KEY_LENGTH, randomBytes),
    tokenSecret: randomCode(TOKEN_SECRET_LENGTH, randomBytes),
  };
}

export function formatApiKey(parts: ApiKeyParts): string {
  return `${parts.consumerKey}:${parts.tokenKey}:${parts.tokenSecret}`;
}

/**
 * Splits a key as the maas CLI does (spec/maas-auth.md §4.2): exactly three colon-separated
 * parts. Returns undefined otherwise; the caller words the error.
 */
export function splitApiKey(key: string): ApiKeyParts | undefined {
  const parts = key.split(':');
  if (parts.length !== 3) return undefined;
  const [consumerKey, tokenKey, tokenSecret] = parts as [string, string, string];
  return { consumerKey, tokenKey, tokenSecret };
}

/** The maas CLI's message, two spaces after the first full stop included. Callers must not pass a real key unless it is the user's own input on their own terminal. */
export function malformedKeyMessage(shown: string): string {
  return `Malformed credentials string.  Expected 3 colon-separated items, got '${shown}'.`;
}
