import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import { parseAuthorizationHeader } from './header.ts';
import { collectParams } from './params.ts';
import { hmacSignature, signatureBaseString } from './signature.ts';
import { type SignRequestOptions, signRequest } from './signer.ts';
import type { SignatureMethod } from './types.ts';
import { verifyRequest } from './verify.ts';

const NOW = 1_796_364_948;
const NONCE = '8VqK9CAnoh7Q467tVGhk0pRJYwKKRXxS';
const KEY = { consumerKey: 'CK', tokenKey: 'TK', tokenSecret: 'TS' };

function sign(options: Partial<SignRequestOptions> = {}): string {
  return signRequest({ method: 'GET', url: 'http://localhost:5240/MAAS/api/2.0/users/?op=whoami', ...KEY, timestamp: NOW, nonce: NONCE, ...options });
}

function params(header: string): Record<string, string> {
  const parsed = parseAuthorizationHeader(header);
  assert.ok(parsed);
  return Object.fromEntries(parsed);
}

test('signer: PLAINTEXT by default, in RFC 5849 §3.5.1 form, signature %26TS', () => {
  assert.equal(
    sign(),
    'OAuth oauth_consumer_key="CK", oauth_token="TK", oauth_signature_method="PLAINTEXT", oauth_timestamp="1796364948", ' +
      `oauth_nonce="${NONCE}", oauth_version="1.0", oauth_signature="%26TS"`,
  );
});

test('signer: puts realm first, quoted and not encoded', () => {
  assert.match(sign({ realm: 'MAAS API' }), /^OAuth realm="MAAS API", oauth_consumer_key="CK", /);
});

test('signer: encodes values in the header (RFC 5849 §3.6)', () => {
  const header = sign({ nonce: 'a b+c/é', tokenSecret: 'T&S' });
  assert.match(header, /oauth_nonce="a%20b%2Bc%2F%C3%A9"/);
  assert.match(header, /oauth_signature="%26T%2526S"/, 'PLAINTEXT is encode(cs)&encode(ts), then encoded again');
  assert.equal(params(header)['oauth_signature'], '&T%26S');
});

test('signer: a consumer secret goes before the "&" (only for testing that mistake)', () => {
  assert.equal(params(sign({ consumerSecret: 'foo' }))['oauth_signature'], 'foo&TS');
});

test('signer: HMAC signs the query, the oauth parameters and the form body', () => {
  const url = 'http://h/MAAS/api/2.0/tags/?op=x&a=b+c';
  const formParams: Array<[string, string]> = [['name', 'my key']];
  const header = sign({ method: 'post', url, signatureMethod: 'HMAC-SHA1', formParams });
  const got = params(header);
  const signedParams = Object.entries(got).filter(([name]) => name !== 'oauth_signature');
  const base = signatureBaseString('POST', url, [['op', 'x'], ['a', 'b c'], ...signedParams, ...formParams]);
  assert.equal(got['oauth_signature'], hmacSignature('HMAC-SHA1', base, '', 'TS'));
});

test('signer: a URL fragment is not signed (it is never sent)', async () => {
  for (const url of ['http://h/MAAS/api/2.0/machines/?a=1#frag', 'http://h/MAAS/api/2.0/machines/#frag?a=1']) {
    const header = sign({ url, signatureMethod: 'HMAC-SHA1' });
    const sent = url.slice(0, url.indexOf('#'));
    const request = { method: 'GET', url: sent, authorization: header };
    await verifyRequest(request, collectParams(request), {
      clock: { nowSeconds: () => NOW },
      timestampWindow: 300,
      nonces: { useOnce: async () => true },
      lookup: {
        consumerExists: async () => true,
        findToken: async () => ({ tokenKey: 'TK', consumerKey: 'CK', secret: { matches: (s) => s === 'TS', reveal: () => 'TS' } }),
      },
    });
  }
});

// --- cross-check with npm oauth-1.0a (spec/clients.md §2.1) ----------------------------------------

type Cross = {
  name: string;
  method: string;
  url: string;
  data?: Record<string, string>;
  realm?: string;
};

const CROSS: Cross[] = [
  { name: 'a GET without a query', method: 'GET', url: 'http://localhost:5240/MAAS/api/2.0/version/' },
  { name: 'a GET with op in the query', method: 'GET', url: 'http://localhost:5240/MAAS/api/2.0/users/?op=whoami' },
  { name: 'repeated query keys and %20', method: 'GET', url: 'http://h:5240/MAAS/api/2.0/machines/?hostname=b&hostname=a&zone=my%20zone' },
  {
    name: 'a POST with a form body',
    method: 'POST',
    url: 'http://localhost:5240/MAAS/api/2.0/account/?op=create_authorisation_token',
    data: { name: 'my key', comment: "a&b~é!*'()" },
  },
  { name: 'a realm', method: 'GET', url: 'https://maas.example.com/MAAS/api/2.0/users/?op=whoami', realm: 'MAAS API' },
];

const HASHES: Record<SignatureMethod, ((base: string, key: string) => string) | undefined> = {
  PLAINTEXT: undefined,
  'HMAC-SHA1': (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  'HMAC-SHA256': (base, key) => createHmac('sha256', key).update(base).digest('base64'),
};

for (const signatureMethod of ['PLAINTEXT', 'HMAC-SHA1', 'HMAC-SHA256'] as const) {
  describe(`signer: ${signatureMethod} agrees with npm oauth-1.0a`, () => {
    for (const c of CROSS) {
      test(`signer: ${signatureMethod} over ${c.name} equals oauth-1.0a's`, () => {
        const hash = HASHES[signatureMethod];
        const oauth = new OAuth({
          consumer: { key: KEY.consumerKey, secret: '' },
          signature_method: signatureMethod,
          ...(hash ? { hash_function: hash } : {}),
          ...(c.realm === undefined ? {} : { realm: c.realm }),
        });
        oauth.getNonce = () => NONCE;
        oauth.getTimeStamp = () => NOW;
        // A copy: oauth-1.0a merges the query into the data object it is given.
        const data = { ...c.data };
        const theirs = oauth.toHeader(
          oauth.authorize({ url: c.url, method: c.method, data }, { key: KEY.tokenKey, secret: KEY.tokenSecret }),
        ).Authorization;

        const ours = sign({
          method: c.method,
          url: c.url,
          signatureMethod,
          ...(c.data ? { formParams: Object.entries(c.data) } : {}),
          ...(c.realm === undefined ? {} : { realm: c.realm }),
        });
        assert.deepEqual(params(ours), params(theirs));
        if (c.realm !== undefined) {
          assert.ok(theirs.startsWith(`OAuth realm="${c.realm}"`));
          assert.ok(ours.startsWith(`OAuth realm="${c.realm}"`));
        }
      });
    }
  });
}
