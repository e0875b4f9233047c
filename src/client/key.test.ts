import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyFormatError } from './errors.ts';
import { inspectApiKey, parseApiKey } from './key.ts';

const CK = 'AAAAAAAAAAAAAAAAAA';
const TK = 'BBBBBBBBBBBBBBBBBB';
const TS = 'SecretSecretSecretSecretSecret12';
const KEY = `${CK}:${TK}:${TS}`;

function problemOf(input: string): KeyFormatError {
  try {
    parseApiKey(input);
  } catch (error) {
    assert.ok(error instanceof KeyFormatError);
    assert.equal(error.code, 'ERR_CLIENT_KEY_FORMAT');
    // STYLE 12: the message describes parts, never shows them.
    assert.ok(!error.message.includes(TS), 'the secret is not echoed');
    assert.ok(!error.message.includes(TS.slice(0, 10)), 'no piece of the secret is echoed');
    return error;
  }
  assert.fail('expected a KeyFormatError');
}

test('key: parses consumer_key:token_key:token_secret', () => {
  assert.deepEqual(parseApiKey(KEY), { consumerKey: CK, tokenKey: TK, tokenSecret: TS });
});

test('key: trims whitespace, a newline and quotes, and says so', () => {
  for (const pasted of [` ${KEY}\n`, `"${KEY}"`, `'${KEY}'`, `\`${KEY}\``, `  "${KEY}"\r\n`, `${KEY}"`, `${CK} : ${TK} : ${TS}`]) {
    assert.deepEqual(parseApiKey(pasted), { consumerKey: CK, tokenKey: TK, tokenSecret: TS }, JSON.stringify(pasted.length));
  }
  assert.deepEqual(inspectApiKey(`"${KEY}"\n`).cleaned.sort(), ['quotes', 'whitespace']);
  assert.deepEqual(inspectApiKey(KEY).cleaned, []);
});

test('key: the number of parts is named', () => {
  const e = problemOf(`${CK}:${TK}`);
  assert.equal(e.problem, 'parts');
  assert.match(e.message, /has 2 colon-separated parts \(18:18 characters\); a MAAS API key has 3/);
  assert.equal(problemOf(`${KEY}:${KEY}`).problem, 'parts');
  assert.equal(problemOf(TS).problem, 'parts');
});

test('key: empty key and empty parts', () => {
  assert.equal(problemOf('').problem, 'empty');
  assert.equal(problemOf('  ""  ').problem, 'empty');
  const e = problemOf(`${CK}::${TS}`);
  assert.equal(e.problem, 'empty-part');
  assert.match(e.message, /part 2 \(the token key\) is empty/);
});

test('key: a wrong length names the part and both lengths', () => {
  const e = problemOf(`${CK}:${TK}:${TS.slice(0, 31)}`);
  assert.equal(e.problem, 'length');
  assert.match(e.message, /part 3 \(the token secret\) has 31 characters; MAAS makes it 32/);
});

test('key: a character outside [A-Za-z0-9] is named by kind and position, not shown in context', () => {
  const e = problemOf(`${CK}:${TK}:${TS.slice(0, 5)} ${TS.slice(6)}`);
  assert.equal(e.problem, 'charset');
  assert.match(e.message, /part 3 \(the token secret\) holds a space at position 6/);
  assert.match(problemOf(`${CK}:${TK}:${TS.slice(0, 31)}é`).message, /a non-ASCII character \(U\+00E9\)/);
  assert.match(problemOf(`${CK}:${TK}&:${TS}`).message, /part 2 \(the token key\) holds an ampersand/);
});
