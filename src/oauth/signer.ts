// Client side: builds the Authorization header for a signed request.
import { serializeAuthorizationHeader } from './header.ts';
import { parseQueryString, queryOf } from './params.ts';
import { hmacSignature, plaintextSignature, signatureBaseString } from './signature.ts';
import type { ParamList, SignatureMethod } from './types.ts';

export interface SignRequestOptions {
  method: string;
  /** Absolute URL including the query string. */
  url: string;
  consumerKey: string;
  tokenKey: string;
  tokenSecret: string;
  /** Empty for MAAS; settable for tests of the mistake. */
  consumerSecret?: string;
  signatureMethod?: SignatureMethod;
  /** Whole seconds, from the caller's clock. */
  timestamp: number;
  nonce: string;
  realm?: string;
  /** Form-urlencoded body parameters, which HMAC signs (RFC 5849 §3.4.1.3.1). */
  formParams?: ParamList;
}

/** Returns the value of the Authorization header. PLAINTEXT unless told otherwise. */
export function signRequest(options: SignRequestOptions): string {
  const method = options.signatureMethod ?? 'PLAINTEXT';
  const consumerSecret = options.consumerSecret ?? '';
  const oauth: ParamList = [
    ['oauth_consumer_key', options.consumerKey],
    ['oauth_token', options.tokenKey],
    ['oauth_signature_method', method],
    ['oauth_timestamp', String(options.timestamp)],
    ['oauth_nonce', options.nonce],
    ['oauth_version', '1.0'],
  ];
  let signature: string;
  if (method === 'PLAINTEXT') {
    signature = plaintextSignature(consumerSecret, options.tokenSecret);
  } else {
    // The fragment is never sent, so it is never signed (RFC 5849 §3.4.1.3.1 signs the query only).
    const query = parseQueryString(queryOf(options.url));
    const base = signatureBaseString(options.method, options.url, [...query, ...oauth, ...(options.formParams ?? [])]);
    signature = hmacSignature(method, base, consumerSecret, options.tokenSecret);
  }
  return serializeAuthorizationHeader([...oauth, ['oauth_signature', signature]], options.realm);
}
