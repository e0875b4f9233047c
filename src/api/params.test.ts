import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ApiError } from './errors.ts';
import {
  BodyError,
  type DecodedBody,
  decodeBody,
  MAX_PARAMS,
  Params,
  parseStringBool,
  parseUrlEncoded,
} from './params.ts';
import { prng } from '../../test/helpers/prng.ts';

const VECTORS = join(import.meta.dirname, '..', '..', 'test', 'vectors');

// --- helpers ---------------------------------------------------------------------------------

interface Part {
  headers: string[];
  data: string | Buffer;
}

/** Builds a multipart body from parts; `eol` is the line break used for framing. */
function multipart(boundary: string, parts: Part[], eol = '\r\n'): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}${eol}${part.headers.map((h) => h + eol).join('')}${eol}`, 'latin1'));
    chunks.push(typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : part.data);
    chunks.push(Buffer.from(eol));
  }
  chunks.push(Buffer.from(`--${boundary}--${eol}`));
  return Buffer.concat(chunks);
}

function field(name: string, value: string | Buffer, extra: string[] = []): Part {
  return { headers: [`Content-Disposition: form-data; name="${name}"`, ...extra], data: value };
}

const MP = (boundary: string) => `multipart/form-data; boundary=${boundary}`;

function expectBodyError(fn: () => unknown, message?: string | RegExp): BodyError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof BodyError, `expected a BodyError, got ${String(caught)}`);
  assert.equal(caught.code, 'ERR_API_BODY_MALFORMED');
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message !== undefined) assert.match(caught.message, message);
  return caught;
}

/** Runs decodeBody and returns the result, or 'error' for a BodyError; anything else fails the test. */
function decodeOrBodyError(contentType: string | undefined, body: Buffer): DecodedBody | 'error' {
  try {
    return decodeBody(contentType, body);
  } catch (error) {
    if (error instanceof BodyError && error.code === 'ERR_API_BODY_MALFORMED') return 'error';
    throw error;
  }
}

/**
 * The maas CLI fixture: a MIME message as Python's email package writes it (headers, blank line,
 * body). Generated (python3.11) with this snippet, which mirrors the structure the maas CLI builds:
 *
 *   from email.mime.multipart import MIMEMultipart
 *   from email.mime.application import MIMEApplication
 *   from email.generator import BytesGenerator
 *   from email import policy
 *   import io, sys
 *   def part(name, data, filename=None):
 *       p = MIMEApplication(data)  # Content-Transfer-Encoding: base64
 *       p.add_header('Content-Disposition', f'form-data; name="{name}"'
 *                    + ('' if filename is None else f'; filename="{filename}"'))
 *       return p
 *   msg = MIMEMultipart('form-data')
 *   msg.set_boundary('===============4052748250139779211==')
 *   for n, v in [('hostname', b'node-01'), ('mac_addresses', b'52:54:00:12:34:56'),
 *                ('mac_addresses', b'52:54:00:ab:cd:ef'), ('description', 'caf\u00e9 \u2603 line1\nline2'.encode()),
 *                ('commission', b'true'), ('zone', b''), ('long', b'x' * 200)]:
 *       msg.attach(part(n, v))
 *   msg.attach(part('script', bytes(range(256)), filename='blob.bin'))
 *   buf = io.BytesIO(); BytesGenerator(buf, policy=policy.HTTP).flatten(msg)  # CRLF line endings
 *   sys.stdout.buffer.write(buf.getvalue())
 */
function maascliFixture(): { contentType: string; body: Buffer; raw: Buffer } {
  const raw = readFileSync(join(VECTORS, 'multipart-maascli.txt'));
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.subarray(0, split).toString('latin1').split('\r\n');
  const contentType = headers.find((h) => h.toLowerCase().startsWith('content-type:'))!.slice('content-type:'.length);
  return { contentType: contentType.trim(), body: raw.subarray(split + 4), raw };
}

// --- Params ----------------------------------------------------------------------------------

describe('Params', () => {
  const params = new Params([
    ['tags', 'a'],
    ['hostname', 'n1'],
    ['tags', 'b'],
    ['tags', 'c'],
  ]);

  test('Params: get returns the last value of a repeated key, as Django QueryDict.get', () => {
    assert.equal(params.get('tags'), 'c');
    assert.equal(params.get('hostname'), 'n1');
    assert.equal(params.get('missing'), undefined);
  });

  test('Params: getAll returns every value in order, and a copy', () => {
    assert.deepEqual(params.getAll('tags'), ['a', 'b', 'c']);
    assert.deepEqual(params.getAll('missing'), []);
    params.getAll('tags').push('x');
    assert.deepEqual(params.getAll('tags'), ['a', 'b', 'c']);
  });

  test('Params: has, names in first-appearance order, entries in arrival order', () => {
    assert.equal(params.has('tags'), true);
    assert.equal(params.has('nope'), false);
    assert.deepEqual(params.names(), ['tags', 'hostname']);
    assert.deepEqual(params.entries(), [
      ['tags', 'a'],
      ['hostname', 'n1'],
      ['tags', 'b'],
      ['tags', 'c'],
    ]);
  });

  test('Params: an empty value still counts as present', () => {
    const p = new Params([['zone', '']]);
    assert.equal(p.has('zone'), true);
    assert.equal(p.get('zone'), '');
  });

  test('Params: neither the input nor entries() can mutate it', () => {
    const pairs: Array<[string, string]> = [['a', '1']];
    const p = new Params(pairs);
    pairs[0]![1] = 'changed';
    pairs.push(['b', '2']);
    const entries = p.entries();
    entries[0]![1] = 'changed';
    assert.deepEqual(p.entries(), [['a', '1']]);
    assert.equal(p.has('b'), false);
  });

  test('Params: merge concatenates, so get() prefers the later list', () => {
    const query = new Params([
      ['op', 'allocate'],
      ['zone', 'q'],
    ]);
    const body = new Params([['zone', 'b']]);
    const merged = Params.merge(query, body);
    assert.equal(merged.get('zone'), 'b');
    assert.deepEqual(merged.getAll('zone'), ['q', 'b']);
    assert.equal(merged.get('op'), 'allocate');
    assert.deepEqual(Params.merge().entries(), []);
  });
});

// --- parseStringBool -------------------------------------------------------------------------

describe('parseStringBool', () => {
  test('parseStringBool: true words in any case', () => {
    for (const word of ['true', 'True', 'TRUE', 't', 'T', '1', 'yes', 'YES', 'y', 'Y', 'on', 'On']) {
      assert.equal(parseStringBool(word), true, word);
    }
  });

  test('parseStringBool: false words in any case', () => {
    for (const word of ['false', 'False', 'FALSE', 'f', 'F', '0', 'no', 'NO', 'n', 'N', 'off', 'OFF']) {
      assert.equal(parseStringBool(word), false, word);
    }
  });

  test('parseStringBool: surrounding whitespace is stripped, as formencode does', () => {
    assert.equal(parseStringBool('  true\n'), true);
    assert.equal(parseStringBool('\toff '), false);
  });

  test('parseStringBool: anything else is undefined', () => {
    for (const word of ['', ' ', 'maybe', '2', '-1', '00', '01', 'tru', 'truee', 'yes!', 'o', 'nope', 'ye s', 'x'.repeat(1e5)]) {
      assert.equal(parseStringBool(word), undefined, word.slice(0, 20));
    }
  });
});

// --- parseUrlEncoded -------------------------------------------------------------------------

describe('parseUrlEncoded', () => {
  test('parseUrlEncoded: pairs in order, repeated keys kept', () => {
    assert.deepEqual(parseUrlEncoded('mac_addresses=a&hostname=h&mac_addresses=b'), [
      ['mac_addresses', 'a'],
      ['hostname', 'h'],
      ['mac_addresses', 'b'],
    ]);
  });

  test("parseUrlEncoded: '+' is a space and %2B a plus", () => {
    assert.deepEqual(parseUrlEncoded('description=hello+world&q=a%2Bb&a+b=c'), [
      ['description', 'hello world'],
      ['q', 'a+b'],
      ['a b', 'c'],
    ]);
  });

  test('parseUrlEncoded: %-escapes in either case decode to UTF-8', () => {
    assert.deepEqual(parseUrlEncoded('name=caf%C3%A9&snow=%e2%98%83&sp=%20'), [
      ['name', 'café'],
      ['snow', '☃'],
      ['sp', ' '],
    ]);
  });

  test('parseUrlEncoded: invalid %-sequences are kept literally', () => {
    assert.deepEqual(parseUrlEncoded('a=%&b=%zz&c=%4&d=100%&e=%%41&f=%G1'), [
      ['a', '%'],
      ['b', '%zz'],
      ['c', '%4'],
      ['d', '100%'],
      ['e', '%A'],
      ['f', '%G1'],
    ]);
  });

  test('parseUrlEncoded: invalid UTF-8 becomes U+FFFD', () => {
    assert.deepEqual(parseUrlEncoded('a=%FF&b=%C3&c=x%C3%28y&d=%ED%A0%80'), [
      ['a', '\uFFFD'],
      ['b', '\uFFFD'],
      ['c', 'x\uFFFD(y'],
      ['d', '\uFFFD\uFFFD\uFFFD'],
    ]);
  });

  test('parseUrlEncoded: raw non-ASCII text and lone surrogates', () => {
    assert.deepEqual(parseUrlEncoded('name=café☃'), [['name', 'café☃']]);
    assert.deepEqual(parseUrlEncoded('x=\uD800'), [['x', '\uFFFD']]);
  });

  test("parseUrlEncoded: empty pieces ('&&') are skipped; '=x' gives the name ''", () => {
    assert.deepEqual(parseUrlEncoded(''), []);
    assert.deepEqual(parseUrlEncoded('&&&'), []);
    assert.deepEqual(parseUrlEncoded('&&a=1&&b=2&'), [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.deepEqual(parseUrlEncoded('=x'), [['', 'x']]);
    assert.deepEqual(parseUrlEncoded('='), [['', '']]);
  });

  test("parseUrlEncoded: a piece without '=' has the value ''; only the first '=' splits", () => {
    assert.deepEqual(parseUrlEncoded('force&a=b=c&op='), [
      ['force', ''],
      ['a', 'b=c'],
      ['op', ''],
    ]);
  });

  test("parseUrlEncoded: ';' is not a separator (WHATWG, Python >= 3.10)", () => {
    assert.deepEqual(parseUrlEncoded('a=1;b=2'), [['a', '1;b=2']]);
  });

  test('parseUrlEncoded: a query as gomaasapi encodes it', () => {
    const query = 'comment=Deployed+by+%22juju%22&distro_series=jammy&user_data=I2Nsb3VkLWNvbmZpZw%3D%3D';
    const params = new Params(parseUrlEncoded(query));
    assert.equal(params.get('comment'), 'Deployed by "juju"');
    assert.equal(params.get('user_data'), 'I2Nsb3VkLWNvbmZpZw==');
  });

  test(`parseUrlEncoded: ${MAX_PARAMS} pairs are fine, one more is "too many parameters"`, () => {
    const pairs = Array.from({ length: MAX_PARAMS }, (_, i) => `k${i}=${i}`);
    assert.equal(parseUrlEncoded(pairs.join('&')).length, MAX_PARAMS);
    const error = expectBodyError(() => parseUrlEncoded([...pairs, 'one=more'].join('&')), /too many parameters/i);
    assert.equal(error.message, 'Too many parameters: at most 1000 are accepted.');
  });

  test('parseUrlEncoded: empty pieces do not count towards the limit', () => {
    assert.deepEqual(parseUrlEncoded(`${'&'.repeat(1_000_000)}a=1${'&'.repeat(1_000_000)}`), [['a', '1']]);
  });

  test('parseUrlEncoded: huge inputs stay linear', { timeout: 10_000 }, () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    assert.equal(parseUrlEncoded(`v=${big}`)[0]![1].length, big.length);
    // No '&' and no '=': one name, no quadratic '=' search.
    assert.equal(parseUrlEncoded(big)[0]![0].length, big.length);
    assert.equal(parseUrlEncoded(`v=${'%41'.repeat(1_000_000)}`)[0]![1], 'A'.repeat(1_000_000));
    // A million tiny pairs stops at the limit instead of building them all.
    expectBodyError(() => parseUrlEncoded('a&'.repeat(1_000_000)), /too many parameters/i);
  });

  test('parseUrlEncoded: random strings never throw', () => {
    const random = prng(7);
    const alphabet = ['a', 'b', '=', '&', '%', '+', '2', 'F', 'f', 'C', '3', '\uD800', 'é', ' ', '\u0000'];
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const pairs = parseUrlEncoded(text);
      for (const [name, value] of pairs) {
        assert.equal(typeof name, 'string');
        assert.equal(typeof value, 'string');
      }
    }
  });
});

// --- decodeBody: content types ----------------------------------------------------------------

describe('decodeBody: content types', () => {
  test('decodeBody: an empty body is "none" whatever the type', () => {
    for (const type of [undefined, '', 'application/json', 'multipart/form-data', MP('x'), 'application/x-www-form-urlencoded']) {
      const decoded = decodeBody(type, Buffer.alloc(0));
      assert.equal(decoded.kind, 'none');
      assert.deepEqual(decoded.params.entries(), []);
      assert.deepEqual(decoded.files, []);
    }
  });

  test('decodeBody: JSON and other types are "other" with no params', () => {
    for (const type of [undefined, 'application/json', 'text/plain', 'multipart/mixed; boundary=x', 'garbage;;;=']) {
      const decoded = decodeBody(type, Buffer.from('{"hostname": "x"}'));
      assert.equal(decoded.kind, 'other', String(type));
      assert.deepEqual(decoded.params.entries(), []);
      assert.deepEqual(decoded.files, []);
    }
  });

  test('decodeBody: urlencoded, matched case-insensitively with parameters ignored', () => {
    const decoded = decodeBody('Application/X-WWW-Form-Urlencoded ; Charset=UTF-8; foo=bar', Buffer.from('a=1&a=2&b=x+y'));
    assert.equal(decoded.kind, 'urlencoded');
    assert.deepEqual(decoded.params.getAll('a'), ['1', '2']);
    assert.equal(decoded.params.get('b'), 'x y');
  });

  test('decodeBody: urlencoded bytes are decoded as a whole, so raw and escaped UTF-8 may mix', () => {
    const body = Buffer.concat([Buffer.from('name=caf'), Buffer.from([0xc3]), Buffer.from('%A9')]);
    assert.equal(decodeBody('application/x-www-form-urlencoded', body).params.get('name'), 'café');
  });

  test('decodeBody: urlencoded non-UTF-8 bytes become U+FFFD', () => {
    const body = Buffer.concat([Buffer.from('name=a'), Buffer.from([0xff, 0xfe]), Buffer.from('b')]);
    assert.equal(decodeBody('application/x-www-form-urlencoded', body).params.get('name'), 'a\uFFFD\uFFFDb');
  });

  test('decodeBody: urlencoded honours a declared charset, and falls back to UTF-8 for unknown ones', () => {
    const latin1 = decodeBody('application/x-www-form-urlencoded; charset=ISO-8859-1', Buffer.from('n=caf%E9'));
    assert.equal(latin1.params.get('n'), 'café');
    const unknown = decodeBody('application/x-www-form-urlencoded; charset=no-such-charset', Buffer.from('n=caf%C3%A9'));
    assert.equal(unknown.params.get('n'), 'café');
  });

  test('decodeBody: urlencoded with too many pairs is a BodyError', () => {
    const body = Buffer.from(Array.from({ length: MAX_PARAMS + 1 }, (_, i) => `k=${i}`).join('&'));
    expectBodyError(() => decodeBody('application/x-www-form-urlencoded', body), /too many parameters/i);
  });

  test('decodeBody: BodyError is an ApiError with status 400', () => {
    const error = expectBodyError(() => decodeBody('multipart/form-data', Buffer.from('x')));
    assert.ok(error instanceof ApiError);
    assert.ok(error instanceof Error);
    assert.equal(error.status, 400);
    assert.equal(error.name, 'BodyError');
    assert.equal(error.code, 'ERR_API_BODY_MALFORMED');
  });
});

// --- decodeBody: multipart as real clients send it ---------------------------------------------

describe('decodeBody: multipart from real clients', () => {
  test('decodeBody: the maas CLI fixture keeps its CRLF line endings (guards against git autocrlf)', () => {
    const { raw } = maascliFixture();
    const lf = raw.filter((byte) => byte === 0x0a).length;
    const crlf = raw.toString('latin1').split('\r\n').length - 1;
    assert.ok(lf > 10);
    assert.equal(crlf, lf);
  });

  test('decodeBody: base64 parts as the maas CLI sends them', () => {
    const { contentType, body } = maascliFixture();
    assert.equal(contentType, 'multipart/form-data; boundary="===============4052748250139779211=="');
    const decoded = decodeBody(contentType, body);
    assert.equal(decoded.kind, 'multipart');
    assert.deepEqual(decoded.params.names(), ['hostname', 'mac_addresses', 'description', 'commission', 'zone', 'long']);
    assert.equal(decoded.params.get('hostname'), 'node-01');
    assert.deepEqual(decoded.params.getAll('mac_addresses'), ['52:54:00:12:34:56', '52:54:00:ab:cd:ef']);
    assert.equal(decoded.params.get('description'), 'café ☃ line1\nline2');
    assert.equal(parseStringBool(decoded.params.get('commission')!), true);
    assert.equal(decoded.params.get('zone'), '');
    // 200 bytes → base64 wrapped over three lines.
    assert.equal(decoded.params.get('long'), 'x'.repeat(200));
  });

  test('decodeBody: a base64 file part from the maas CLI survives byte-exact', () => {
    const { contentType, body } = maascliFixture();
    const { files, params } = decodeBody(contentType, body);
    assert.equal(files.length, 1);
    const file = files[0]!;
    assert.equal(file.name, 'script');
    assert.equal(file.filename, 'blob.bin');
    assert.equal(file.contentType, 'application/octet-stream');
    assert.deepEqual(file.data, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    assert.equal(params.has('script'), false);
  });

  test('decodeBody: a multipart body with no parts as Python writes it (python-libmaas, no params)', () => {
    // email.mime MIMEMultipart('form-data') with nothing attached.
    const decoded = decodeBody('multipart/form-data; boundary="BB"', Buffer.from('--BB\r\n\r\n--BB--\r\n'));
    assert.equal(decoded.kind, 'multipart');
    assert.deepEqual(decoded.params.entries(), []);
    assert.deepEqual(decoded.files, []);
    assert.equal(decodeBody(MP('BB'), Buffer.from('--BB--\r\n')).kind, 'multipart');
    assert.equal(decodeBody(MP('BB'), Buffer.from('--BB\r\n--BB--')).params.entries().length, 0);
  });

  test('decodeBody: a browser-style body with a binary file and no transfer encoding', () => {
    const binary = Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0x0d, 0x0a, 0x0d]);
    const body = multipart('----WebKitFormBoundary7MA4YWxkTrZu0gW', [
      field('name', 'web'),
      { headers: ['Content-Disposition: form-data; name="upload"; filename="a.bin"', 'Content-Type: Application/Octet-Stream'], data: binary },
    ]);
    const decoded = decodeBody('multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW', body);
    assert.equal(decoded.params.get('name'), 'web');
    assert.equal(decoded.files.length, 1);
    assert.deepEqual(decoded.files[0]!.data, binary);
    assert.equal(decoded.files[0]!.contentType, 'application/octet-stream');
  });
});

// --- decodeBody: multipart framing (RFC 2046 §5.1.1) --------------------------------------------

describe('decodeBody: multipart framing', () => {
  test('decodeBody: an unquoted boundary, and a quoted one with other parameters around it', () => {
    const body = multipart('simple', [field('a', '1')]);
    assert.equal(decodeBody('multipart/form-data; boundary=simple', body).params.get('a'), '1');
    assert.equal(decodeBody('Multipart/Form-Data; charset=utf-8; BOUNDARY="simple"; x=y', body).params.get('a'), '1');
    assert.equal(decodeBody('multipart/form-data;boundary=simple;', body).params.get('a'), '1');
  });

  test('decodeBody: the boundary is case-sensitive', () => {
    expectBodyError(() => decodeBody(MP('SIMPLE'), multipart('simple', [field('a', '1')])), /no opening boundary/);
  });

  test('decodeBody: repeated keys in multipart keep their order', () => {
    const body = multipart('b', [field('tags', 'x'), field('other', 'o'), field('tags', 'y')]);
    const { params } = decodeBody(MP('b'), body);
    assert.deepEqual(params.getAll('tags'), ['x', 'y']);
    assert.equal(params.get('tags'), 'y');
  });

  test('decodeBody: preamble and epilogue are ignored', () => {
    const body = Buffer.concat([
      Buffer.from('This is the preamble.\r\n--b is not a delimiter here? it is not at the right spot\r\n'),
      multipart('b', [field('a', '1')]),
      Buffer.from('epilogue\r\n--b\r\nContent-Disposition: form-data; name="late"\r\n\r\nno\r\n'),
    ]);
    const { params } = decodeBody(MP('b'), body);
    assert.deepEqual(params.entries(), [['a', '1']]);
  });

  test('decodeBody: the last CRLF before a delimiter belongs to the delimiter', () => {
    const body = multipart('b', [field('a', 'line\r\n'), field('b', '\r\n'), field('c', ''), field('d', '\r')]);
    const { params } = decodeBody(MP('b'), body);
    assert.equal(params.get('a'), 'line\r\n');
    assert.equal(params.get('b'), '\r\n');
    assert.equal(params.get('c'), '');
    assert.equal(params.get('d'), '\r');
  });

  test('decodeBody: transport padding after a delimiter is allowed', () => {
    const body = Buffer.from('--b \t\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--  \r\n');
    assert.equal(decodeBody(MP('b'), body).params.get('a'), '1');
  });

  test('decodeBody: a line that only starts with the delimiter is data, not a delimiter', () => {
    const body = multipart('b', [field('a', 'x\r\n--bb\r\n--b-y\r\nz')]);
    assert.equal(decodeBody(MP('b'), body).params.get('a'), 'x\r\n--bb\r\n--b-y\r\nz');
  });

  test('decodeBody: bare LF line endings are accepted', () => {
    const body = multipart('b', [field('a', '1'), field('b', 'two\nlines')], '\n');
    const { params } = decodeBody(MP('b'), body);
    assert.equal(params.get('a'), '1');
    assert.equal(params.get('b'), 'two\nlines');
  });

  test('decodeBody: header names and values are case-insensitive', () => {
    const body = multipart('b', [
      { headers: ['CONTENT-DISPOSITION: Form-Data; NAME="a"', 'content-transfer-encoding: BASE64'], data: 'aGk=' },
    ]);
    assert.equal(decodeBody(MP('b'), body).params.get('a'), 'hi');
  });

  test('decodeBody: folded header lines are unfolded (RFC 5322 §2.2.3)', () => {
    const body = multipart('b', [{ headers: ['Content-Disposition: form-data;', '\tname="folded"'], data: 'v' }]);
    assert.equal(decodeBody(MP('b'), body).params.get('folded'), 'v');
  });

  test('decodeBody: a part with several headers and whitespace before a colon', () => {
    const body = multipart('b', [
      { headers: ['X-Custom : whatever', 'Content-Disposition:form-data;name=plain', 'MIME-Version: 1.0'], data: 'v' },
    ]);
    assert.equal(decodeBody(MP('b'), body).params.get('plain'), 'v');
  });
});

// --- decodeBody: Content-Disposition and files -------------------------------------------------

describe('decodeBody: multipart fields and files', () => {
  test('decodeBody: unquoted name and filename values', () => {
    const body = multipart('b', [{ headers: ['Content-Disposition: form-data; name=up; filename=f.txt'], data: 'data' }]);
    const { files } = decodeBody(MP('b'), body);
    assert.deepEqual(files, [{ name: 'up', filename: 'f.txt', contentType: 'text/plain', data: Buffer.from('data') }]);
  });

  test('decodeBody: a quoted value may contain ; and escaped quotes; Windows paths keep their backslashes', () => {
    const body = multipart('b', [
      { headers: ['Content-Disposition: form-data; name="a;b"; filename="C:\\dir\\say \\"hi\\".txt"'], data: 'x' },
    ]);
    const { files } = decodeBody(MP('b'), body);
    assert.equal(files[0]!.name, 'a;b');
    assert.equal(files[0]!.filename, 'C:\\dir\\say "hi".txt');
  });

  test('decodeBody: filename* (RFC 5987) is preferred over filename', () => {
    const body = multipart('b', [
      {
        headers: [`Content-Disposition: form-data; name="f"; filename="naive.txt"; filename*=UTF-8''na%C3%AFve+1.txt`],
        data: 'x',
      },
    ]);
    assert.equal(decodeBody(MP('b'), body).files[0]!.filename, 'naïve+1.txt');
    const bad = multipart('b', [{ headers: [`Content-Disposition: form-data; name="f"; filename="ok.txt"; filename*=bogus`], data: 'x' }]);
    assert.equal(decodeBody(MP('b'), bad).files[0]!.filename, 'ok.txt');
  });

  test('decodeBody: raw UTF-8 in a filename (as browsers send it)', () => {
    const body = multipart('b', [{ headers: [Buffer.from('Content-Disposition: form-data; name="f"; filename="é.txt"').toString('latin1')], data: 'x' }]);
    assert.equal(decodeBody(MP('b'), body).files[0]!.filename, 'é.txt');
  });

  test('decodeBody: an empty filename still makes a file', () => {
    const body = multipart('b', [{ headers: ['Content-Disposition: form-data; name="f"; filename=""'], data: '' }]);
    const { files, params } = decodeBody(MP('b'), body);
    assert.deepEqual(files, [{ name: 'f', filename: '', contentType: 'text/plain', data: Buffer.alloc(0) }]);
    assert.equal(params.has('f'), false);
  });

  test('decodeBody: non-UTF-8 bytes become U+FFFD in fields but stay exact in files', () => {
    const bytes = Buffer.from([0x61, 0xff, 0xc3, 0x62]);
    const body = multipart('b', [field('text', bytes), { headers: ['Content-Disposition: form-data; name="f"; filename="x"'], data: bytes }]);
    const decoded = decodeBody(MP('b'), body);
    assert.equal(decoded.params.get('text'), 'a\uFFFD\uFFFDb');
    assert.deepEqual(decoded.files[0]!.data, bytes);
  });

  test("decodeBody: a field's charset comes from its part, else from the body's Content-Type", () => {
    const body = multipart('b', [
      field('a', Buffer.from([0x63, 0xe9]), ['Content-Type: text/plain; charset=iso-8859-1']),
      field('b', Buffer.from([0x63, 0xe9])),
    ]);
    const own = decodeBody(MP('b'), body);
    assert.equal(own.params.get('a'), 'cé');
    assert.equal(own.params.get('b'), 'c\uFFFD');
    const declared = decodeBody(`${MP('b')}; charset=iso-8859-1`, body);
    assert.equal(declared.params.get('b'), 'cé');
  });

  test('decodeBody: a leading BOM in a field is kept as data', () => {
    const body = multipart('b', [field('a', Buffer.from([0xef, 0xbb, 0xbf, 0x78]))]);
    assert.equal(decodeBody(MP('b'), body).params.get('a'), '\uFEFFx');
  });
});

// --- decodeBody: transfer encodings (RFC 2045 §6) ----------------------------------------------

describe('decodeBody: multipart transfer encodings', () => {
  const encoded = (encoding: string, data: string) =>
    decodeBody(MP('b'), multipart('b', [field('v', data, [`Content-Transfer-Encoding: ${encoding}`])])).params.get('v');

  test('decodeBody: base64 wrapped over lines, with or without padding', () => {
    assert.equal(encoded('base64', 'aGVs\r\nbG8g\r\nd29y\r\nbGQ='), 'hello world');
    assert.equal(encoded('base64', 'aGk'), 'hi');
    assert.equal(encoded('base64', ' aGk= '), 'hi');
    assert.equal(encoded('base64', ''), '');
  });

  test('decodeBody: invalid base64 is a BodyError', () => {
    for (const bad of ['a', 'aGk==x', 'aG!k', 'aGk===', '=aGk', 'aGk_', 'YQ=a']) {
      expectBodyError(() => encoded('base64', bad), 'Malformed multipart body: part 1 is not valid base64.');
    }
  });

  test('decodeBody: quoted-printable soft line breaks and escapes', () => {
    assert.equal(encoded('quoted-printable', 'caf=C3=A9 =\r\nis=20open=\nhere'), 'café is openhere');
    assert.equal(encoded('quoted-printable', 'a=3db= \r\nc'), 'a=bc');
    assert.equal(encoded('quoted-printable', '100=%'), '100=%');
  });

  test('decodeBody: 7bit, 8bit and binary are taken as they are', () => {
    for (const encoding of ['7bit', '8bit', 'binary', 'Binary']) assert.equal(encoded(encoding, 'aGk='), 'aGk=');
  });

  test('decodeBody: an unknown transfer encoding is a BodyError', () => {
    expectBodyError(() => encoded('x-uuencode', 'abc'), /unsupported Content-Transfer-Encoding/);
  });
});

// --- decodeBody: malformed multipart -----------------------------------------------------------

describe('decodeBody: malformed multipart', () => {
  const valid = multipart('b', [field('a', '1')]);

  test('decodeBody: no boundary in the Content-Type', () => {
    expectBodyError(() => decodeBody('multipart/form-data', valid), 'Malformed multipart body: the Content-Type has no boundary.');
    expectBodyError(() => decodeBody('multipart/form-data; boundary=', valid), /no boundary/);
    expectBodyError(() => decodeBody('multipart/form-data; boundary=""', valid), /no boundary/);
  });

  test('decodeBody: an invalid boundary', () => {
    for (const boundary of ['a'.repeat(201), '"trailing "', '"tab\there"', '"é"']) {
      expectBodyError(() => decodeBody(`multipart/form-data; boundary=${boundary}`, valid), /boundary is not valid/);
    }
  });

  test('decodeBody: no opening delimiter', () => {
    expectBodyError(() => decodeBody(MP('b'), Buffer.from('just text')), 'Malformed multipart body: no opening boundary.');
    expectBodyError(() => decodeBody(MP('b'), Buffer.from(' --b\r\n')), /no opening boundary/);
  });

  test('decodeBody: missing closing delimiter', () => {
    const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n');
    expectBodyError(() => decodeBody(MP('b'), body), 'Malformed multipart body: no closing boundary.');
    expectBodyError(() => decodeBody(MP('b'), Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b\r\n')));
  });

  test('decodeBody: a part without the blank line after its headers', () => {
    const body = Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n1\r\n--b--\r\n');
    expectBodyError(() => decodeBody(MP('b'), body), 'Malformed multipart body: part 1 has no blank line after its headers.');
  });

  test('decodeBody: a part without a name', () => {
    for (const disposition of ['form-data', 'form-data; filename="x"', 'form-data; name=""', 'form-data; name', 'form-data; NAME*=bogus']) {
      const body = multipart('b', [field('ok', '1'), { headers: [`Content-Disposition: ${disposition}`], data: 'v' }]);
      expectBodyError(() => decodeBody(MP('b'), body), 'Malformed multipart body: part 2 has no name.');
    }
  });

  test('decodeBody: a part without Content-Disposition: form-data', () => {
    for (const headers of [['Content-Type: text/plain'], ['Content-Disposition: attachment; name="a"'], []]) {
      const body = multipart('b', [{ headers, data: 'v' }]);
      expectBodyError(() => decodeBody(MP('b'), body), /part 1 has no Content-Disposition: form-data header/);
    }
  });

  test('decodeBody: garbage header lines', () => {
    for (const line of ['garbage', ': no name', 'Bad Name: x', 'Bad\u0001: x', '"quoted": x', '\t starts folded']) {
      const headers = line.startsWith('\t') ? [line, 'Content-Disposition: form-data; name="a"'] : ['Content-Disposition: form-data; name="a"', line];
      const body = multipart('b', [{ headers, data: 'v' }]);
      expectBodyError(() => decodeBody(MP('b'), body), 'Malformed multipart body: part 1 has a malformed header line.');
    }
  });

  test('decodeBody: error messages do not echo field content', () => {
    const secret = 'sup3r-s3cret-token';
    const body = Buffer.from(`--b\r\nContent-Disposition: form-data; name="password"\r\n${secret}\r\n--b--`);
    const error = expectBodyError(() => decodeBody(MP('b'), body));
    assert.equal(error.message.includes(secret), false);
  });

  test(`decodeBody: ${MAX_PARAMS} parts are fine, one more is "too many parameters"`, () => {
    const parts = Array.from({ length: MAX_PARAMS }, (_, i) => field(`k${i}`, String(i)));
    assert.equal(decodeBody(MP('b'), multipart('b', parts)).params.entries().length, MAX_PARAMS);
    expectBodyError(() => decodeBody(MP('b'), multipart('b', [...parts, field('more', 'x')])), /too many parameters/i);
    // Empty parts count too: they cost work all the same.
    expectBodyError(() => decodeBody(MP('b'), Buffer.from(`${'--b\r\n'.repeat(MAX_PARAMS + 1)}--b--`)), /too many parameters/i);
  });
});

// --- decodeBody: robustness --------------------------------------------------------------------

describe('decodeBody: robustness', () => {
  test('decodeBody: every prefix of the maas CLI body parses or throws BodyError', () => {
    const { contentType, body } = maascliFixture();
    const full = decodeBody(contentType, body);
    const closeEnd = body.lastIndexOf('==--') + 4; // just after the close-delimiter
    for (let length = 0; length <= body.length; length++) {
      const outcome = decodeOrBodyError(contentType, body.subarray(0, length));
      if (length === 0) assert.notEqual(outcome, 'error');
      else if (length < closeEnd) assert.equal(outcome, 'error', `prefix of ${length} bytes`);
      else {
        assert.ok(outcome !== 'error', `prefix of ${length} bytes`);
        assert.equal(outcome.kind, 'multipart');
        // Params keeps its pairs in private fields, which deepEqual does not see: compare entries.
        assert.deepEqual(outcome.params.entries(), full.params.entries());
        assert.deepEqual(outcome.files, full.files);
      }
    }
  });

  test('decodeBody: every prefix of a bare-LF body with a binary file parses or throws BodyError', () => {
    const body = multipart('xyz', [field('a', '1'), { headers: ['Content-Disposition: form-data; name=f; filename=x'], data: Buffer.from([0, 10, 13, 45, 45]) }], '\n');
    for (let length = 0; length <= body.length; length++) decodeOrBodyError(MP('xyz'), body.subarray(0, length));
  });

  test('decodeBody: random bytes only ever parse or throw BodyError', () => {
    const random = prng(20240601);
    for (let n = 0; n < 2000; n++) {
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      decodeOrBodyError(MP('b'), body);
      decodeOrBodyError('application/x-www-form-urlencoded', body);
    }
  });

  test('decodeBody: random mutations of a valid body only ever parse or throw BodyError', () => {
    const random = prng(42);
    const { contentType, body } = maascliFixture();
    const browser = multipart('b', [
      field('a', '1'),
      field('q', 'caf=C3=A9=\r\n', ['Content-Transfer-Encoding: quoted-printable']),
      { headers: ['Content-Disposition: form-data; name="f"; filename="x"; filename*=utf-8\'\'%C3%A9'], data: 'x' },
    ]);
    const tokens = ['\r\n', '\n', '\r\n\r\n', '--', '-', '"', ';', ':', '=', '\\', ' ', '\t', 'name=', 'filename*=', '%', '\0'];
    const targets: Array<[string, Buffer]> = [
      [contentType, body],
      [MP('b'), browser],
    ];
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      const [type, original] = targets[n % targets.length]!;
      let mutated = Buffer.from(original);
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (mutated.length + 1));
        const choice = random();
        if (choice < 0.3) {
          if (at < mutated.length) mutated[at] = Math.floor(random() * 256);
        } else if (choice < 0.6) {
          const token = tokens[Math.floor(random() * tokens.length)]!;
          mutated = Buffer.concat([mutated.subarray(0, at), Buffer.from(token), mutated.subarray(at)]);
        } else if (choice < 0.8) {
          mutated = Buffer.concat([mutated.subarray(0, at), mutated.subarray(Math.min(mutated.length, at + 1 + Math.floor(random() * 20)))]);
        } else {
          mutated = mutated.subarray(0, at);
        }
      }
      const outcome = decodeOrBodyError(type, mutated);
      if (outcome === 'error') continue;
      parsed++;
      for (const [name, value] of outcome.params.entries()) {
        assert.equal(typeof name, 'string');
        assert.equal(typeof value, 'string');
      }
      for (const file of outcome.files) assert.ok(Buffer.isBuffer(file.data));
    }
    // Mutations in data bytes leave many bodies valid; make sure both outcomes were exercised.
    assert.ok(parsed > 100 && parsed < 2900, `parsed ${parsed}`);
  });

  test('decodeBody: bodies assembled from random multipart tokens only ever parse or throw BodyError', () => {
    const random = prng(1234);
    const tokens = [
      '--b', '--b--', '\r\n', '\n', '\r', ' ', 'Content-Disposition: form-data; name="a"', 'Content-Disposition:',
      'form-data', '; name=', '; filename=', '"', 'x', 'Content-Transfer-Encoding: base64', 'Content-Transfer-Encoding: quoted-printable',
      'Content-Type: text/plain; charset=', 'latin1', 'aGk=', '=', '=C3', '\t', ':', '\\', "filename*=utf-8''%C3%A9",
    ];
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const count = Math.floor(random() * 30);
      for (let i = 0; i < count; i++) text += tokens[Math.floor(random() * tokens.length)];
      const outcome = decodeOrBodyError(MP('b'), Buffer.from(text));
      if (outcome !== 'error') parsed++;
    }
    assert.ok(parsed > 0, 'some token bodies parse');
  });

  test('decodeBody: huge values and files stay linear', { timeout: 20_000 }, () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    const wrapped = big
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    const body = multipart('b', [
      field('v', 'y'.repeat(4 * 1024 * 1024)),
      { headers: ['Content-Disposition: form-data; name="raw"; filename="raw.bin"'], data: big },
      { headers: ['Content-Disposition: form-data; name="enc"; filename="enc.bin"', 'Content-Transfer-Encoding: base64'], data: wrapped },
    ]);
    const decoded = decodeBody(MP('b'), body);
    assert.equal(decoded.params.get('v')!.length, 4 * 1024 * 1024);
    assert.ok(decoded.files[0]!.data.equals(big));
    assert.ok(decoded.files[1]!.data.equals(big));
  });

  test('decodeBody: adversarial multipart bodies finish quickly', { timeout: 20_000 }, () => {
    const n = 200_000;
    // Many lines that look like delimiters but are not.
    const falseDelimiters = Buffer.from(`--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n${'\r\n--bX'.repeat(n)}\r\n--b--`);
    assert.equal(decodeBody(MP('b'), falseDelimiters).params.get('a')!.length, n * 6);
    // A huge part with no blank line after its headers.
    expectBodyError(() => decodeBody(MP('b'), Buffer.from(`--b\r\n${'x'.repeat(4 * 1024 * 1024)}\r\n--b--`)), /no blank line/);
    // A huge header block of folded lines.
    const folded = Buffer.from(`--b\r\nContent-Disposition: form-data; name="a"${'\r\n ;x=y'.repeat(n)}\r\n\r\nv\r\n--b--`);
    assert.equal(decodeBody(MP('b'), folded).params.get('a'), 'v');
    // A huge quoted parameter value and a huge run of parameters.
    const quoted = Buffer.from(`--b\r\nContent-Disposition: form-data; name="${'q'.repeat(1_000_000)}"\r\n\r\nv\r\n--b--`);
    assert.equal(decodeBody(MP('b'), quoted).params.names()[0]!.length, 1_000_000);
    // A huge preamble of line breaks, then no delimiter at all.
    expectBodyError(() => decodeBody(MP('b'), Buffer.from('\n'.repeat(4 * 1024 * 1024))), /no opening boundary/);
    // A long boundary (the maximum) against a body of near-misses.
    const boundary = 'a'.repeat(200);
    const nearMiss = Buffer.from(`\n--${'a'.repeat(199)}`.repeat(10_000));
    expectBodyError(() => decodeBody(MP(boundary), nearMiss), /no opening boundary/);
  });
});

test('decodeBody: a JSON body is ignored, a malformed one is refused', () => {
  assert.equal(decodeBody('application/json', Buffer.from('{"name": "x"}')).params.entries().length, 0);
  assert.throws(() => decodeBody('application/json; charset=utf-8', Buffer.from('{"a":')), {
    code: 'ERR_API_BODY_MALFORMED',
    message: 'Malformed JSON body. MAAS reads parameters from form or multipart bodies, not JSON.',
  });
});
