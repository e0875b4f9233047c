import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentDecode, percentEncode } from './percent.ts';
import { prng } from '../../test/helpers/prng.ts';

/** Strings rich in what decoders trip on: '%', hex digits, '+', non-ASCII, lone surrogates. */
function randomString(next: () => number, maxLength = 24): string {
  const alphabet = ['%', '%', '+', '2', '6', 'A', 'f', 'g', 'z', ' ', '&', '=', '"', 'é', '€', '😀', '\u0000', '\uD800', '\uDC00', '\uFFFF'];
  let out = '';
  const length = Math.floor(next() * maxLength);
  for (let i = 0; i < length; i++) {
    out += next() < 0.8 ? alphabet[Math.floor(next() * alphabet.length)] : String.fromCharCode(Math.floor(next() * 0x10000));
  }
  return out;
}

test('percentEncode: leaves the RFC 3986 unreserved set alone (RFC 5849 §3.6)', () => {
  const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
  assert.equal(percentEncode(unreserved), unreserved);
});

test('percentEncode: encodes every other ASCII character with upper-case hex', () => {
  for (let code = 0; code < 0x80; code++) {
    const ch = String.fromCharCode(code);
    if (/[A-Za-z0-9\-._~]/.test(ch)) continue;
    assert.equal(percentEncode(ch), `%${code.toString(16).toUpperCase().padStart(2, '0')}`, `U+${code.toString(16)}`);
  }
});

test('percentEncode: a space is %20 and a plus is %2B, unlike form encoding', () => {
  assert.equal(percentEncode('a b+c'), 'a%20b%2Bc');
});

test("percentEncode: encodes !*'() that encodeURIComponent leaves alone", () => {
  assert.equal(percentEncode("!*'()"), '%21%2A%27%28%29');
});

test('percentEncode: encodes UTF-8 octets of non-ASCII text', () => {
  assert.equal(percentEncode('é'), '%C3%A9');
  assert.equal(percentEncode('😀'), '%F0%9F%98%80');
});

test('percentDecode: decodes %XX in either case', () => {
  assert.equal(percentDecode('%26TS'), '&TS');
  assert.equal(percentDecode('%c3%a9%C3%A9'), 'éé');
});

test("percentDecode: keeps '+' a plus unless asked for form decoding", () => {
  assert.equal(percentDecode('a+b'), 'a+b');
  assert.equal(percentDecode('a+b%2B', true), 'a b+');
  assert.equal(percentDecode('a+b', true), 'a b');
});

test("percentDecode: keeps a stray '%' literally, as Python's unquote does", () => {
  assert.equal(percentDecode('%'), '%');
  assert.equal(percentDecode('100%'), '100%');
  assert.equal(percentDecode('%4'), '%4');
  assert.equal(percentDecode('%zz%41'), '%zzA');
  assert.equal(percentDecode('%%41'), '%A');
});

test('percentDecode: turns invalid UTF-8 into U+FFFD instead of throwing', () => {
  assert.equal(percentDecode('%FF'), '\uFFFD');
  assert.equal(percentDecode('a%C3'), 'a\uFFFD');
});

test('percentDecode: keeps non-ASCII characters that were not encoded', () => {
  assert.equal(percentDecode('é%20€😀'), 'é €😀');
});

test('percentDecode: undoes percentEncode for well-formed strings (seeded)', () => {
  const next = prng(5849);
  for (let i = 0; i < 2000; i++) {
    // Well-formed: drop lone surrogates, which UTF-8 cannot carry.
    const value = randomString(next).replace(/[\uD800-\uDFFF]/g, '');
    assert.equal(percentDecode(percentEncode(value)), value, JSON.stringify(value));
  }
});

test('percentDecode: never throws on random strings (seeded)', () => {
  const next = prng(20_260_504);
  for (let i = 0; i < 10_000; i++) {
    const value = randomString(next, 40);
    const plus = next() < 0.5;
    let decoded: unknown;
    assert.doesNotThrow(() => {
      decoded = percentDecode(value, plus);
    }, JSON.stringify(value));
    assert.equal(typeof decoded, 'string');
  }
});

/** The decoder's rules read literally: %XX is that octet, anything else its own UTF-8, the octets then read as UTF-8 with U+FFFD for what is not. */
function octetsDecoded(value: string, plusIsSpace: boolean): string {
  const octets: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (/^%[0-9A-Fa-f]{2}/.test(value.slice(i, i + 3))) {
      octets.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (plusIsSpace && value[i] === '+') {
      octets.push(0x20);
    } else {
      const cp = value.codePointAt(i)!;
      if (cp > 0xffff) i++;
      octets.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(Uint8Array.from(octets));
}

test('percentDecode: equals the octet-by-octet definition on random escapes, well-formed or not (seeded)', () => {
  const random = prng(3629);
  const pieces = ['%', '+', 'a', 'Z', '9', '%41', '%2b', '%26', '%20', '%C3%A9', '%c3', '%A9', '%FF', '%EF%BB%BF',
    '%ED%A0%80', '%F0%9F%98%80', '%E2%82', '%4', '%zz', 'é', '😀'];
  for (let i = 0; i < 5000; i++) {
    let value = '';
    const length = Math.floor(random() * 8);
    for (let j = 0; j < length; j++) value += pieces[Math.floor(random() * pieces.length)]!;
    const plus = random() < 0.5;
    assert.equal(percentDecode(value, plus), octetsDecoded(value, plus), JSON.stringify([value, plus]));
  }
});

test('percentDecode: keeps a decoded byte order mark at the start', () => {
  assert.equal(percentDecode('%EF%BB%BFx'), '\uFEFFx');
  assert.equal(percentDecode('%EF%BB%BF%'), '\uFEFF%');
});

test('percentEncode: never throws on random strings, and output is always ASCII (seeded)', () => {
  const next = prng(3986);
  for (let i = 0; i < 5000; i++) {
    const value = randomString(next, 40);
    assert.match(percentEncode(value), /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/, JSON.stringify(value));
  }
});

/** §3.6 read literally: every octet of the UTF-8 form (lone surrogates become U+FFFD). */
function octetByOctet(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

test('percentEncode: equals the octet-by-octet definition on random strings, lone surrogates included (seeded)', () => {
  const random = prng(5849);
  const pools = [
    () => String.fromCharCode(Math.floor(random() * 0x80)),
    () => String.fromCharCode(Math.floor(random() * 0x10000)),
    () => String.fromCharCode(0xd800 + Math.floor(random() * 0x800)),
    () => String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff)),
    () => 'aZ09-._~'[Math.floor(random() * 8)]!,
  ];
  for (let i = 0; i < 3000; i++) {
    let value = '';
    const length = Math.floor(random() * 12);
    for (let j = 0; j < length; j++) value += pools[Math.floor(random() * pools.length)]!();
    assert.equal(percentEncode(value), octetByOctet(value), JSON.stringify(value));
  }
});
