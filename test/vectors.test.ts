// The one runner for the spec vectors in test/vectors/*.json (STYLE 7): RFC 5849's worked
// examples, the headers real MAAS clients send (spec/clients.md §0), and HMAC requests captured
// from the real Ruby oauth gem and Python oauthlib. A file holds either `{ cases: [...] }`
// (with optional `defaults` merged into each case) or a single case object.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import {
  baseStringUri,
  type CollectedParams,
  type CredentialLookup,
  collectParams,
  constantTimeEqual,
  hmacSignature,
  isSignatureMethod,
  type NonceStore,
  normalizeParams,
  type OAuthRequest,
  OAuthError,
  type ParamList,
  parseAuthorizationHeader,
  parseQueryString,
  percentDecode,
  percentEncode,
  plaintextSignature,
  signatureBaseString,
  signRequest,
  verifyRequest,
} from '../src/oauth/index.ts';

const VECTORS = join(import.meta.dirname, 'vectors');

/** A request as sent, and what must follow from it. Every field but the request is optional. */
interface RequestCase {
  kind?: 'request';
  name?: string;
  method: string;
  url: string;
  authorization?: string | null;
  contentType?: string | null;
  body?: string | null;
  consumerKey?: string;
  tokenKey?: string;
  tokenSecret?: string;
  consumerSecret?: string;
  /** The server clock; defaults to the request's own oauth_timestamp. */
  now?: number;
  signatureBaseString?: string;
  expectedSignature?: string;
  signatureMethod?: string;
  expectedOAuth?: Record<string, string>;
  completeSources?: string[];
}

type VectorCase =
  | RequestCase
  | { kind: 'normalized-params'; name: string; params: ParamList; expected: string }
  | { kind: 'base-string-uri'; name: string; url: string; expected: string }
  | { kind: 'percent-encode'; name: string; input: string; expected: string }
  | { kind: 'plaintext'; name: string; consumerSecret: string; tokenSecret: string; expected: string; header?: string };

interface VectorFile {
  description?: string;
  defaults?: Partial<RequestCase>;
  cases?: VectorCase[];
}

function loadCases(file: string): VectorCase[] {
  const data = JSON.parse(readFileSync(join(VECTORS, file), 'utf8')) as VectorFile & RequestCase;
  if (!Array.isArray(data.cases)) return [{ ...data, name: data.name ?? basename(file, '.json') }];
  return data.cases.map((c) => ({ ...data.defaults, ...c }) as VectorCase);
}

function requestOf(c: RequestCase): OAuthRequest {
  const form = c.contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
  return {
    method: c.method,
    url: c.url,
    authorization: c.authorization ?? undefined,
    // RFC 5849 §3.4.1.3.1: only a form-urlencoded body is a parameter source (and is signed).
    body: form && typeof c.body === 'string' ? { params: parseQueryString(c.body), signed: true } : undefined,
  };
}

/** CK→TK→TS in memory; the secret is checked in constant time, as the store does. */
function lookupFor(consumerKey: string, tokenKey: string, tokenSecret: string): CredentialLookup {
  return {
    consumerExists: async (key) => key === consumerKey,
    findToken: async (key) =>
      key === tokenKey
        ? {
            tokenKey,
            consumerKey,
            secret: { matches: (presented) => constantTimeEqual(presented, tokenSecret), reveal: () => tokenSecret },
          }
        : undefined,
  };
}

function memoryNonces(): NonceStore {
  const seen = new Set<string>();
  return {
    useOnce: async (consumerKey, tokenKey, nonce) => {
      const key = JSON.stringify([consumerKey, tokenKey, nonce]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
}

/** signRequest can re-create a header that carries exactly the oauth_* parameters it emits. */
const SIGNER_PARAMS = new Set([
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_version',
  'oauth_signature',
]);

function checkRequest(c: RequestCase): Promise<void> | undefined {
  const request = requestOf(c);
  const params: CollectedParams = collectParams(request);
  for (const [name, value] of Object.entries(c.expectedOAuth ?? {})) {
    assert.equal(params.oauth[name], value, name);
  }
  if (c.completeSources) assert.deepEqual(params.completeSources, c.completeSources);

  const base = signatureBaseString(c.method, c.url, params.signed);
  if (c.signatureBaseString !== undefined) assert.equal(base, c.signatureBaseString);

  const method = params.oauth['oauth_signature_method'] ?? '';
  if (c.expectedSignature !== undefined) {
    assert.ok(isSignatureMethod(method), `signature method ${method}`);
    const computed =
      method === 'PLAINTEXT'
        ? plaintextSignature(c.consumerSecret ?? '', c.tokenSecret ?? '')
        : hmacSignature(method, base, c.consumerSecret ?? '', c.tokenSecret ?? '');
    assert.equal(computed, c.expectedSignature);
    // The signature the client sent, once decoded, is the one we compute.
    assert.equal(params.oauth['oauth_signature'], c.expectedSignature);
  }

  // Only MAAS-shaped credentials (empty consumer secret, DESIGN D4) go through the verifier.
  const { consumerKey, tokenKey, tokenSecret } = c;
  if (consumerKey === undefined || tokenKey === undefined || tokenSecret === undefined) return undefined;
  if ((c.consumerSecret ?? '') !== '') return undefined;

  return (async () => {
    assert.notDeepEqual(params.completeSources, [], 'the request is an OAuth attempt');
    const timestamp = Number.parseInt(params.oauth['oauth_timestamp'] ?? '', 10);
    const options = {
      lookup: lookupFor(consumerKey, tokenKey, tokenSecret),
      nonces: memoryNonces(),
      clock: { nowSeconds: () => c.now ?? timestamp },
      timestampWindow: 300,
    };
    const verified = await verifyRequest(request, params, options);
    assert.equal(verified.consumerKey, consumerKey);
    assert.equal(verified.tokenKey, tokenKey);
    if (c.signatureMethod !== undefined) assert.equal(verified.signatureMethod, c.signatureMethod);
    assert.deepEqual(verified.source, params.completeSources);

    // The same header again is a replay.
    const replay = collectParams(requestOf(c));
    await assert.rejects(verifyRequest(request, replay, options), (error: unknown) => {
      assert.ok(error instanceof OAuthError);
      assert.equal(error.code, 'ERR_OAUTH_NONCE_REUSED');
      assert.equal(error.message, `Nonce already used: ${params.oauth['oauth_nonce']}`);
      return true;
    });

    // Where our signer can produce the same parameters, it produces the same signature.
    const header = c.authorization ? parseAuthorizationHeader(c.authorization) : undefined;
    if (header && method !== 'PLAINTEXT' && isSignatureMethod(method) && [...header.keys()].every((k) => SIGNER_PARAMS.has(k))) {
      const resigned = signRequest({
        method: c.method,
        url: c.url,
        consumerKey,
        tokenKey,
        tokenSecret,
        signatureMethod: method,
        timestamp,
        nonce: params.oauth['oauth_nonce'] ?? '',
        ...(request.body ? { formParams: request.body.params } : {}),
      });
      assert.equal(parseAuthorizationHeader(resigned)?.get('oauth_signature'), params.oauth['oauth_signature']);
    }
  })();
}

const files = readdirSync(VECTORS)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('vectors: the RFC 5849 and client-header files are present', () => {
  assert.ok(files.includes('rfc5849.json'));
  assert.ok(files.includes('client-headers.json'));
});

for (const file of files) {
  describe(`vectors: ${file}`, () => {
    const cases = loadCases(file);
    test('has cases, each named once', () => {
      assert.ok(cases.length > 0);
      const names = cases.map((c) => c.name);
      assert.equal(new Set(names).size, names.length);
    });
    for (const c of cases) {
      test(`${c.kind ?? 'request'}: ${c.name}`, async () => {
        switch (c.kind) {
          case 'normalized-params':
            assert.equal(normalizeParams(c.params), c.expected);
            return;
          case 'base-string-uri':
            assert.equal(baseStringUri(c.url), c.expected);
            return;
          case 'percent-encode':
            assert.equal(percentEncode(c.input), c.expected);
            assert.equal(percentDecode(c.expected), c.input);
            return;
          case 'plaintext':
            assert.equal(plaintextSignature(c.consumerSecret, c.tokenSecret), c.expected);
            // §3.5.1: in a header the signature is encoded once more; decoding gives it back.
            if (c.header !== undefined) {
              assert.equal(percentEncode(c.expected), c.header);
              assert.equal(percentDecode(c.header), c.expected);
            }
            return;
          default:
            await checkRequest(c);
        }
      });
    }
  });
}
