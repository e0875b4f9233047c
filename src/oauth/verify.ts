// Verification of a 0-legged OAuth 1.0 request, in MAAS's check order (spec/maas-auth.md §3):
// consumer → token → timestamp → nonce → signature method → signature. The first failure wins.
import { OAuthError } from './errors.ts';
import { percentDecode } from './percent.ts';
import { constantTimeEqual, hmacSignature, isSignatureMethod, signatureBaseString } from './signature.ts';
import {
  type CollectedParams,
  type OAuthRequest,
  SIGNATURE_METHODS,
  type TokenSecret,
  type Verified,
  type VerifyOptions,
} from './types.ts';

/** MAAS stores nonces in a varchar(255); longer ones are refused rather than truncated. */
export const MAX_NONCE_LENGTH = 255;

function badRequest(code: 'ERR_OAUTH_TIMESTAMP_MISSING' | 'ERR_OAUTH_TIMESTAMP_INVALID', message: string): OAuthError {
  return new OAuthError(code, message, {}, 400);
}

function required(oauth: Record<string, string>, name: string): string {
  const value = oauth[name];
  if (value === undefined) throw new OAuthError('ERR_OAUTH_PARAM_MISSING', `Parameter not found: ${name}`);
  return value;
}

/**
 * MAAS echoes the presented token in its error. A value that cannot be a token key (too long,
 * or a whole key) may be a secret pasted in the wrong place, so it is not echoed at all.
 */
export function displayToken(value: string): string {
  return value.length <= 24 && !value.includes(':') ? value : `<${value.length} characters, not shown>`;
}

/**
 * MAAS echoes the signature method and version it refuses; a value that cannot be one (a
 * secret in the wrong field, say) is described instead of echoed.
 */
function displayValue(value: string, shape: RegExp): string {
  return shape.test(value) ? value : `<${value.length} characters, not shown>`;
}

/** MAAS ≥3.8 answers 400 for a timestamp that is empty or not an integer (LP:2002525), never 500. */
export function parseTimestamp(raw: string): number {
  if (raw.trim() === '') throw badRequest('ERR_OAUTH_TIMESTAMP_MISSING', 'Missing timestamp.');
  if (!/^\s*[+-]?\d{1,15}\s*$/.test(raw)) {
    throw badRequest(
      'ERR_OAUTH_TIMESTAMP_INVALID',
      'the following problems were found among the auth params: oauth_timestamp has an unexpected type',
    );
  }
  return Number.parseInt(raw, 10);
}

/**
 * RFC 5849 §3.4.4: PLAINTEXT is encode(consumer secret)&encode(token secret); MAAS's consumer
 * secret is always empty. The token secret is checked through `matches`, so the verifier never
 * needs the secret itself.
 */
function checkPlaintext(signature: string, secret: TokenSecret): void {
  const amp = signature.indexOf('&');
  if (amp < 0) {
    const detail = secret.matches(percentDecode(signature)) ? { mistake: 'missing-ampersand' as const } : {};
    throw new OAuthError('ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.', { signatureMethod: 'PLAINTEXT', ...detail });
  }
  const consumerSecret = percentDecode(signature.slice(0, amp));
  const tokenSecret = percentDecode(signature.slice(amp + 1));
  const secretOk = secret.matches(tokenSecret);
  if (secretOk && consumerSecret === '') return;
  throw new OAuthError('ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.', {
    signatureMethod: 'PLAINTEXT',
    ...(secretOk ? { mistake: 'consumer-secret-not-empty' as const } : {}),
  });
}

/**
 * Verifies a request whose parameters `collectParams` found complete in some source.
 * @throws OAuthError with a stable code and MAAS's message.
 */
export async function verifyRequest(
  request: OAuthRequest,
  params: CollectedParams,
  options: VerifyOptions,
): Promise<Verified> {
  const { oauth } = params;
  const timestamp = parseTimestamp(required(oauth, 'oauth_timestamp'));
  const version = oauth['oauth_version'];
  if (version !== undefined && version !== '1.0') {
    throw new OAuthError(
      'ERR_OAUTH_VERSION_UNSUPPORTED',
      `OAuth version ${displayValue(version, /^[0-9.]{0,8}$/)} not supported.`,
    );
  }
  const consumerKey = required(oauth, 'oauth_consumer_key');
  const tokenKey = required(oauth, 'oauth_token');

  if (!(await options.lookup.consumerExists(consumerKey))) {
    throw new OAuthError('ERR_OAUTH_CONSUMER_UNKNOWN', 'Invalid consumer.');
  }
  const token = await options.lookup.findToken(tokenKey);
  if (token === undefined) {
    throw new OAuthError('ERR_OAUTH_TOKEN_UNKNOWN', `Invalid access token: ${displayToken(tokenKey)}`);
  }
  // DESIGN D2: unlike MAAS, a token must belong to the consumer presented.
  if (!constantTimeEqual(token.consumerKey, consumerKey)) {
    throw new OAuthError('ERR_OAUTH_TOKEN_CONSUMER_MISMATCH', `Invalid access token: ${displayToken(tokenKey)}`);
  }

  const now = options.clock.nowSeconds();
  const window = options.timestampWindow;
  if (now - timestamp > window) {
    throw new OAuthError(
      'ERR_OAUTH_TIMESTAMP_EXPIRED',
      `Expired timestamp: given ${timestamp} and now ${now}, has a greater difference than threshold ${window}`,
      { timestamp, now },
    );
  }
  // DESIGN D2: MAAS accepts any future timestamp; a window both ways bounds nonce storage.
  if (timestamp - now > window) {
    throw new OAuthError(
      'ERR_OAUTH_TIMESTAMP_FUTURE',
      `Timestamp in the future: given ${timestamp} and now ${now}, has a greater difference than threshold ${window}`,
      { timestamp, now },
    );
  }

  const nonce = required(oauth, 'oauth_nonce');
  if (nonce.length > MAX_NONCE_LENGTH) {
    throw new OAuthError('ERR_OAUTH_NONCE_INVALID', `Invalid nonce: longer than ${MAX_NONCE_LENGTH} characters`);
  }
  // As in MAAS, the nonce is spent before the signature is checked.
  if (!(await options.nonces.useOnce(consumerKey, tokenKey, nonce, timestamp))) {
    throw new OAuthError('ERR_OAUTH_NONCE_REUSED', `Nonce already used: ${nonce}`, { timestamp, now });
  }

  const method = required(oauth, 'oauth_signature_method');
  if (!isSignatureMethod(method)) {
    throw new OAuthError(
      'ERR_OAUTH_METHOD_UNSUPPORTED',
      `Signature method ${displayValue(method, /^[A-Za-z][A-Za-z0-9-]{0,15}$/)} not supported try one of the following: ${SIGNATURE_METHODS.join(', ')}`,
    );
  }
  const signature = oauth['oauth_signature'];
  if (signature === undefined || signature === '') {
    throw new OAuthError('ERR_OAUTH_SIGNATURE_MISSING', 'Missing signature.');
  }

  if (method === 'PLAINTEXT') {
    checkPlaintext(signature, token.secret);
  } else {
    let base: string;
    try {
      base = signatureBaseString(request.method, request.url, params.signed);
    } catch {
      // An unparseable URL (e.g. from a Host header such as "h:99999") cannot have been signed;
      // DESIGN D2: malformed auth is a 401, never a 500.
      throw new OAuthError('ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.', { signatureMethod: method });
    }
    const expected = hmacSignature(method, base, '', token.secret.reveal());
    if (!constantTimeEqual(expected, signature)) {
      throw new OAuthError('ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.', { signatureMethod: method });
    }
  }
  return { consumerKey, tokenKey, signatureMethod: method, source: params.completeSources };
}
