// The auth edge through the app: every OAuth outcome's status, content type, headers, MAAS's
// first line and the D3 hint (spec/maas-auth.md §1, §3, §5; DESIGN D2, D3, D4).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import {
  createTestApp,
  FakeClock,
  openTestStore,
  seededRandom,
  sqliteOnly,
  TEST_SECRET_KEY,
  type TestApp,
} from '../../test/helpers/app.ts';
import { type ApiKeyParts, formatApiKey } from '../model/index.ts';
import { percentEncode, type SignatureMethod, serializeAuthorizationHeader, signRequest } from '../oauth/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { createApp } from './app.ts';

const USERS = '/MAAS/api/2.0/users/';
const WHOAMI = '/MAAS/api/2.0/users/?op=whoami';
const HTML = 'text/html; charset=utf-8';
const WRONG_ORDER_START = 'Hint: the parts of the API key are in the wrong order. A MAAS API key reads consumer_key:token_key:token_secret';

interface Res {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** The six required PLAINTEXT parameters for `key` (no oauth_version). */
function plaintextParams(key: ApiKeyParts, timestamp: number, nonce: string): Array<[string, string]> {
  return [
    ['oauth_consumer_key', key.consumerKey],
    ['oauth_token', key.tokenKey],
    ['oauth_signature_method', 'PLAINTEXT'],
    ['oauth_timestamp', String(timestamp)],
    ['oauth_nonce', nonce],
    ['oauth_signature', `&${key.tokenSecret}`],
  ];
}

/** Form-encoded pairs (a query string or a urlencoded body). */
function formEncode(pairs: Array<[string, string]>): string {
  return pairs.map(([n, v]) => `${n}=${percentEncode(v)}`).join('&');
}

/** A PLAINTEXT header for `key`, with any of its parameters replaced or removed (undefined). */
function plaintextHeader(
  key: ApiKeyParts,
  timestamp: number,
  nonce: string,
  overrides: Record<string, string | undefined> = {},
): string {
  const params: Record<string, string | undefined> = {
    ...Object.fromEntries(plaintextParams(key, timestamp, nonce)),
    oauth_version: '1.0',
    ...overrides,
  };
  const list = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return serializeAuthorizationHeader(list);
}

function lines(body: string): { first: string; hint: string | undefined; count: number } {
  const all = body.split('\n');
  return { first: all[0] ?? '', hint: all.find((l) => l.startsWith('Hint: ')), count: all.length };
}

function httpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

/** MAAS's E-type refusal: 401, text/html, WWW-Authenticate: OAuth realm="OAuth", a Date. */
function assertOAuthError(res: Res, first: string, clock: FakeClock): string | undefined {
  assert.equal(res.statusCode, 401, res.body);
  assert.equal(res.headers['content-type'], HTML);
  assert.equal(res.headers['www-authenticate'], 'OAuth realm="OAuth"');
  assert.equal(res.headers['date'], httpDate(clock.nowSeconds()));
  const { first: line, hint, count } = lines(res.body);
  assert.equal(line, first);
  assert.ok(count <= 2, 'at most one Hint line');
  return hint;
}

/** MAAS's challenge: 401 text/plain `Forbidden`, no WWW-Authenticate. */
function assertChallenge(res: Res, clock: FakeClock): string | undefined {
  assert.equal(res.statusCode, 401, res.body);
  assert.equal(res.headers['content-type'], 'text/plain');
  assert.equal(res.headers['www-authenticate'], undefined);
  assert.equal(res.headers['date'], httpDate(clock.nowSeconds()));
  const { first, hint } = lines(res.body);
  assert.equal(first, 'Forbidden');
  return hint;
}

describe('auth', () => {
  let t: TestApp;
  let bob: { key: ApiKeyParts };
  let nonce = 0;
  const fresh = () => `auth-test-${++nonce}`;
  before(async () => {
    t = await createTestApp();
    bob = await t.addUser('bob');
  });
  after(() => t.close());

  function get(url: string, authorization: string | undefined, headers: Record<string, string> = {}) {
    return t.app.inject({ method: 'GET', url, headers: authorization === undefined ? headers : { ...headers, authorization } });
  }

  function header(key: ApiKeyParts, overrides: Record<string, string | undefined> = {}): string {
    return plaintextHeader(key, t.clock.nowSeconds(), fresh(), overrides);
  }

  function assertNoSecret(res: Res): void {
    for (const secret of [t.adminKey.tokenSecret, bob.key.tokenSecret]) {
      assert.ok(!res.body.includes(secret), 'the body never contains a token secret');
      for (const value of Object.values(res.headers)) assert.ok(!String(value).includes(secret));
    }
  }

  // --- success paths ---------------------------------------------------------------------------

  test('auth: a PLAINTEXT header authenticates', async () => {
    const res = await get(WHOAMI, t.sign('GET', WHOAMI));
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).username, 'admin');
  });

  for (const signatureMethod of ['HMAC-SHA1', 'HMAC-SHA256'] as const) {
    test(`auth: a ${signatureMethod} header over the Host-based URL and the query authenticates`, async () => {
      const res = await get(WHOAMI, t.sign('GET', WHOAMI, { signatureMethod }));
      assert.equal(res.statusCode, 200, res.body);
    });
  }

  test('auth: HMAC signs the form body of a urlencoded POST', async () => {
    const url = '/MAAS/api/2.0/account/?op=create_authorisation_token';
    const authorization = t.sign('POST', url, { signatureMethod: 'HMAC-SHA1', formParams: [['name', 'hmac key']] });
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=hmac+key',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).name, 'hmac key');
  });

  test('auth: OAuth parameters in the query string authenticate', async () => {
    const k = t.adminKey;
    const query = formEncode([['op', 'whoami'], ...plaintextParams(k, t.clock.nowSeconds(), fresh())]);
    const res = await get(`${USERS}?${query}`, undefined);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).username, 'admin');
  });

  test('auth: OAuth parameters in a urlencoded form body authenticate', async () => {
    const k = bob.key;
    const form = formEncode([['name', 'form-auth'], ...plaintextParams(k, t.clock.nowSeconds(), fresh())]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/MAAS/api/2.0/account/?op=create_authorisation_token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).name, 'form-auth');
    const keys = await t.store.listApiKeys((await t.store.findUser('bob'))!.id);
    assert.ok(keys.some((key) => key.name === 'form-auth'), 'the key went to bob');
  });

  test('auth: OAuth parameters in a multipart body authenticate', async () => {
    const k = bob.key;
    const boundary = 'auth-boundary';
    const fields = plaintextParams(k, t.clock.nowSeconds(), fresh());
    const payload =
      fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('') +
      `--${boundary}--\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/MAAS/api/2.0/account/?op=create_authorisation_token',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('auth: a quoted value may contain a comma, and a nonce may contain "realm" (D2)', async () => {
    const k = t.adminKey;
    for (const n of [`a,b-${fresh()}`, `realm-${fresh()}`, `x realm="y"-${fresh()}`.replace(/"/g, '')]) {
      // Raw, not percent-encoded: the comma sits inside the quotes.
      const authorization =
        `OAuth oauth_consumer_key="${k.consumerKey}", oauth_token="${k.tokenKey}", oauth_signature_method="PLAINTEXT", ` +
        `oauth_timestamp="${t.clock.nowSeconds()}", oauth_nonce="${n}", oauth_signature="&${k.tokenSecret}"`;
      assert.ok(authorization.includes(n));
      const res = await get(WHOAMI, authorization);
      assert.equal(res.statusCode, 200, `${n}: ${res.body}`);
    }
  });

  test('auth: realm is ignored, and oauth_version may be absent', async () => {
    const res = await get(
      WHOAMI,
      signRequest({ ...t.adminKey, method: 'GET', url: `http://localhost${WHOAMI}`, timestamp: t.clock.nowSeconds(), nonce: fresh(), realm: 'MAAS API' }),
    );
    assert.equal(res.statusCode, 200);
    const noVersion = await get(WHOAMI, header(t.adminKey, { oauth_version: undefined }));
    assert.equal(noVersion.statusCode, 200);
  });

  // --- unknown consumer: Invalid API key --------------------------------------------------

  test('auth: an unknown consumer key answers 401 Authorization Error: Invalid API key.', async () => {
    const res = await get(USERS, header({ ...t.adminKey, consumerKey: 'NoSuchConsumerKey1' }));
    const hint = assertOAuthError(res, 'Authorization Error: Invalid API key.', t.clock);
    assert.equal(
      hint,
      'Hint: no API key has this consumer key (part 1 of consumer_key:token_key:token_secret). The key may have been deleted, or belong to another MAAS.',
    );
    assertNoSecret(res);
  });

  test('auth: the token key presented as the consumer key answers Invalid API key. with a wrong-order hint', async () => {
    const k = t.adminKey;
    const swapped = { consumerKey: k.tokenKey, tokenKey: k.consumerKey, tokenSecret: k.tokenSecret };
    const res = await get(USERS, header(swapped));
    const hint = assertOAuthError(res, 'Authorization Error: Invalid API key.', t.clock);
    assert.ok(hint?.startsWith(WRONG_ORDER_START), hint);
    assert.ok(hint?.includes('part 1 as the consumer key (oauth_consumer_key), part 2 as the token (oauth_token)'), hint);
    assertNoSecret(res);
  });

  test('auth: the whole key presented as the consumer key answers Invalid API key. with a split hint', async () => {
    const res = await get(USERS, header({ ...bob.key, consumerKey: formatApiKey(bob.key) }));
    const hint = assertOAuthError(res, 'Authorization Error: Invalid API key.', t.clock);
    assert.equal(
      hint,
      'Hint: the whole API key was sent as the consumer key. Split it at the colons into consumer_key:token_key:token_secret.',
    );
    assertNoSecret(res);
  });

  // --- unknown or mismatched token ------------------------------------------------------------

  test("auth: an unknown token answers 401 Authorization Error: 'Invalid access token: <token>'", async () => {
    const res = await get(USERS, header({ ...t.adminKey, tokenKey: 'NoSuchTokenKey1234' }));
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid access token: NoSuchTokenKey1234'", t.clock);
    assert.equal(hint, 'Hint: no API key has this token key (part 2 of consumer_key:token_key:token_secret); it may have been deleted.');
  });

  test('auth: the consumer key presented as the token answers Invalid access token with a wrong-order hint', async () => {
    const k = t.adminKey;
    const res = await get(USERS, header({ ...k, tokenKey: k.consumerKey }));
    const hint = assertOAuthError(res, `Authorization Error: 'Invalid access token: ${k.consumerKey}'`, t.clock);
    assert.ok(hint?.startsWith(WRONG_ORDER_START), hint);
  });

  test("auth: a token with another key's consumer answers Invalid access token (D2) with a hint", async () => {
    const res = await get(USERS, header({ ...bob.key, consumerKey: t.adminKey.consumerKey }));
    const hint = assertOAuthError(res, `Authorization Error: 'Invalid access token: ${bob.key.tokenKey}'`, t.clock);
    assert.equal(hint, 'Hint: the consumer key and the token come from two different API keys; use the three parts of one key.');
    assertNoSecret(res);
  });

  test('auth: a token that cannot be a token key is not echoed', async () => {
    const pasted = formatApiKey(bob.key);
    const res = await get(USERS, header({ ...bob.key, tokenKey: pasted }));
    assertOAuthError(res, `Authorization Error: 'Invalid access token: <${pasted.length} characters, not shown>'`, t.clock);
    assertNoSecret(res);
  });

  // --- nonce ------------------------------------------------------------------------------------

  test("auth: a reused nonce answers 401 Authorization Error: 'Nonce already used: <nonce>' with a hint", async () => {
    const n = fresh();
    const first = await get(WHOAMI, plaintextHeader(t.adminKey, t.clock.nowSeconds(), n));
    assert.equal(first.statusCode, 200);
    const again = await get(WHOAMI, plaintextHeader(t.adminKey, t.clock.nowSeconds(), n));
    const hint = assertOAuthError(again, `Authorization Error: 'Nonce already used: ${n}'`, t.clock);
    assert.ok(hint?.startsWith('Hint: every request needs a fresh oauth_nonce and oauth_timestamp.'), hint);
  });

  test('auth: a nonce is spent even when the signature then fails (as in MAAS)', async () => {
    const n = fresh();
    const bad = await get(WHOAMI, plaintextHeader(t.adminKey, t.clock.nowSeconds(), n, { oauth_signature: '&wrong' }));
    assertOAuthError(bad, "Authorization Error: 'Invalid signature.'", t.clock);
    const good = await get(WHOAMI, plaintextHeader(t.adminKey, t.clock.nowSeconds(), n));
    assertOAuthError(good, `Authorization Error: 'Nonce already used: ${n}'`, t.clock);
  });

  test('auth: nonces are scoped per key: the same nonce works for another key', async () => {
    const n = fresh();
    assert.equal((await get(WHOAMI, plaintextHeader(t.adminKey, t.clock.nowSeconds(), n))).statusCode, 200);
    assert.equal((await get(WHOAMI, plaintextHeader(bob.key, t.clock.nowSeconds(), n))).statusCode, 200);
  });

  test('auth: a message with a single quote is quoted as Python repr() does', async () => {
    const n = `it's-${fresh()}`;
    await get(WHOAMI, plaintextHeader(t.adminKey, t.clock.nowSeconds(), n));
    const again = await get(WHOAMI, plaintextHeader(t.adminKey, t.clock.nowSeconds(), n));
    assertOAuthError(again, `Authorization Error: "Nonce already used: ${n}"`, t.clock);
  });

  // --- signature ------------------------------------------------------------------------------

  test("auth: a wrong PLAINTEXT secret answers 401 'Invalid signature.' without the expected value (D2)", async () => {
    const res = await get(USERS, header(t.adminKey, { oauth_signature: '&not-the-secret' }));
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.equal(
      hint,
      'Hint: the signature does not match the token secret: it should be "&" followed by part 3 of consumer_key:token_key:token_secret.',
    );
    assert.ok(!res.body.includes('Expected signature base string'));
    assertNoSecret(res);
  });

  test('auth: a non-empty consumer secret answers Invalid signature. with a hint that it must be empty', async () => {
    const res = await get(USERS, t.sign('GET', USERS, { consumerSecret: 'consumer-secret' }));
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.equal(
      hint,
      'Hint: the consumer secret must be empty: MAAS keys have none, so the PLAINTEXT signature is "&" followed by the token secret, with nothing before the "&".',
    );
    assertNoSecret(res);
  });

  test('auth: a PLAINTEXT signature without the "&" answers Invalid signature. with a hint', async () => {
    const res = await get(USERS, header(t.adminKey, { oauth_signature: t.adminKey.tokenSecret }));
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.equal(hint, 'Hint: a PLAINTEXT signature is "&" followed by the token secret; the "&" is missing.');
    assertNoSecret(res);
  });

  test('auth: an empty oauth_signature answers Missing signature.', async () => {
    const res = await get(USERS, header(t.adminKey, { oauth_signature: '' }));
    const hint = assertOAuthError(res, "Authorization Error: 'Missing signature.'", t.clock);
    assert.ok(hint?.includes('"&" followed by the token secret'), hint);
  });

  test('auth: an unsupported signature method answers 401 with the methods supported', async () => {
    const res = await get(USERS, header(t.adminKey, { oauth_signature_method: 'RSA-SHA1' }));
    const hint = assertOAuthError(
      res,
      "Authorization Error: 'Signature method RSA-SHA1 not supported try one of the following: PLAINTEXT, HMAC-SHA1, HMAC-SHA256'",
      t.clock,
    );
    assert.equal(hint, 'Hint: use PLAINTEXT (as the MAAS clients do), HMAC-SHA1 or HMAC-SHA256.');
  });

  test('auth: an HMAC signed over another host names the URL this server signs', async () => {
    const authorization = signRequest({
      ...bob.key,
      method: 'GET',
      url: `http://otherhost${USERS}`,
      signatureMethod: 'HMAC-SHA1',
      timestamp: t.clock.nowSeconds(),
      nonce: fresh(),
    });
    const res = await get(USERS, authorization, { host: 'localhost' });
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.equal(
      hint,
      'Hint: the HMAC-SHA1 signature does not match. This server signs GET http://localhost/MAAS/api/2.0/users/ with the query and form parameters (RFC 5849 §3.4.1), under the key "&" + token secret.',
    );
    assertNoSecret(res);
  });

  test('auth: an HMAC signed over https behind a plain-http server names both origins', async () => {
    const authorization = signRequest({
      ...bob.key,
      method: 'GET',
      url: `https://localhost${USERS}`,
      signatureMethod: 'HMAC-SHA256',
      timestamp: t.clock.nowSeconds(),
      nonce: fresh(),
    });
    const res = await get(USERS, authorization, { host: 'localhost' });
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.equal(
      hint,
      'Hint: the HMAC-SHA256 signature was computed over https://localhost, but this server signs over http://localhost. Request the URL you signed, or start the server with --public-url.',
    );
  });

  test('auth: an HMAC that leaves out the query parameters gets a hint saying so', async () => {
    const authorization = signRequest({
      ...bob.key,
      method: 'GET',
      url: `http://localhost${USERS}`,
      signatureMethod: 'HMAC-SHA1',
      timestamp: t.clock.nowSeconds(),
      nonce: fresh(),
    });
    const res = await get(WHOAMI, authorization, { host: 'localhost' });
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.ok(hint?.startsWith('Hint: the HMAC-SHA1 signature leaves out the query or form parameters;'), hint);
  });

  test(
    'auth: an HMAC request with a malformed Host answers 401, never 500 (D2)',
    async () => {
      for (const host of ['bad host', '[', 'localhost:O80']) {
        const authorization = signRequest({
          ...bob.key,
          method: 'GET',
          url: `http://otherhost${USERS}`,
          signatureMethod: 'HMAC-SHA1',
          timestamp: t.clock.nowSeconds(),
          nonce: fresh(),
        });
        const res = await get(USERS, authorization, { host });
        assert.ok(res.statusCode === 400 || res.statusCode === 401, `${host}: ${res.statusCode} ${res.body}`);
      }
    },
  );

  // --- timestamp ------------------------------------------------------------------------------

  test('auth: a non-integer timestamp answers 400 with MAAS 3.8 text, never 500', async () => {
    for (const ts of ['abc', '1.5', '1e9']) {
      const res = await get(USERS, header(t.adminKey, { oauth_timestamp: ts }));
      assert.equal(res.statusCode, 400, ts);
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(
        lines(res.body).first,
        "'Bad Request: the following problems were found among the auth params: oauth_timestamp has an unexpected type'",
      );
      assert.equal(lines(res.body).hint, 'Hint: oauth_timestamp must be whole seconds since the epoch, as `date +%s` prints.');
    }
  });

  test("auth: an empty timestamp answers 400 'Bad Request: Missing timestamp.'", async () => {
    const res = await get(USERS, header(t.adminKey, { oauth_timestamp: '' }));
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(lines(res.body).first, "'Bad Request: Missing timestamp.'");
  });

  test('auth: a timestamp exactly at the window (±300 s) is accepted', async () => {
    const now = t.clock.nowSeconds();
    for (const ts of [now - 300, now + 300]) {
      const res = await get(WHOAMI, plaintextHeader(t.adminKey, ts, fresh()));
      assert.equal(res.statusCode, 200, `${ts - now}: ${res.body}`);
    }
  });

  // --- malformed or absent credentials ----------------------------------------------------

  test("auth: a malformed OAuth header answers 401 'Unable to parse OAuth parameters…'", async () => {
    for (const authorization of ['OAuth oauth_consumer_key="a", oauth_token', 'OAuth oauth_nonce="unterminated']) {
      const res = await get(USERS, authorization);
      const hint = assertOAuthError(res, "Authorization Error: 'Unable to parse OAuth parameters from Authorization header.'", t.clock);
      assert.equal(hint, 'Hint: each part of an OAuth Authorization header reads name="value", and parts are separated by commas.');
    }
  });

  test('auth: no credentials answers 401 Forbidden (text/plain) with a hint', async () => {
    const res = await get(USERS, undefined);
    const hint = assertChallenge(res, t.clock);
    assert.equal(hint, 'Hint: this endpoint needs an API key: sign the request with OAuth 1.0 PLAINTEXT using consumer_key:token_key:token_secret.');
  });

  test('auth: a Basic or Bearer Authorization answers 401 Forbidden naming the scheme', async () => {
    for (const [authorization, scheme] of [
      ['Basic YWRtaW46YWRtaW4tcHc=', 'Basic'],
      ['Bearer abc.def.ghi', 'Bearer'],
    ] as const) {
      const res = await get(USERS, authorization);
      const hint = assertChallenge(res, t.clock);
      assert.equal(
        hint,
        `Hint: the Authorization header uses the ${scheme} scheme; MAAS expects "OAuth oauth_consumer_key=…, oauth_token=…, …".`,
      );
    }
  });

  test('auth: a bare API key pasted as the Authorization header is not echoed', async () => {
    const res = await get(USERS, formatApiKey(bob.key));
    const hint = assertChallenge(res, t.clock);
    assert.ok(hint?.includes('uses no known scheme'), hint);
    assertNoSecret(res);
    assert.ok(!res.body.includes(bob.key.consumerKey));
  });

  test('auth: an OAuth header missing required parameters answers 401 Forbidden naming them', async () => {
    const res = await get(USERS, header(t.adminKey, { oauth_nonce: undefined, oauth_timestamp: undefined }));
    const hint = assertChallenge(res, t.clock);
    assert.equal(hint, 'Hint: the OAuth parameters are incomplete: oauth_timestamp, oauth_nonce missing.');
  });

  // --- the user behind a valid key ----------------------------------------------------------

  test('auth: a deleted user\'s key answers Invalid API key.', async () => {
    const { key } = await t.addUser('gone');
    await t.store.deleteUser('gone');
    const res = await get(USERS, header(key));
    assertOAuthError(res, 'Authorization Error: Invalid API key.', t.clock);
  });

  test('auth: error responses on the API carry X-MAAS-API-Hash', async () => {
    const res = await get(USERS, header({ ...t.adminKey, consumerKey: 'NoSuchConsumerKey1' }));
    assert.match(String(res.headers['x-maas-api-hash']), /^[0-9a-f]{40}$/);
  });
});

describe('auth: clock skew (fake clock)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('auth: a timestamp 301 s behind the server answers Expired timestamp with both times', async () => {
    const signedAt = t.clock.nowSeconds();
    const authorization = t.sign('GET', WHOAMI, { timestamp: signedAt });
    t.clock.advance(301);
    const now = t.clock.nowSeconds();
    const res = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { authorization } });
    const hint = assertOAuthError(
      res,
      `Authorization Error: 'Expired timestamp: given ${signedAt} and now ${now}, has a greater difference than threshold 300'`,
      t.clock,
    );
    assert.equal(
      hint,
      "Hint: your clock is 301 seconds behind the server's: you sent 2027-01-15T08:00:00Z, the server's time is 2027-01-15T08:05:01Z (see this response's Date header). Correct the clock, or sign with the server time.",
    );
    assert.equal(res.headers['date'], 'Fri, 15 Jan 2027 08:05:01 GMT');
  });

  test('auth: a timestamp 301 s ahead of the server answers Timestamp in the future (D2) with both times', async () => {
    const now = t.clock.nowSeconds();
    const res = await t.app.inject({
      method: 'GET',
      url: WHOAMI,
      headers: { authorization: t.sign('GET', WHOAMI, { timestamp: now + 301 }) },
    });
    const hint = assertOAuthError(
      res,
      `Authorization Error: 'Timestamp in the future: given ${now + 301} and now ${now}, has a greater difference than threshold 300'`,
      t.clock,
    );
    assert.ok(hint?.startsWith("Hint: your clock is 301 seconds ahead of the server's: you sent "), hint);
    assert.ok(hint?.includes(new Date((now + 301) * 1000).toISOString().replace('.000Z', 'Z')));
    assert.ok(hint?.includes(new Date(now * 1000).toISOString().replace('.000Z', 'Z')));
  });

  test('auth: the Date header follows the server clock on every response', async () => {
    t.clock.advance(1234);
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/version/' });
    assert.equal(res.headers['date'], httpDate(t.clock.nowSeconds()));
  });
});

describe('auth: --timestamp-window', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ timestampWindow: 30 });
  });
  after(() => t.close());

  test('auth: --timestamp-window 30 accepts 30 s of skew both ways', async () => {
    const now = t.clock.nowSeconds();
    for (const ts of [now - 30, now + 30]) {
      const res = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { authorization: t.sign('GET', WHOAMI, { timestamp: ts }) } });
      assert.equal(res.statusCode, 200, res.body);
    }
  });

  test('auth: --timestamp-window 30 refuses 31 s and names the threshold', async () => {
    const now = t.clock.nowSeconds();
    const past = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { authorization: t.sign('GET', WHOAMI, { timestamp: now - 31 }) } });
    assertOAuthError(
      past,
      `Authorization Error: 'Expired timestamp: given ${now - 31} and now ${now}, has a greater difference than threshold 30'`,
      t.clock,
    );
    const future = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { authorization: t.sign('GET', WHOAMI, { timestamp: now + 31 }) } });
    assertOAuthError(
      future,
      `Authorization Error: 'Timestamp in the future: given ${now + 31} and now ${now}, has a greater difference than threshold 30'`,
      t.clock,
    );
  });
});

describe('auth: --public-url', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ publicUrl: 'http://maas.example:5240/MAAS/' });
  });
  after(() => t.close());

  function hmac(url: string, signatureMethod: SignatureMethod = 'HMAC-SHA1'): string {
    return signRequest({ ...t.adminKey, method: 'GET', url, signatureMethod, timestamp: t.clock.nowSeconds(), nonce: `pub-${Math.random()}` });
  }

  test('auth: HMAC is checked over the public URL, whatever the Host', async () => {
    const res = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { host: '10.0.0.5:5240', authorization: hmac(`http://maas.example:5240${WHOAMI}`) } });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('auth: an HMAC over the Host instead of the public URL names both origins', async () => {
    const res = await t.app.inject({ method: 'GET', url: USERS, headers: { host: '10.0.0.5:5240', authorization: hmac(`http://10.0.0.5:5240${USERS}`) } });
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.equal(
      hint,
      'Hint: the HMAC-SHA1 signature was computed over http://10.0.0.5:5240, but this server signs over http://maas.example:5240. Request the URL you signed, or start the server with --public-url.',
    );
  });

  test('auth: an HMAC over X-Forwarded-Host is recognised in the hint', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: USERS,
      headers: { host: 'internal', 'x-forwarded-host': 'proxy.example', authorization: hmac(`https://proxy.example${USERS}`) },
    });
    const hint = assertOAuthError(res, "Authorization Error: 'Invalid signature.'", t.clock);
    assert.ok(hint?.includes('computed over https://proxy.example'), hint);
  });
});

describe('auth: --no-auth-hints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ authHints: false });
  });
  after(() => t.close());

  test('auth: authHints false removes every Hint line', async () => {
    const k = t.adminKey;
    const now = t.clock.nowSeconds();
    let n = 0;
    const h = (overrides: Record<string, string | undefined>, ts = now) => plaintextHeader(k, ts, `nohint-${++n}`, overrides);
    const reused = h({});
    await t.app.inject({ method: 'GET', url: WHOAMI, headers: { authorization: reused } });
    const cases: Array<[string | undefined, number, string]> = [
      [h({ oauth_consumer_key: k.tokenKey, oauth_token: k.consumerKey }), 401, 'Authorization Error: Invalid API key.'],
      [h({ oauth_consumer_key: formatApiKey(k) }), 401, 'Authorization Error: Invalid API key.'],
      [h({ oauth_token: 'NoSuchTokenKey1234' }), 401, "Authorization Error: 'Invalid access token: NoSuchTokenKey1234'"],
      [h({ oauth_signature: `x&${k.tokenSecret}` }), 401, "Authorization Error: 'Invalid signature.'"],
      [h({ oauth_signature: k.tokenSecret }), 401, "Authorization Error: 'Invalid signature.'"],
      [
        h({}, now - 301),
        401,
        `Authorization Error: 'Expired timestamp: given ${now - 301} and now ${now}, has a greater difference than threshold 300'`,
      ],
      [reused, 401, `Authorization Error: 'Nonce already used: nohint-1'`],
      ['OAuth oauth_token', 401, "Authorization Error: 'Unable to parse OAuth parameters from Authorization header.'"],
      [h({ oauth_timestamp: 'abc' }), 400, "'Bad Request: the following problems were found among the auth params: oauth_timestamp has an unexpected type'"],
      [undefined, 401, 'Forbidden'],
      ['Basic YWRtaW46YWRtaW4tcHc=', 401, 'Forbidden'],
      [h({ oauth_nonce: undefined }), 401, 'Forbidden'],
    ];
    for (const [authorization, status, body] of cases) {
      const res = await t.app.inject({ method: 'GET', url: USERS, headers: authorization === undefined ? {} : { authorization } });
      assert.equal(res.statusCode, status, body);
      assert.equal(res.body, body, 'exactly MAAS\'s text, no Hint line');
    }
  });
});

/** An app over a fresh store holding one user (not admin) with one key; closed after the test. */
async function appWithUser(t: TestContext, seed: string, username: string) {
  const clock = new FakeClock();
  const random = seededRandom(seed);
  const { store, dir } = await openTestStore(clock, random);
  const app = createApp({ store, clock, randomBytes: random, logger: false });
  const closing: Array<() => Promise<void>> = [() => app.close(), () => store.close()];
  t.after(async () => {
    for (const close of closing) await close();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = await store.createUser({ username, email: `${username}@example.com`, password: 'pw', isSuperuser: false });
  const [k] = await store.listApiKeys(user.id);
  assert.ok(k);
  /** Another handle on the same SQLite file (the admin CLI's), closed before the app's. */
  const openCli = async () => {
    const cli = await openSqliteStore({ file: join(dir, 'maaskit.db'), secretKey: TEST_SECRET_KEY, randomBytes: random, now: () => clock.nowSeconds() });
    closing.unshift(() => cli.close());
    return cli;
  };
  return { clock, store, app, user, k, openCli };
}

describe('auth: inactive user', () => {
  test('auth: a valid key of an inactive user answers 403 User is not allowed access to this API.', async (t) => {
    const { clock, store, app, k } = await appWithUser(t, 'inactive', 'sleeper');
    assert.equal(await store.setUserActive('sleeper', false), true);
    const authorization = signRequest({ ...k, method: 'GET', url: `http://localhost${WHOAMI}`, timestamp: clock.nowSeconds(), nonce: 'n-1' });
    const res = await app.inject({ method: 'GET', url: WHOAMI, headers: { authorization } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'User is not allowed access to this API.');
    // version/ has no authentication, so it still answers.
    const version = await app.inject({ method: 'GET', url: '/MAAS/api/2.0/version/', headers: { authorization } });
    assert.equal(version.statusCode, 200);
  });
});

describe('auth: a change committed by another handle (the admin CLI beside serve)', () => {
  // The server answers a known key from its cache and confirms it with the request's nonce
  // commit (Store.recallTokenGrant): each change below must still decide the very next request.
  test('auth: is seen by the next request, with the answer a fresh server would give', { skip: sqliteOnly }, async (t) => {
    const { clock, app, user, k, openCli } = await appWithUser(t, 'elsewhere', 'kim');
    const cli = await openCli();
    let n = 0;
    const whoami = (secret = k.tokenSecret) => {
      const authorization = signRequest({ ...k, tokenSecret: secret, method: 'GET', url: `http://localhost${WHOAMI}`, timestamp: clock.nowSeconds(), nonce: `e-${++n}` });
      return app.inject({ method: 'GET', url: WHOAMI, headers: { authorization } });
    };
    assert.equal((await whoami()).statusCode, 200);
    assert.equal((await whoami()).statusCode, 200, 'answered from the cache');

    assert.equal(await cli.setUserActive('kim', false), true);
    const inactive = await whoami();
    assert.equal(inactive.statusCode, 403);
    assert.equal(inactive.body, 'User is not allowed access to this API.');
    assert.equal(await cli.setUserActive('kim', true), true);
    assert.equal((await whoami()).statusCode, 200, 'reactivation is seen');

    // A refusal is worded from what is committed now: the key is gone, not the signature wrong.
    assert.equal(await cli.deleteApiKey(user.id, k.tokenKey), true);
    assert.equal(lines((await whoami(`${k.tokenSecret}x`)).body).first, 'Authorization Error: Invalid API key.');
    const deleted = await whoami();
    assertOAuthError(deleted, 'Authorization Error: Invalid API key.', clock);
  });
});
