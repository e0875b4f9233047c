import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OAuthError } from './errors.ts';
import { collectParams, parseQueryString } from './params.ts';
import { type OAuthRequest, type ParamList, REQUIRED_PARAMS } from './types.ts';

const URL_BASE = 'http://localhost:5240/MAAS/api/2.0/users/';

/** The six required parameters, with the values of one source. */
function six(tag: string): ParamList {
  return [
    ['oauth_consumer_key', `CK-${tag}`],
    ['oauth_token', `TK-${tag}`],
    ['oauth_signature_method', 'PLAINTEXT'],
    ['oauth_signature', `&TS-${tag}`],
    ['oauth_timestamp', '1796364918'],
    ['oauth_nonce', `n-${tag}`],
  ];
}

function header(pairs: ParamList): string {
  return `OAuth ${pairs.map(([n, v]) => `${n}="${encodeURIComponent(v)}"`).join(', ')}`;
}

function query(pairs: ParamList): string {
  return pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
}

test("params: parseQueryString decodes form style, '+' is a space (RFC 5849 §3.4.1.3.1)", () => {
  assert.deepEqual(parseQueryString('a=b+c&d=e%20f&g=h%2Bi'), [
    ['a', 'b c'],
    ['d', 'e f'],
    ['g', 'h+i'],
  ]);
});

test('params: parseQueryString keeps repeated names in order and blank values', () => {
  assert.deepEqual(parseQueryString('?a=1&a=2&b=&c&&a=0'), [
    ['a', '1'],
    ['a', '2'],
    ['b', ''],
    ['c', ''],
    ['a', '0'],
  ]);
});

test("params: parseQueryString decodes names, as the RFC's c%40 example needs", () => {
  assert.deepEqual(parseQueryString('c%40=&b5=%3D%253D'), [
    ['c@', ''],
    ['b5', '=%3D'],
  ]);
});

test('params: collects a complete header as an OAuth attempt from the header', () => {
  const collected = collectParams({ method: 'GET', url: URL_BASE, authorization: header(six('h')) });
  assert.deepEqual(collected.completeSources, ['header']);
  assert.deepEqual(collected.missing, []);
  assert.equal(collected.oauth['oauth_signature'], '&TS-h');
});

test('params: collects the parameters from the query string alone', () => {
  const collected = collectParams({ method: 'GET', url: `${URL_BASE}?op=whoami&${query(six('q'))}` });
  assert.deepEqual(collected.completeSources, ['query']);
  assert.equal(collected.oauth['oauth_consumer_key'], 'CK-q');
  assert.equal(collected.oauth['op'], undefined, 'only oauth_* parameters are merged');
});

test('params: collects the parameters from a form body alone', () => {
  const collected = collectParams({ method: 'POST', url: URL_BASE, body: { params: six('b'), signed: true } });
  assert.deepEqual(collected.completeSources, ['body']);
  assert.equal(collected.oauth['oauth_token'], 'TK-b');
});

test('params: a multipart body is a source of oauth_* parameters but is not signed', () => {
  const body = { params: [...six('m'), ['name', 'x']] as ParamList, signed: false };
  const collected = collectParams({ method: 'POST', url: URL_BASE, body });
  assert.deepEqual(collected.completeSources, ['body']);
  assert.equal(collected.oauth['oauth_nonce'], 'n-m');
  assert.deepEqual(collected.signed, []);
});

test('params: precedence is query > header > body, as in MAAS (spec/maas-auth.md §1.3)', () => {
  const collected = collectParams({
    method: 'POST',
    url: `${URL_BASE}?${query(six('q').slice(0, 2))}`,
    authorization: header(six('h').slice(0, 4)),
    body: { params: six('b'), signed: true },
  });
  // consumer key and token: all three sources; method and signature: header and body; rest: body.
  assert.equal(collected.oauth['oauth_consumer_key'], 'CK-q');
  assert.equal(collected.oauth['oauth_token'], 'TK-q');
  assert.equal(collected.oauth['oauth_signature'], '&TS-h');
  assert.equal(collected.oauth['oauth_nonce'], 'n-b');
  assert.deepEqual(collected.completeSources, ['body']);
});

test('params: the last value of a name within one source wins', () => {
  const collected = collectParams({ method: 'GET', url: `${URL_BASE}?oauth_nonce=1&oauth_nonce=2` });
  assert.equal(collected.oauth['oauth_nonce'], '2');
});

test('params: the gate counts only sources that hold all six parameters (spec/maas-auth.md §1.2)', () => {
  for (const dropped of six('x').map(([name]) => name)) {
    const pairs = six('h').filter(([name]) => name !== dropped);
    const collected = collectParams({ method: 'GET', url: URL_BASE, authorization: header(pairs) });
    assert.deepEqual(collected.completeSources, [], dropped);
    assert.deepEqual(collected.missing, [dropped]);
  }
});

test('params: six parameters spread over two sources are not a complete source', () => {
  const [first, second] = [six('h').slice(0, 3), six('q').slice(3)];
  const collected = collectParams({ method: 'GET', url: `${URL_BASE}?${query(second)}`, authorization: header(first) });
  assert.deepEqual(collected.completeSources, []);
  assert.deepEqual(collected.missing, [], 'the merged values are all there');
});

test('params: several complete sources are all reported', () => {
  const collected = collectParams({
    method: 'POST',
    url: `${URL_BASE}?${query(six('q'))}`,
    authorization: header(six('h')),
    body: { params: six('b'), signed: true },
  });
  assert.deepEqual(collected.completeSources, ['body', 'header', 'query']);
});

test('params: no credentials at all is not an OAuth attempt, and all six are missing', () => {
  const collected = collectParams({ method: 'GET', url: URL_BASE });
  assert.deepEqual(collected.completeSources, []);
  assert.deepEqual(collected.missing, [...REQUIRED_PARAMS]);
  assert.deepEqual(collected.oauth, {});
});

test('params: another scheme in Authorization is ignored', () => {
  const collected = collectParams({ method: 'GET', url: `${URL_BASE}?${query(six('q'))}`, authorization: 'Basic Q0s6VEs=' });
  assert.deepEqual(collected.completeSources, ['query']);
});

test('params: a malformed OAuth header throws ERR_OAUTH_HEADER_MALFORMED', () => {
  const request: OAuthRequest = { method: 'GET', url: URL_BASE, authorization: 'OAuth oauth_consumer_key' };
  assert.throws(
    () => collectParams(request),
    (error: unknown) => error instanceof OAuthError && error.code === 'ERR_OAUTH_HEADER_MALFORMED',
  );
});

test('params: signs query, header and form parameters, without realm or oauth_signature (RFC 5849 §3.4.1.3.1)', () => {
  const collected = collectParams({
    method: 'POST',
    url: `${URL_BASE}?op=x&a=1&a=2`,
    authorization: `OAuth realm="MAAS API", extra="e", ${header(six('h')).slice(6)}`,
    body: { params: [['name', 'my key']], signed: true },
  });
  const names = collected.signed.map(([name]) => name).sort();
  assert.deepEqual(names, [
    'a',
    'a',
    'extra',
    'name',
    'oauth_consumer_key',
    'oauth_nonce',
    'oauth_signature_method',
    'oauth_timestamp',
    'oauth_token',
    'op',
  ]);
});

test('params: a fragment is not part of the query', () => {
  const collected = collectParams({ method: 'GET', url: `${URL_BASE}?a=1#b=2` });
  assert.deepEqual(collected.signed, [['a', '1']]);
  const inFragment = collectParams({ method: 'GET', url: `${URL_BASE}#frag?${query(six('f'))}` });
  assert.deepEqual(inFragment.completeSources, [], 'a "?" inside the fragment starts no query');
  assert.deepEqual(inFragment.signed, []);
});
