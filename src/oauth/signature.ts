// Signatures: RFC 5849 §3.4 base string, PLAINTEXT (§3.4.4), HMAC-SHA1 (§3.4.2) and
// HMAC-SHA256 (RFC 5849 names no SHA-256; it is the same construction with SHA-256).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { percentEncode } from './percent.ts';
import type { ParamList, SignatureMethod } from './types.ts';

/**
 * Constant-time string comparison (DESIGN D2). Equal-length inputs are compared directly;
 * otherwise both are hashed first, so the time depends on neither content nor which is longer.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ba.length === bb.length) return timingSafeEqual(ba, bb);
  timingSafeEqual(createHash('sha256').update(ba).digest(), createHash('sha256').update(bb).digest());
  return false;
}

/** RFC 5849 §3.4.1.2: scheme and host lower-case, default port dropped, no query or fragment. */
export function baseStringUri(url: string): string {
  const u = new URL(url);
  // WHATWG URL already lower-cases scheme and host and drops :80/:443 for http/https.
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** RFC 5849 §3.4.1.3.2: encode, sort by name then value, join. */
export function normalizeParams(params: ParamList): string {
  const encoded = params.map(([n, v]) => [percentEncode(n), percentEncode(v)] as const);
  encoded.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}

/** RFC 5849 §3.4.1.1: METHOD&encoded-base-URI&encoded-normalized-params (a custom method is encoded too). */
export function signatureBaseString(method: string, url: string, params: ParamList): string {
  return [
    percentEncode(method.toUpperCase()),
    percentEncode(baseStringUri(url)),
    percentEncode(normalizeParams(params)),
  ].join('&');
}

/** The shared key of §3.4.2 and the PLAINTEXT signature of §3.4.4: encode(cs)&encode(ts). */
export function plaintextSignature(consumerSecret: string, tokenSecret: string): string {
  return `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
}

export function hmacSignature(
  method: Exclude<SignatureMethod, 'PLAINTEXT'>,
  baseString: string,
  consumerSecret: string,
  tokenSecret: string,
): string {
  const algorithm = method === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  return createHmac(algorithm, plaintextSignature(consumerSecret, tokenSecret)).update(baseString).digest('base64');
}

export function isSignatureMethod(value: string): value is SignatureMethod {
  return value === 'PLAINTEXT' || value === 'HMAC-SHA1' || value === 'HMAC-SHA256';
}
