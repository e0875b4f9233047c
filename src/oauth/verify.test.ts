import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError, type OAuthErrorCode } from './errors.ts';
import { serializeAuthorizationHeader } from './header.ts';
import { collectParams, parseQueryString } from './params.ts';
import { constantTimeEqual, hmacSignature, signatureBaseString } from './signature.ts';
import { signRequest } from './signer.ts';
import type { CredentialLookup, NonceStore, OAuthRequest, ParamList, SignatureMethod, Verified } from './types.ts';
import { displayToken, MAX_NONCE_LENGTH, parseTimestamp, verifyRequest } from './verify.ts';

// --- fixture ---------------------------------------------------------------------------------

const NOW = 1_796_364_918;
const WINDOW = 300;
const URL_WHOAMI = 'http://localhost:5240/MAAS/api/2.0/users/?op=whoami';

/** Two API keys, 18:18:32 like MAAS's. The secrets are distinctive so a leak is easy to spot. */
const KEY = { consumerKey: 'CKa1b2c3d4e5f6g7h8', tokenKey: 'TKa1b2c3d4e5f6g7h8', tokenSecret: 'Sx9Qw3Er7Ty1Ui5Op2As6Df4Gh8Jk0Lz' };
const OTHER = { consumerKey: 'CKz9y8x7w6v5u4t3s2', tokenKey: 'TKz9y8x7w6v5u4t3s2', tokenSecret: 'Oq1Wp2Eo3Ri4Tu5Yy6Ut7Ir8Oe9Pw0Qa' };
const SECRETS = [KEY.tokenSecret, OTHER.tokenSecret];

interface Fixture {
  lookup: CredentialLookup;
  nonces: NonceStore;
  clock: { nowSeconds(): number };
  timestampWindow: number;
  /** Every call the verifier made to the nonce store. */
  nonceCalls: Array<[consumerKey: string, tokenKey: string, nonce: string, timestamp: number]>;
  /** How often the verifier asked for a secret itself (only HMAC needs it). */
  reveals: number;
  now: number;
}

function fixture(): Fixture {
  const seen = new Set<string>();
  const f: Fixture = {
    nonceCalls: [],
    reveals: 0,
    now: NOW,
    timestampWindow: WINDOW,
    clock: { nowSeconds: () => f.now },
    lookup: {
      consumerExists: async (consumerKey) => consumerKey === KEY.consumerKey || consumerKey === OTHER.consumerKey,
      findToken: async (tokenKey) => {
        const key = [KEY, OTHER].find((k) => k.tokenKey === tokenKey);
        if (!key) return undefined;
        return {
          tokenKey: key.tokenKey,
          consumerKey: key.consumerKey,
          secret: {
            matches: (presented) => constantTimeEqual(presented, key.tokenSecret),
            reveal: () => {
              f.reveals++;
              return key.tokenSecret;
            },
          },
        };
      },
    },
    nonces: {
      useOnce: async (consumerKey, tokenKey, nonce, timestamp) => {
        f.nonceCalls.push([consumerKey, tokenKey, nonce, timestamp]);
        const id = JSON.stringify([consumerKey, tokenKey, nonce]);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      },
    },
  };
  return f;
}

let nonceCounter = 0;
function freshNonce(): string {
  return `nonce${++nonceCounter}`;
}

/** A PLAINTEXT header for KEY; `set` overrides values, `omit` drops parameters. */
function plaintextHeader(set: Record<string, string> = {}, omit: string[] = []): string {
  const params: Record<string, string> = {
    oauth_consumer_key: KEY.consumerKey,
    oauth_token: KEY.tokenKey,
    oauth_signature_method: 'PLAINTEXT',
    oauth_timestamp: String(NOW),
    oauth_nonce: freshNonce(),
    oauth_version: '1.0',
    oauth_signature: `&${KEY.tokenSecret}`,
    ...set,
  };
  for (const name of omit) delete params[name];
  return serializeAuthorizationHeader(Object.entries(params));
}

function request(authorization: string | undefined, url = URL_WHOAMI, method = 'GET', body?: OAuthRequest['body']): OAuthRequest {
  return { method, url, authorization, body };
}

/** collectParams then verifyRequest, as the server does; a throw of either becomes a rejection. */
async function attempt(f: Fixture, req: OAuthRequest): Promise<Verified> {
  const params = collectParams(req);
  return verifyRequest(req, params, f);
}

/** Asserts the OAuthError's code, exact message and status, and that no secret leaks (D2). */
async function rejects(promise: Promise<unknown>, code: OAuthErrorCode, message: string | RegExp, status = 401): Promise<OAuthError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof OAuthError, `an OAuthError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  assert.equal(caught.status, status);
  assertNoSecret(caught);
  return caught;
}

function assertNoSecret(error: OAuthError, extra: string[] = []): void {
  const visible = JSON.stringify({ message: error.message, detail: error.detail, stack: error.stack, text: String(error) });
  for (const secret of [...SECRETS, ...extra]) assert.ok(!visible.includes(secret), 'an error shows a secret');
}

interface SignedOptions {
  method?: string;
  url?: string;
  formParams?: ParamList;
  signatureMethod?: SignatureMethod;
  key?: typeof KEY;
  nonce?: string;
  timestamp?: number;
  realm?: string;
}

/** A request signed by our own signer, with the form body the server would decode. */
function signedRequest(o: SignedOptions = {}): OAuthRequest {
  const key = o.key ?? KEY;
  const method = o.method ?? 'GET';
  const url = o.url ?? URL_WHOAMI;
  const authorization = signRequest({
    method,
    url,
    consumerKey: key.consumerKey,
    tokenKey: key.tokenKey,
    tokenSecret: key.tokenSecret,
    signatureMethod: o.signatureMethod ?? 'PLAINTEXT',
    timestamp: o.timestamp ?? NOW,
    nonce: o.nonce ?? freshNonce(),
    ...(o.realm === undefined ? {} : { realm: o.realm }),
    ...(o.formParams ? { formParams: o.formParams } : {}),
  });
  return request(authorization, url, method, o.formParams ? { params: o.formParams, signed: true } : undefined);
}

// --- every error code --------------------------------------------------------------------------

const EXPIRED_TS = NOW - WINDOW - 1;
const FUTURE_TS = NOW + WINDOW + 1;
const METHODS_TEXT = 'PLAINTEXT, HMAC-SHA1, HMAC-SHA256';

/** One failing request per code; Record<OAuthErrorCode, …> makes tsc insist every code is here. */
const EVERY_CODE: Record<OAuthErrorCode, { message: string; status?: 400; run: (f: Fixture) => Promise<unknown> }> = {
  ERR_OAUTH_HEADER_MALFORMED: {
    message: 'Unable to parse OAuth parameters from Authorization header.',
    run: (f) => attempt(f, request('OAuth oauth_consumer_key, oauth_token="x"')),
  },
  ERR_OAUTH_PARAM_MISSING: {
    message: 'Parameter not found: oauth_timestamp',
    run: (f) => attempt(f, request(plaintextHeader({}, ['oauth_timestamp']))),
  },
  ERR_OAUTH_VERSION_UNSUPPORTED: {
    message: 'OAuth version 2.0 not supported.',
    run: (f) => attempt(f, request(plaintextHeader({ oauth_version: '2.0' }))),
  },
  ERR_OAUTH_TIMESTAMP_MISSING: {
    message: 'Missing timestamp.',
    status: 400,
    run: (f) => attempt(f, request(plaintextHeader({ oauth_timestamp: '' }))),
  },
  ERR_OAUTH_TIMESTAMP_INVALID: {
    message: 'the following problems were found among the auth params: oauth_timestamp has an unexpected type',
    status: 400,
    run: (f) => attempt(f, request(plaintextHeader({ oauth_timestamp: 'abc' }))),
  },
  ERR_OAUTH_TIMESTAMP_EXPIRED: {
    message: `Expired timestamp: given ${EXPIRED_TS} and now ${NOW}, has a greater difference than threshold 300`,
    run: (f) => attempt(f, request(plaintextHeader({ oauth_timestamp: String(EXPIRED_TS) }))),
  },
  ERR_OAUTH_TIMESTAMP_FUTURE: {
    message: `Timestamp in the future: given ${FUTURE_TS} and now ${NOW}, has a greater difference than threshold 300`,
    run: (f) => attempt(f, request(plaintextHeader({ oauth_timestamp: String(FUTURE_TS) }))),
  },
  ERR_OAUTH_CONSUMER_UNKNOWN: {
    message: 'Invalid consumer.',
    run: (f) => attempt(f, request(plaintextHeader({ oauth_consumer_key: 'CKunknownunknown00' }))),
  },
  ERR_OAUTH_TOKEN_UNKNOWN: {
    message: 'Invalid access token: TKunknownunknown00',
    run: (f) => attempt(f, request(plaintextHeader({ oauth_token: 'TKunknownunknown00' }))),
  },
  ERR_OAUTH_TOKEN_CONSUMER_MISMATCH: {
    message: `Invalid access token: ${OTHER.tokenKey}`,
    run: (f) => attempt(f, request(plaintextHeader({ oauth_token: OTHER.tokenKey, oauth_signature: `&${OTHER.tokenSecret}` }))),
  },
  ERR_OAUTH_NONCE_INVALID: {
    message: 'Invalid nonce: longer than 255 characters',
    run: (f) => attempt(f, request(plaintextHeader({ oauth_nonce: 'n'.repeat(256) }))),
  },
  ERR_OAUTH_NONCE_REUSED: {
    message: 'Nonce already used: static-nonce',
    run: async (f) => {
      await attempt(f, request(plaintextHeader({ oauth_nonce: 'static-nonce' })));
      return attempt(f, request(plaintextHeader({ oauth_nonce: 'static-nonce' })));
    },
  },
  ERR_OAUTH_METHOD_UNSUPPORTED: {
    message: `Signature method RSA-SHA1 not supported try one of the following: ${METHODS_TEXT}`,
    run: (f) => attempt(f, request(plaintextHeader({ oauth_signature_method: 'RSA-SHA1' }))),
  },
  ERR_OAUTH_SIGNATURE_MISSING: {
    message: 'Missing signature.',
    run: (f) => attempt(f, request(plaintextHeader({ oauth_signature: '' }))),
  },
  ERR_OAUTH_SIGNATURE_INVALID: {
    message: 'Invalid signature.',
    run: (f) => attempt(f, request(plaintextHeader({ oauth_signature: '&WrongSecretWrongSecretWrongSecr' }))),
  },
};

describe('verify: every OAuthError code', () => {
  for (const [code, c] of Object.entries(EVERY_CODE) as Array<[OAuthErrorCode, (typeof EVERY_CODE)[OAuthErrorCode]]>) {
    test(`verify: ${code} has MAAS's message and status ${c.status ?? 401}, and no secret`, async () => {
      await rejects(c.run(fixture()), code, c.message, c.status ?? 401);
    });
  }
});

// --- success -----------------------------------------------------------------------------------

test('verify: accepts a PLAINTEXT header with %26TS and reports who signed', async () => {
  const f = fixture();
  const verified = await attempt(f, request(plaintextHeader()));
  assert.deepEqual(verified, {
    consumerKey: KEY.consumerKey,
    tokenKey: KEY.tokenKey,
    signatureMethod: 'PLAINTEXT',
    source: ['header'],
  });
});

test("verify: accepts the MAAS docs' raw &TS, unquoted", async () => {
  const header = `OAuth oauth_version=1.0, oauth_signature_method=PLAINTEXT, oauth_consumer_key=${KEY.consumerKey}, oauth_token=${KEY.tokenKey}, oauth_signature=&${KEY.tokenSecret}, oauth_nonce=5b0c8f3e-9d2a-4c7b-8e1f-6a3d2b9c4e70, oauth_timestamp=${NOW}`;
  assert.equal((await attempt(fixture(), request(header))).signatureMethod, 'PLAINTEXT');
});

test('verify: oauth_version is optional', async () => {
  await attempt(fixture(), request(plaintextHeader({}, ['oauth_version'])));
});

test('verify: PLAINTEXT checks the secret through matches() and never asks for it', async () => {
  const f = fixture();
  await attempt(f, request(plaintextHeader()));
  await rejects(attempt(f, request(plaintextHeader({ oauth_signature: '&nope' }))), 'ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.');
  assert.equal(f.reveals, 0);
});

// --- PLAINTEXT shapes ---------------------------------------------------------------------------

test('verify: rejects a PLAINTEXT signature with a consumer secret, naming the mistake', async () => {
  const error = await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_signature: `foo&${KEY.tokenSecret}` }))),
    'ERR_OAUTH_SIGNATURE_INVALID',
    'Invalid signature.',
  );
  assert.deepEqual(error.detail, { signatureMethod: 'PLAINTEXT', mistake: 'consumer-secret-not-empty' });
});

test("verify: rejects a PLAINTEXT signature without the '&', naming the mistake", async () => {
  const error = await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_signature: KEY.tokenSecret }))),
    'ERR_OAUTH_SIGNATURE_INVALID',
    'Invalid signature.',
  );
  assert.deepEqual(error.detail, { signatureMethod: 'PLAINTEXT', mistake: 'missing-ampersand' });
});

test('verify: a wrong PLAINTEXT secret names no mistake', async () => {
  for (const signature of ['&WrongSecretWrongSecretWrongSecr', 'WrongSecret', `${KEY.tokenSecret}&`, '&']) {
    const error = await rejects(
      attempt(fixture(), request(plaintextHeader({ oauth_signature: signature }))),
      'ERR_OAUTH_SIGNATURE_INVALID',
      'Invalid signature.',
    );
    assert.deepEqual(error.detail, { signatureMethod: 'PLAINTEXT' }, signature);
  }
});

test('verify: a doubly encoded %2526TS is rejected, as oauthlib does (spec/clients.md §2.3)', async () => {
  const header = plaintextHeader().replace(/oauth_signature="[^"]*"/, `oauth_signature="%2526${KEY.tokenSecret}"`);
  await rejects(attempt(fixture(), request(header)), 'ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.');
});

test('verify: a PLAINTEXT signature of another key is rejected', async () => {
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_signature: `&${OTHER.tokenSecret}` }))),
    'ERR_OAUTH_SIGNATURE_INVALID',
    'Invalid signature.',
  );
});

// --- check order -------------------------------------------------------------------------------

test('verify: checks the consumer first (consumer → token → timestamp → nonce → method → signature)', async () => {
  const f = fixture();
  await attempt(f, request(plaintextHeader({ oauth_nonce: 'spent' })));
  const everythingWrong = plaintextHeader({
    oauth_consumer_key: 'CKunknownunknown00',
    oauth_token: 'TKunknownunknown00',
    oauth_timestamp: String(EXPIRED_TS),
    oauth_nonce: 'spent',
    oauth_signature_method: 'RSA-SHA1',
    oauth_signature: '',
  });
  await rejects(attempt(f, request(everythingWrong)), 'ERR_OAUTH_CONSUMER_UNKNOWN', 'Invalid consumer.');
});

test('verify: an unknown token is reported before a stale timestamp', async () => {
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_token: 'TKunknownunknown00', oauth_timestamp: String(EXPIRED_TS) }))),
    'ERR_OAUTH_TOKEN_UNKNOWN',
    'Invalid access token: TKunknownunknown00',
  );
});

test("verify: another consumer's token is reported before a stale timestamp", async () => {
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_token: OTHER.tokenKey, oauth_timestamp: String(EXPIRED_TS) }))),
    'ERR_OAUTH_TOKEN_CONSUMER_MISMATCH',
    `Invalid access token: ${OTHER.tokenKey}`,
  );
});

test('verify: a stale timestamp is reported before a reused nonce, and spends no nonce', async () => {
  const f = fixture();
  await attempt(f, request(plaintextHeader({ oauth_nonce: 'spent' })));
  const calls = f.nonceCalls.length;
  await rejects(
    attempt(f, request(plaintextHeader({ oauth_nonce: 'spent', oauth_timestamp: String(EXPIRED_TS) }))),
    'ERR_OAUTH_TIMESTAMP_EXPIRED',
    /^Expired timestamp: /,
  );
  assert.equal(f.nonceCalls.length, calls, 'the nonce store was not consulted');
});

test('verify: earlier failures spend no nonce', async () => {
  const f = fixture();
  const failures = [
    plaintextHeader({ oauth_consumer_key: 'CKunknownunknown00', oauth_nonce: 'keep' }),
    plaintextHeader({ oauth_token: 'TKunknownunknown00', oauth_nonce: 'keep' }),
    plaintextHeader({ oauth_token: OTHER.tokenKey, oauth_nonce: 'keep' }),
    plaintextHeader({ oauth_timestamp: String(FUTURE_TS), oauth_nonce: 'keep' }),
  ];
  for (const header of failures) await assert.rejects(attempt(f, request(header)), OAuthError);
  assert.deepEqual(f.nonceCalls, []);
  await attempt(f, request(plaintextHeader({ oauth_nonce: 'keep' })));
});

test('verify: a reused nonce is reported before an unsupported method', async () => {
  const f = fixture();
  await attempt(f, request(plaintextHeader({ oauth_nonce: 'spent' })));
  await rejects(
    attempt(f, request(plaintextHeader({ oauth_nonce: 'spent', oauth_signature_method: 'RSA-SHA1' }))),
    'ERR_OAUTH_NONCE_REUSED',
    'Nonce already used: spent',
  );
});

test('verify: a bad signature with a reused nonce reports the nonce', async () => {
  const f = fixture();
  await attempt(f, request(plaintextHeader({ oauth_nonce: 'spent' })));
  await rejects(
    attempt(f, request(plaintextHeader({ oauth_nonce: 'spent', oauth_signature: '&WrongSecretWrongSecretWrongSecr' }))),
    'ERR_OAUTH_NONCE_REUSED',
    'Nonce already used: spent',
  );
});

test('verify: the nonce is spent even when the signature then fails (as in MAAS)', async () => {
  const f = fixture();
  await rejects(
    attempt(f, request(plaintextHeader({ oauth_nonce: 'once', oauth_signature: '&WrongSecretWrongSecretWrongSecr' }))),
    'ERR_OAUTH_SIGNATURE_INVALID',
    'Invalid signature.',
  );
  await rejects(attempt(f, request(plaintextHeader({ oauth_nonce: 'once' }))), 'ERR_OAUTH_NONCE_REUSED', 'Nonce already used: once');
});

test('verify: an unsupported method is reported before a missing signature', async () => {
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_signature_method: 'HMAC-SHA512', oauth_signature: '' }))),
    'ERR_OAUTH_METHOD_UNSUPPORTED',
    `Signature method HMAC-SHA512 not supported try one of the following: ${METHODS_TEXT}`,
  );
});

test('verify: a malformed timestamp is a 400 before any lookup (MAAS ≥3.8 pre-validation, LP:2002525)', async () => {
  const f = fixture();
  await rejects(
    attempt(f, request(plaintextHeader({ oauth_consumer_key: 'CKunknownunknown00', oauth_timestamp: '1.5' }))),
    'ERR_OAUTH_TIMESTAMP_INVALID',
    'the following problems were found among the auth params: oauth_timestamp has an unexpected type',
    400,
  );
  assert.deepEqual(f.nonceCalls, []);
});

// --- tokens and nonces (DESIGN D2) ---------------------------------------------------------------

test("verify: refuses a token that belongs to another consumer, even with that token's secret (D2)", async () => {
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_consumer_key: OTHER.consumerKey }))),
    'ERR_OAUTH_TOKEN_CONSUMER_MISMATCH',
    `Invalid access token: ${KEY.tokenKey}`,
  );
  // The same message as an unknown token: a mismatch reveals nothing about other keys.
  const unknown = await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_token: 'TKunknownunknown00' }))),
    'ERR_OAUTH_TOKEN_UNKNOWN',
    'Invalid access token: TKunknownunknown00',
  );
  assert.deepEqual(unknown.detail, {});
});

test('verify: rejects a reused nonce', async () => {
  const f = fixture();
  const header = plaintextHeader({ oauth_nonce: 'replayed' });
  await attempt(f, request(header));
  const error = await rejects(attempt(f, request(header)), 'ERR_OAUTH_NONCE_REUSED', 'Nonce already used: replayed');
  assert.deepEqual(error.detail, { timestamp: NOW, now: NOW });
});

test('verify: nonces are scoped to the (consumer, token) pair', async () => {
  const f = fixture();
  await attempt(f, request(plaintextHeader({ oauth_nonce: 'shared' })));
  await attempt(
    f,
    request(
      plaintextHeader({
        oauth_consumer_key: OTHER.consumerKey,
        oauth_token: OTHER.tokenKey,
        oauth_signature: `&${OTHER.tokenSecret}`,
        oauth_nonce: 'shared',
      }),
    ),
  );
  assert.deepEqual(f.nonceCalls, [
    [KEY.consumerKey, KEY.tokenKey, 'shared', NOW],
    [OTHER.consumerKey, OTHER.tokenKey, 'shared', NOW],
  ]);
});

test(`verify: accepts a nonce of ${MAX_NONCE_LENGTH} characters and refuses a longer one`, async () => {
  await attempt(fixture(), request(plaintextHeader({ oauth_nonce: 'n'.repeat(MAX_NONCE_LENGTH) })));
  const f = fixture();
  await rejects(
    attempt(f, request(plaintextHeader({ oauth_nonce: 'n'.repeat(MAX_NONCE_LENGTH + 1) }))),
    'ERR_OAUTH_NONCE_INVALID',
    'Invalid nonce: longer than 255 characters',
  );
  assert.deepEqual(f.nonceCalls, []);
});

test('verify: nonces of every real client shape are accepted (no length or charset limit)', async () => {
  const f = fixture();
  for (const nonce of ['Dly0Ue', '3a19b35d20a8b9142068ebc65c9d4693', '5b0c8f3e-9d2a-4c7b-8e1f-6a3d2b9c4e70', 'a+b', 'a,b', 'realm', 'é']) {
    await attempt(f, request(plaintextHeader({ oauth_nonce: nonce })));
  }
});

// --- timestamps ----------------------------------------------------------------------------------

test('verify: accepts timestamps up to the window away, both ways', async () => {
  const f = fixture();
  for (const ts of [NOW - WINDOW, NOW - 1, NOW, NOW + 1, NOW + WINDOW]) {
    await attempt(f, request(plaintextHeader({ oauth_timestamp: String(ts) })));
  }
});

test('verify: rejects timestamps outside the window, both ways (D2)', async () => {
  const past = await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_timestamp: String(NOW - WINDOW - 1) }))),
    'ERR_OAUTH_TIMESTAMP_EXPIRED',
    `Expired timestamp: given ${NOW - WINDOW - 1} and now ${NOW}, has a greater difference than threshold 300`,
  );
  assert.deepEqual(past.detail, { timestamp: NOW - WINDOW - 1, now: NOW });
  const future = await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_timestamp: String(NOW + WINDOW + 1) }))),
    'ERR_OAUTH_TIMESTAMP_FUTURE',
    `Timestamp in the future: given ${NOW + WINDOW + 1} and now ${NOW}, has a greater difference than threshold 300`,
  );
  assert.deepEqual(future.detail, { timestamp: NOW + WINDOW + 1, now: NOW });
});

test('verify: the window and the clock are injected', async () => {
  const f = fixture();
  f.timestampWindow = 60;
  f.now = NOW + 61;
  await rejects(
    attempt(f, request(plaintextHeader())),
    'ERR_OAUTH_TIMESTAMP_EXPIRED',
    `Expired timestamp: given ${NOW} and now ${NOW + 61}, has a greater difference than threshold 60`,
  );
  f.now = NOW + 60;
  await attempt(f, request(plaintextHeader()));
});

test('verify: a millisecond timestamp is in the future', async () => {
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_timestamp: `${NOW}000` }))),
    'ERR_OAUTH_TIMESTAMP_FUTURE',
    /^Timestamp in the future: given 1796364918000 and now 1796364918,/,
  );
});

test('verify: parseTimestamp takes integers as Python int() does and gives 400 for the rest', () => {
  assert.equal(parseTimestamp('1796364918'), 1_796_364_918);
  assert.equal(parseTimestamp(' 1796364918 '), 1_796_364_918);
  assert.equal(parseTimestamp('+17'), 17);
  assert.equal(parseTimestamp('-17'), -17);
  for (const raw of ['', '   ']) {
    assert.throws(() => parseTimestamp(raw), { code: 'ERR_OAUTH_TIMESTAMP_MISSING', message: 'Missing timestamp.', status: 400 });
  }
  for (const raw of ['abc', '1.5', '1e9', '0x10', '12 34', '1234567890123456', '١٢٣']) {
    assert.throws(() => parseTimestamp(raw), { code: 'ERR_OAUTH_TIMESTAMP_INVALID', status: 400 }, raw);
  }
});

// --- parameter sources --------------------------------------------------------------------------

function plaintextParams(nonce = freshNonce()): ParamList {
  return [
    ['oauth_consumer_key', KEY.consumerKey],
    ['oauth_token', KEY.tokenKey],
    ['oauth_signature_method', 'PLAINTEXT'],
    ['oauth_signature', `&${KEY.tokenSecret}`],
    ['oauth_timestamp', String(NOW)],
    ['oauth_nonce', nonce],
  ];
}

function asQuery(pairs: ParamList): string {
  return pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
}

test('verify: accepts the parameters in the query string (spec/maas-auth.md §1.3)', async () => {
  const verified = await attempt(fixture(), request(undefined, `${URL_WHOAMI}&${asQuery(plaintextParams())}`));
  assert.deepEqual(verified.source, ['query']);
});

test('verify: accepts the parameters in a form body, and in a multipart body', async () => {
  for (const signed of [true, false]) {
    const body = { params: [['name', 'x'], ...plaintextParams()] as ParamList, signed };
    const verified = await attempt(fixture(), request(undefined, 'http://localhost:5240/MAAS/api/2.0/tags/', 'POST', body));
    assert.deepEqual(verified.source, ['body']);
  }
});

test('verify: the query string overrides the header, which overrides the body', async () => {
  const wrong = `&WrongSecretWrongSecretWrongSecr`;
  // The header's signature is wrong, the query's is right: the query wins.
  await attempt(
    fixture(),
    request(plaintextHeader({ oauth_signature: wrong }), `${URL_WHOAMI}&oauth_signature=${encodeURIComponent(`&${KEY.tokenSecret}`)}`),
  );
  // The body's signature is wrong, the header's is right: the header wins.
  const body = { params: [['oauth_signature', wrong]] as ParamList, signed: true };
  await attempt(fixture(), request(plaintextHeader(), URL_WHOAMI, 'POST', body));
  // The body's signature is right, the header's is wrong: the header still wins.
  const goodBody = { params: [['oauth_signature', `&${KEY.tokenSecret}`]] as ParamList, signed: true };
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_signature: wrong }), URL_WHOAMI, 'POST', goodBody)),
    'ERR_OAUTH_SIGNATURE_INVALID',
    'Invalid signature.',
  );
});

// --- HMAC round trips -----------------------------------------------------------------------------

const HMAC_METHODS = ['HMAC-SHA1', 'HMAC-SHA256'] as const;
const ROUND_TRIPS: Array<[name: string, options: SignedOptions]> = [
  ['a GET without a query', { url: 'http://localhost:5240/MAAS/api/2.0/version/' }],
  ['repeated query keys', { url: 'http://localhost:5240/MAAS/api/2.0/machines/?hostname=b&hostname=a&hostname=b&zone=z' }],
  ['spaces, plus signs and encoded plus signs', { url: 'http://h:5240/MAAS/api/2.0/machines/?q=a%20b&r=c+d&s=e%2Bf&t=~%7E%21' }],
  ['blank values and a name without "="', { url: 'http://h/MAAS/api/2.0/machines/?a=&b&c=1' }],
  ['UTF-8 in the query', { url: 'http://h/MAAS/api/2.0/tags/?comment=%C3%A9t%C3%A9' }],
  [
    'a form body with op in the query (the gomaasapi shape)',
    {
      method: 'POST',
      url: 'http://localhost:5240/MAAS/api/2.0/account/?op=create_authorisation_token',
      formParams: [
        ['name', 'my key'],
        ['comment', 'a&b~é+'],
        ['name', 'second'],
      ],
    },
  ],
  ['a realm', { url: URL_WHOAMI, realm: 'MAAS API' }],
  ['https with a non-default port', { url: 'https://maas.example.com:8443/MAAS/api/2.0/users/?op=whoami' }],
  ['a PUT', { method: 'PUT', url: 'http://h/MAAS/api/2.0/machines/abc123/' }],
];

for (const signatureMethod of HMAC_METHODS) {
  describe(`verify: ${signatureMethod} round trips with signRequest`, () => {
    for (const [name, options] of ROUND_TRIPS) {
      test(`verify: accepts ${signatureMethod} over ${name}`, async () => {
        const f = fixture();
        const verified = await attempt(f, signedRequest({ ...options, signatureMethod }));
        assert.equal(verified.signatureMethod, signatureMethod);
        assert.equal(f.reveals, 1);
      });
    }

    test(`verify: rejects ${signatureMethod} when the request was changed after signing`, async () => {
      const base = {
        method: 'POST',
        url: 'http://localhost:5240/MAAS/api/2.0/account/?op=create_authorisation_token&x=1',
        formParams: [['name', 'my key']] as ParamList,
        signatureMethod,
      };
      const signed = signedRequest(base);
      const changes: Array<[string, OAuthRequest]> = [
        ['method', { ...signed, method: 'PUT' }],
        ['host', { ...signed, url: signed.url.replace('localhost', '127.0.0.1') }],
        ['port', { ...signed, url: signed.url.replace(':5240', ':5241') }],
        ['scheme', { ...signed, url: signed.url.replace('http:', 'https:') }],
        ['path', { ...signed, url: signed.url.replace('/account/', '/accounts/') }],
        ['query value', { ...signed, url: signed.url.replace('x=1', 'x=2') }],
        ['query added', { ...signed, url: `${signed.url}&y=1` }],
        ['body value', { ...signed, body: { params: [['name', 'other']], signed: true } }],
        ['body dropped', { ...signed, body: undefined }],
        ['secret of another key', signedRequest({ ...base, key: { ...KEY, tokenSecret: OTHER.tokenSecret } })],
      ];
      for (const [what, changed] of changes) {
        const error = await rejects(attempt(fixture(), changed), 'ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.');
        assert.deepEqual(error.detail, { signatureMethod }, what);
      }
    });

    test(`verify: a bad ${signatureMethod} error shows no expected signature, base string or secret (D2)`, async () => {
      const req = signedRequest({ url: URL_WHOAMI, signatureMethod });
      const changed = { ...req, url: `${URL_WHOAMI}&tampered=1` };
      const params = collectParams(changed);
      const base = signatureBaseString(changed.method, changed.url, params.signed);
      const expected = hmacSignature(signatureMethod, base, '', KEY.tokenSecret);
      const error = await rejects(verifyRequest(changed, params, fixture()), 'ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.');
      assertNoSecret(error, [expected, base, encodeURIComponent(expected)]);
    });
  });
}

test('verify: the default port may be written or not (RFC 5849 §3.4.1.2)', async () => {
  const signed = signedRequest({ url: 'http://localhost:80/MAAS/api/2.0/version/', signatureMethod: 'HMAC-SHA1' });
  await attempt(fixture(), { ...signed, url: 'http://localhost/MAAS/api/2.0/version/' });
});

test('verify: HMAC over a form body signed by hand (RFC 5849 §3.4.1.3.1)', async () => {
  // Built without signRequest: the body, query and header parameters all go into the base string.
  const url = 'http://localhost:5240/MAAS/api/2.0/tags/?op=x';
  const oauth: ParamList = [
    ['oauth_consumer_key', KEY.consumerKey],
    ['oauth_token', KEY.tokenKey],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(NOW)],
    ['oauth_nonce', freshNonce()],
  ];
  const body = parseQueryString('name=my+key&definition=%2F%2Fnode');
  const base = signatureBaseString('POST', url, [...parseQueryString('op=x'), ...oauth, ...body]);
  const signature = hmacSignature('HMAC-SHA1', base, '', KEY.tokenSecret);
  const authorization = serializeAuthorizationHeader([...oauth, ['oauth_signature', signature]], 'MAAS API');
  await attempt(fixture(), request(authorization, url, 'POST', { params: body, signed: true }));
});

test('verify: an unparseable request URL is a 401, not a crash (D2: never a 500)', async () => {
  const signed = signedRequest({ signatureMethod: 'HMAC-SHA1' });
  for (const url of ['http://h:99999/x', 'http://a b/x', 'http://[::/x']) {
    await rejects(attempt(fixture(), { ...signed, url }), 'ERR_OAUTH_SIGNATURE_INVALID', 'Invalid signature.');
  }
});

// --- echoed tokens ---------------------------------------------------------------------------------

test('verify: displayToken echoes a token key but not something that may be a secret', () => {
  assert.equal(displayToken(KEY.tokenKey), KEY.tokenKey);
  assert.equal(displayToken(KEY.tokenSecret), '<32 characters, not shown>');
  assert.equal(displayToken(`${KEY.consumerKey}:${KEY.tokenKey}:${KEY.tokenSecret}`), '<70 characters, not shown>');
});

test('verify: a secret pasted as oauth_token is not echoed', async () => {
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_token: KEY.tokenSecret }))),
    'ERR_OAUTH_TOKEN_UNKNOWN',
    'Invalid access token: <32 characters, not shown>',
  );
  const whole = `${KEY.consumerKey}:${KEY.tokenKey}:${KEY.tokenSecret}`;
  await rejects(
    attempt(fixture(), request(plaintextHeader({ oauth_consumer_key: whole }))),
    'ERR_OAUTH_CONSUMER_UNKNOWN',
    'Invalid consumer.',
  );
});
