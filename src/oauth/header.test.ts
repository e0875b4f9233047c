import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OAuthError } from './errors.ts';
import { isOAuthScheme, parseAuthorizationHeader, serializeAuthorizationHeader } from './header.ts';
import { prng } from '../../test/helpers/prng.ts';

const MALFORMED = 'Unable to parse OAuth parameters from Authorization header.';

const CLIENT_HEADERS: string[] = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'test', 'vectors', 'client-headers.json'), 'utf8')) as {
    cases: Array<{ authorization?: string }>;
  }
).cases.flatMap((c) => (c.authorization === undefined ? [] : [c.authorization]));

function parsed(header: string): Record<string, string> {
  const params = parseAuthorizationHeader(header);
  assert.ok(params, 'an OAuth header');
  return Object.fromEntries(params);
}

function assertMalformed(header: string): void {
  assert.throws(
    () => parseAuthorizationHeader(header),
    (error: unknown) => {
      assert.ok(error instanceof OAuthError);
      assert.equal(error.code, 'ERR_OAUTH_HEADER_MALFORMED');
      assert.equal(error.message, MALFORMED);
      assert.equal(error.status, 401);
      return true;
    },
    header,
  );
}

test('header: recognises the OAuth scheme in any case (RFC 5849 §3.5.1)', () => {
  for (const header of ['OAuth a="1"', 'oauth a="1"', 'OAUTH a="1"', '  OAuth a="1"', 'OAuth', 'OAuth\ta="1"']) {
    assert.equal(isOAuthScheme(header), true, header);
  }
  for (const header of ['Basic YTpi', 'Bearer x', 'OAuthx a="1"', 'OAuth2 a="1"', '', 'MAC id="1"']) {
    assert.equal(isOAuthScheme(header), false, header);
  }
});

test('header: returns undefined for another scheme', () => {
  assert.equal(parseAuthorizationHeader('Basic Q0s6VEs='), undefined);
  assert.equal(parseAuthorizationHeader('Bearer oauth_token="TK"'), undefined);
});

test('header: parses quoted values and percent-decodes them', () => {
  assert.deepEqual(parsed('OAuth oauth_consumer_key="CK", oauth_signature="%26TS"'), {
    oauth_consumer_key: 'CK',
    oauth_signature: '&TS',
  });
});

test("header: parses the MAAS docs' unquoted values with a raw '&'", () => {
  assert.deepEqual(parsed('OAuth oauth_version=1.0, oauth_signature=&TS, oauth_nonce=5b0c8f3e-9d2a'), {
    oauth_version: '1.0',
    oauth_signature: '&TS',
    oauth_nonce: '5b0c8f3e-9d2a',
  });
});

test('header: splits with or without spaces after commas', () => {
  const expected = { oauth_consumer_key: 'CK', oauth_token: 'TK' };
  assert.deepEqual(parsed('OAuth oauth_consumer_key="CK",oauth_token="TK"'), expected);
  assert.deepEqual(parsed('OAuth oauth_consumer_key="CK" ,  oauth_token="TK"'), expected);
  assert.deepEqual(parsed('OAuth\toauth_consumer_key="CK",\toauth_token="TK"\t'), expected);
});

test('header: drops realm whatever it holds', () => {
  for (const realm of ['"OAuth"', '"MAAS API"', '"MAAS+API"', '"MAAS%20API"', '""', 'MAAS', '"MAAS, API"']) {
    assert.deepEqual(parsed(`OAuth realm=${realm}, oauth_token="TK"`), { oauth_token: 'TK' }, realm);
  }
});

test('header: keeps a nonce that contains "realm" (DESIGN D2)', () => {
  assert.deepEqual(parsed('OAuth oauth_nonce="xrealmx", oauth_token="realm"'), { oauth_nonce: 'xrealmx', oauth_token: 'realm' });
});

test('header: keeps commas inside a quoted value (DESIGN D2)', () => {
  assert.deepEqual(parsed('OAuth oauth_nonce="a,b,,c", oauth_token="TK"'), { oauth_nonce: 'a,b,,c', oauth_token: 'TK' });
});

test('header: skips the empty part of a trailing comma or of ",,"', () => {
  assert.deepEqual(parsed('OAuth oauth_token="TK",'), { oauth_token: 'TK' });
  assert.deepEqual(parsed('OAuth oauth_token="TK",, oauth_nonce="n", '), { oauth_token: 'TK', oauth_nonce: 'n' });
  assert.deepEqual(parsed('OAuth'), {});
  assert.deepEqual(parsed('OAuth ,'), {});
});

test("header: a '+' stays a '+' after decoding", () => {
  assert.deepEqual(parsed('OAuth oauth_nonce="a+b%2Bc", oauth_signature=x+y'), { oauth_nonce: 'a+b+c', oauth_signature: 'x+y' });
});

test('header: the last of a repeated name wins, as in MAAS', () => {
  assert.deepEqual(parsed('OAuth oauth_nonce="1", oauth_nonce="2"'), { oauth_nonce: '2' });
});

test('header: keeps non-oauth parameters (they are signed, RFC 5849 §3.4.1.3.1)', () => {
  assert.deepEqual(parsed('OAuth extra="x%20y", oauth_token="TK"'), { extra: 'x y', oauth_token: 'TK' });
});

test('header: percent-decodes names too (RFC 5849 §3.5.1 item 1)', () => {
  assert.deepEqual(parsed('OAuth oauth%5Fnonce="n"'), { oauth_nonce: 'n' });
});

test('header: unescapes a quoted-pair inside quotes', () => {
  assert.deepEqual(parsed('OAuth realm="a\\"b", oauth_nonce="x\\"y\\\\z"'), { oauth_nonce: 'x"y\\z' });
});

test('header: an empty quoted value is an empty string', () => {
  assert.deepEqual(parsed('OAuth oauth_token=""'), { oauth_token: '' });
});

test('header: rejects a part without "=" with MAAS\'s message', () => {
  assertMalformed('OAuth oauth_consumer_key');
  assertMalformed('OAuth oauth_token="TK", oauth_nonce');
  assertMalformed('OAuth ="x"');
});

test('header: rejects an unterminated quote', () => {
  assertMalformed('OAuth oauth_token="TK');
  assertMalformed('OAuth oauth_token="TK", oauth_nonce="n');
});

test('header: parses every real client header of spec/clients.md §0', () => {
  assert.ok(CLIENT_HEADERS.length >= 9);
  for (const header of CLIENT_HEADERS) {
    const params = parsed(header);
    assert.equal(params['oauth_consumer_key'], 'CK', header);
    assert.equal(params['oauth_token'], 'TK', header);
    assert.equal(params['oauth_signature'], '&TS', header);
    assert.equal(params['realm'], undefined, header);
  }
});

test('header: serialises RFC 5849 §3.5.1 style, realm first and not encoded', () => {
  assert.equal(
    serializeAuthorizationHeader(
      [
        ['oauth_consumer_key', 'CK'],
        ['oauth_signature', '&TS'],
        ['oauth_nonce', 'a b+c'],
      ],
      'MAAS API',
    ),
    'OAuth realm="MAAS API", oauth_consumer_key="CK", oauth_signature="%26TS", oauth_nonce="a%20b%2Bc"',
  );
  assert.equal(serializeAuthorizationHeader([['oauth_token', 'TK']]), 'OAuth oauth_token="TK"');
});

test('header: serialise then parse gives the parameters back (seeded)', () => {
  const next = prng(7235);
  const pool = ['a', 'Z', '9', ' ', '"', ',', '=', '\\', '%', '+', '&', 'é', '😀', 'realm'];
  for (let i = 0; i < 500; i++) {
    const params: Array<[string, string]> = [];
    const count = 1 + Math.floor(next() * 5);
    for (let j = 0; j < count; j++) {
      let value = '';
      for (let k = Math.floor(next() * 12); k > 0; k--) value += pool[Math.floor(next() * pool.length)];
      params.push([`oauth_p${j}`, value]);
    }
    let realm = '';
    for (let k = Math.floor(next() * 6); k > 0; k--) realm += pool[Math.floor(next() * pool.length)];
    const header = serializeAuthorizationHeader(params, realm);
    assert.deepEqual(parsed(header), Object.fromEntries(params), header);
  }
});

test('header: random mutations of real headers either parse or throw OAuthError (seeded)', () => {
  const next = prng(20_260_504);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const noise = ['"', '"', ',', ',', '=', '\\', '%', '%2', '%zz', ' ', '\t', 'realm', 'OAuth ', '\u0000', 'é', '\uD800', '😀'];
  let parsedCount = 0;
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    let header = pick(CLIENT_HEADERS);
    for (let m = 1 + Math.floor(next() * 4); m > 0; m--) {
      const at = Math.floor(next() * (header.length + 1));
      const op = next();
      if (op < 0.35) header = header.slice(0, at) + pick(noise) + header.slice(at);
      else if (op < 0.65) header = header.slice(0, at) + header.slice(at + 1 + Math.floor(next() * 8));
      else if (op < 0.8) header = header.slice(0, at) + header.slice(at, at + 10) + header.slice(at);
      else if (op < 0.9) header = header.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x10000)) + header.slice(at + 1);
      else header = header.slice(at) + header.slice(0, at);
    }
    try {
      const result = parseAuthorizationHeader(header);
      assert.ok(result === undefined || result instanceof Map, JSON.stringify(header));
      parsedCount++;
    } catch (error) {
      assert.ok(error instanceof OAuthError, `${JSON.stringify(header)}: ${String(error)}`);
      assert.equal(error.code, 'ERR_OAUTH_HEADER_MALFORMED');
      rejected++;
    }
  }
  // The mutations exercise both outcomes.
  assert.ok(parsedCount > 1000 && rejected > 1000, `${parsedCount} parsed, ${rejected} rejected`);
});
