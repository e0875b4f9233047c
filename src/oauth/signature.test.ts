import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  baseStringUri,
  constantTimeEqual,
  hmacSignature,
  isSignatureMethod,
  normalizeParams,
  plaintextSignature,
  signatureBaseString,
} from './signature.ts';
import type { ParamList } from './types.ts';

// RFC 5849 §3.4.1.1's request, as the decoded parameter list of §3.4.1.3.1.
const RFC_PARAMS: ParamList = [
  ['b5', '=%3D'],
  ['a3', 'a'],
  ['c@', ''],
  ['a2', 'r b'],
  ['oauth_consumer_key', '9djdj82h48djs9d2'],
  ['oauth_token', 'kkk9d7dh3k39sjv7'],
  ['oauth_signature_method', 'HMAC-SHA1'],
  ['oauth_timestamp', '137131201'],
  ['oauth_nonce', '7d8f3e4a'],
  ['c2', ''],
  ['a3', '2 q'],
];
const RFC_URL = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b';
const RFC_BASE =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7';

const PHOTOS_PARAMS: ParamList = [
  ['file', 'vacation.jpg'],
  ['size', 'original'],
  ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
  ['oauth_token', 'nnch734d00sl2jdk'],
  ['oauth_signature_method', 'HMAC-SHA1'],
  ['oauth_timestamp', '137131202'],
  ['oauth_nonce', 'chapoH'],
];
const PHOTOS_URL = 'http://photos.example.net/photos?file=vacation.jpg&size=original';

test('signature: constantTimeEqual compares whatever the lengths', () => {
  assert.equal(constantTimeEqual('&TS', '&TS'), true);
  assert.equal(constantTimeEqual('', ''), true);
  assert.equal(constantTimeEqual('&TS', '&TX'), false);
  assert.equal(constantTimeEqual('&TS', '&TS '), false);
  assert.equal(constantTimeEqual('', 'x'), false);
  assert.equal(constantTimeEqual('é', 'e\u0301'), false);
});

test('signature: baseStringUri lower-cases scheme and host and drops the default port (RFC 5849 §3.4.1.2)', () => {
  assert.equal(baseStringUri('http://EXAMPLE.COM:80/r%20v/X?id=123'), 'http://example.com/r%20v/X');
  assert.equal(baseStringUri('https://www.example.net:8080/?q=1'), 'https://www.example.net:8080/');
  assert.equal(baseStringUri('HTTPS://Example.NET:443/Path'), 'https://example.net/Path');
  assert.equal(baseStringUri('http://example.net:443/'), 'http://example.net:443/');
  assert.equal(baseStringUri('https://example.net:80/'), 'https://example.net:80/');
});

test('signature: baseStringUri drops query and fragment, keeps the path as sent', () => {
  assert.equal(baseStringUri('http://h:5240/MAAS/api/2.0/machines/?op=list#x'), 'http://h:5240/MAAS/api/2.0/machines/');
  assert.equal(baseStringUri('http://h'), 'http://h/');
  assert.equal(baseStringUri('http://h/a%2Fb/%7Ec'), 'http://h/a%2Fb/%7Ec');
});

test('signature: normalizeParams reproduces RFC 5849 §3.4.1.3.2', () => {
  assert.equal(
    normalizeParams(RFC_PARAMS),
    'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7',
  );
});

test('signature: normalizeParams sorts encoded names, then values, by byte value', () => {
  assert.equal(
    normalizeParams([
      ['name', 'value2'],
      ['Name', 'value4'],
      ['name', 'value1'],
      ['Name', 'value3'],
    ]),
    'Name=value3&Name=value4&name=value1&name=value2',
  );
  // Sorting happens after encoding: '%' (0x25) sorts before digits and letters.
  assert.equal(
    normalizeParams([
      ['a', 'b'],
      ['a', ' '],
      ['a', '~'],
      ['a', '0'],
    ]),
    'a=%20&a=0&a=b&a=~',
  );
  assert.equal(normalizeParams([]), '');
});

test('signature: signatureBaseString reproduces RFC 5849 §3.4.1.1', () => {
  assert.equal(signatureBaseString('POST', RFC_URL, RFC_PARAMS), RFC_BASE);
  assert.equal(signatureBaseString('post', RFC_URL, RFC_PARAMS), RFC_BASE, 'the method is upper-cased');
});

test('signature: signatureBaseString encodes a custom method (RFC 5849 §3.4.1.1 item 1)', () => {
  assert.match(signatureBaseString('x:y', 'http://h/', []), /^X%3AY&http%3A%2F%2Fh%2F&$/);
});

test('signature: plaintextSignature is encode(cs)&encode(ts), "&" always present (RFC 5849 §3.4.4)', () => {
  assert.equal(plaintextSignature('', 'TS'), '&TS');
  assert.equal(plaintextSignature('', ''), '&');
  assert.equal(plaintextSignature('ja893SD9', ''), 'ja893SD9&');
  assert.equal(plaintextSignature('ja893SD9', 'xyz4992k83j47x0b'), 'ja893SD9&xyz4992k83j47x0b');
  assert.equal(plaintextSignature('djr9rjt0jd78jf88', 'jjd99$tj88uiths3'), 'djr9rjt0jd78jf88&jjd99%24tj88uiths3');
});

test('signature: HMAC-SHA1 reproduces RFC 5849 §1.2 (photos, chapoH)', () => {
  const base = signatureBaseString('GET', PHOTOS_URL, PHOTOS_PARAMS);
  assert.equal(hmacSignature('HMAC-SHA1', base, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00'), 'MdpQcU8iPSUjWoN/UDMsK2sui9I=');
});

test('signature: HMAC-SHA1 reproduces OAuth Core 1.0 A.5.2 (tR3+Ty81lMeYAr/Fid0kMTYa/WM=)', () => {
  const params: ParamList = [
    ['file', 'vacation.jpg'],
    ['size', 'original'],
    ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
    ['oauth_token', 'nnch734d00sl2jdk'],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', '1191242096'],
    ['oauth_nonce', 'kllo9940pd9333jh'],
    ['oauth_version', '1.0'],
  ];
  const base = signatureBaseString('GET', 'http://photos.example.net/photos', params);
  assert.equal(hmacSignature('HMAC-SHA1', base, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00'), 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
});

test('signature: HMAC-SHA256 matches independently published values for the RFC examples', () => {
  // Values from the Faithlife.OAuth test suite (same construction with SHA-256).
  const photos = PHOTOS_PARAMS.map(([n, v]): [string, string] => [n, n === 'oauth_signature_method' ? 'HMAC-SHA256' : v]);
  const photosBase = signatureBaseString('GET', PHOTOS_URL, photos);
  assert.equal(
    hmacSignature('HMAC-SHA256', photosBase, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00'),
    'HtMwoX2zenlFjgGg/SNEoKEQmL7CzxYFEKzs7er044Y=',
  );
  const request = RFC_PARAMS.map(([n, v]): [string, string] => [n, n === 'oauth_signature_method' ? 'HMAC-SHA256' : v]);
  const requestBase = signatureBaseString('POST', RFC_URL, request);
  assert.equal(hmacSignature('HMAC-SHA256', requestBase, 'j49sk3j29djd', 'dh893hdasih9'), 'ypAxjNip++Dm0fTM+gCl8wAo6ufSnseu1WHxL7py3BU=');
});

test('signature: HMAC keys are encode(cs)&encode(ts), so secrets with reserved characters still sign', () => {
  const base = 'GET&http%3A%2F%2Fh%2F&';
  assert.notEqual(hmacSignature('HMAC-SHA1', base, '', 'a&b'), hmacSignature('HMAC-SHA1', base, 'a', 'b'));
});

test('signature: isSignatureMethod accepts exactly PLAINTEXT, HMAC-SHA1 and HMAC-SHA256', () => {
  for (const method of ['PLAINTEXT', 'HMAC-SHA1', 'HMAC-SHA256']) assert.equal(isSignatureMethod(method), true, method);
  for (const method of ['plaintext', 'HMAC-SHA512', 'RSA-SHA1', '', 'HMAC-SHA1 ']) assert.equal(isSignatureMethod(method), false, method);
});
