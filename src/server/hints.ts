// DESIGN D3: after a refused request, one `Hint:` line naming the likely mistake. Hints are
// computed only on the failure path, and never contain a secret.
import {
  type CollectedParams,
  hmacSignature,
  isSignatureMethod,
  type OAuthError,
  type OAuthRequest,
  signatureBaseString,
  constantTimeEqual,
} from '../oauth/index.ts';
import type { Store } from '../store/index.ts';

const KEY_SHAPE = 'consumer_key:token_key:token_secret';
const WRONG_ORDER =
  `the parts of the API key are in the wrong order. A MAAS API key reads ${KEY_SHAPE}: ` +
  'send part 1 as the consumer key (oauth_consumer_key), part 2 as the token (oauth_token) ' +
  'and part 3 as the token secret, with an empty consumer secret.';

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  // A timestamp beyond the year 275760 has no ISO form; say it as it came.
  return Number.isNaN(date.getTime()) ? `${seconds} s after the epoch` : date.toISOString().replace('.000Z', 'Z');
}

/** origin + path of a URL, or undefined when it cannot be parsed (a hostile Host header). */
function originAndPath(url: string): { origin: string; pathname: string } | undefined {
  try {
    const u = new URL(url);
    return { origin: u.origin, pathname: u.pathname };
  } catch {
    return undefined;
  }
}

/** HMAC over a candidate URL, or undefined when the URL cannot be parsed. */
function hmacOver(method: 'HMAC-SHA1' | 'HMAC-SHA256', httpMethod: string, url: string, params: CollectedParams['signed'], secret: string): string | undefined {
  try {
    return hmacSignature(method, signatureBaseString(httpMethod, url, params), '', secret);
  } catch {
    return undefined;
  }
}

export interface HintContext {
  store: Store;
  request: OAuthRequest;
  params: CollectedParams;
  /** Other URLs the client may have signed (the Host-based ones, forwarded ones). */
  alternativeUrls: string[];
}

/** Finds which URL/parameter variant an HMAC signature was computed over, if any. */
function hmacMismatch(ctx: HintContext, secret: string): string | undefined {
  const { oauth, signed } = ctx.params;
  const method = oauth['oauth_signature_method'] ?? '';
  const presented = oauth['oauth_signature'] ?? '';
  const served = originAndPath(ctx.request.url);
  if (!isSignatureMethod(method) || method === 'PLAINTEXT' || !served) return undefined;
  const matches = (url: string, params: CollectedParams['signed']) => {
    const signature = hmacOver(method, ctx.request.method, url, params, secret);
    return signature !== undefined && constantTimeEqual(signature, presented);
  };
  const pathAndQuery = ctx.request.url.replace(/^[a-z]+:\/\/[^/]+/i, '');
  for (const origin of ctx.alternativeUrls) {
    const url = origin + pathAndQuery;
    if (url !== ctx.request.url && matches(url, signed)) {
      return (
        `the ${method} signature was computed over ${origin}, but this server signs over ` +
        `${served.origin}. Request the URL you signed, or start the server with --public-url.`
      );
    }
  }
  const oauthOnly = signed.filter(([name]) => name.startsWith('oauth_'));
  if (oauthOnly.length !== signed.length && matches(ctx.request.url, oauthOnly)) {
    return (
      `the ${method} signature leaves out the query or form parameters; RFC 5849 §3.4.1.3 signs ` +
      'every query parameter and every field of a form-urlencoded body.'
    );
  }
  return undefined;
}

export async function hintFor(error: OAuthError, ctx: HintContext): Promise<string | undefined> {
  const { oauth } = ctx.params;
  const consumerKey = oauth['oauth_consumer_key'] ?? '';
  const tokenKey = oauth['oauth_token'] ?? '';
  switch (error.code) {
    case 'ERR_OAUTH_HEADER_MALFORMED':
      return 'each part of an OAuth Authorization header reads name="value", and parts are separated by commas.';
    case 'ERR_OAUTH_TIMESTAMP_MISSING':
    case 'ERR_OAUTH_TIMESTAMP_INVALID':
      return 'oauth_timestamp must be whole seconds since the epoch, as `date +%s` prints.';
    case 'ERR_OAUTH_VERSION_UNSUPPORTED':
      return 'send oauth_version="1.0", or leave it out.';
    case 'ERR_OAUTH_CONSUMER_UNKNOWN': {
      if (consumerKey.includes(':')) {
        return `the whole API key was sent as the consumer key. Split it at the colons into ${KEY_SHAPE}.`;
      }
      if ((await ctx.store.keyPartKind(consumerKey)) === 'token_key') return WRONG_ORDER;
      return (
        `no API key has this consumer key (part 1 of ${KEY_SHAPE}). ` +
        'The key may have been deleted, or belong to another MAAS.'
      );
    }
    case 'ERR_OAUTH_TOKEN_UNKNOWN':
      if ((await ctx.store.keyPartKind(tokenKey)) === 'consumer_key') return WRONG_ORDER;
      return `no API key has this token key (part 2 of ${KEY_SHAPE}); it may have been deleted.`;
    case 'ERR_OAUTH_TOKEN_CONSUMER_MISMATCH':
      return 'the consumer key and the token come from two different API keys; use the three parts of one key.';
    case 'ERR_OAUTH_TIMESTAMP_EXPIRED':
    case 'ERR_OAUTH_TIMESTAMP_FUTURE': {
      const { timestamp = 0, now = 0 } = error.detail;
      const skew = timestamp - now;
      return (
        `your clock is ${Math.abs(skew)} seconds ${skew < 0 ? 'behind' : 'ahead of'} the server's: ` +
        `you sent ${isoTime(timestamp)}, the server's time is ${isoTime(now)} (see this response's Date header). ` +
        'Correct the clock, or sign with the server time.'
      );
    }
    case 'ERR_OAUTH_NONCE_REUSED':
      return (
        'every request needs a fresh oauth_nonce and oauth_timestamp. A header copied from an earlier ' +
        'request (a static header pasted into a tool) replays both.'
      );
    case 'ERR_OAUTH_METHOD_UNSUPPORTED':
      return 'use PLAINTEXT (as the MAAS clients do), HMAC-SHA1 or HMAC-SHA256.';
    case 'ERR_OAUTH_SIGNATURE_MISSING':
      return 'a PLAINTEXT oauth_signature is "&" followed by the token secret (part 3 of the key).';
    case 'ERR_OAUTH_SIGNATURE_INVALID': {
      if (error.detail.mistake === 'consumer-secret-not-empty') {
        return (
          'the consumer secret must be empty: MAAS keys have none, so the PLAINTEXT signature is "&" ' +
          'followed by the token secret, with nothing before the "&".'
        );
      }
      if (error.detail.mistake === 'missing-ampersand') {
        return 'a PLAINTEXT signature is "&" followed by the token secret; the "&" is missing.';
      }
      if (error.detail.signatureMethod === 'PLAINTEXT') {
        return `the signature does not match the token secret: it should be "&" followed by part 3 of ${KEY_SHAPE}.`;
      }
      const grant = await ctx.store.findTokenGrant(tokenKey);
      const found = grant && hmacMismatch(ctx, grant.secret.reveal());
      const served = originAndPath(ctx.request.url);
      const where = served ? `${served.origin}${served.pathname}` : 'the URL of the request (its Host header is not valid)';
      return (
        found ??
        `the ${error.detail.signatureMethod} signature does not match. This server signs ` +
          `${ctx.request.method.toUpperCase()} ${where} ` +
          'with the query and form parameters (RFC 5849 §3.4.1), under the key "&" + token secret.'
      );
    }
    default:
      return undefined;
  }
}

/** Why a request without complete OAuth parameters was not authenticated (the 401 Forbidden). */
export function forbiddenHint(authorization: string | undefined, params: CollectedParams | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    return `this endpoint needs an API key: sign the request with OAuth 1.0 PLAINTEXT using ${KEY_SHAPE}.`;
  }
  const scheme = authorization.trim().split(/\s+/)[0] ?? '';
  if (scheme.toLowerCase() !== 'oauth') {
    // Echo the scheme only when it is one: a pasted key in its place must not be echoed.
    const named = /^[A-Za-z-]{1,16}$/.test(scheme) ? `the ${scheme} scheme` : 'no known scheme';
    return `the Authorization header uses ${named}; MAAS expects "OAuth oauth_consumer_key=…, oauth_token=…, …".`;
  }
  const missing = params?.missing ?? [];
  return `the OAuth parameters are incomplete: ${missing.join(', ')} missing.`;
}
