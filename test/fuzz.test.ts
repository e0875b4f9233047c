// Seeded property tests: whatever a client (or anything else) sends, maaskit answers with a
// status below 500 and keeps serving (DESIGN D2: malformed auth gives 400/401, never 500).
//
// The in-process part mutates the real client headers of spec/clients.md §0 — signed for the
// admin's real key, and also in the shapes captured with fake credentials — together with
// query strings, urlencoded/multipart/JSON bodies, content types, methods, paths and ops.
// The real-HTTP part sends, byte for byte, what only a raw socket can: duplicated
// Authorization headers, non-UTF-8 header bytes, 60 KB header lines, malformed request lines.
//
// Reproduce a run with MAASKIT_FUZZ_SEED=<n> (and MAASKIT_FUZZ_CASES=<n> for more cases);
// every case draws from its own PRNG stream, so MAASKIT_FUZZ_ONLY=<index> replays one case.
import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import type { ApiKeyParts } from '../src/model/index.ts';
import { type SignatureMethod, signRequest } from '../src/oauth/index.ts';
import { createLogger } from '../src/server/logging.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { buildRequest, headerOf, type RawResult, rawRequest } from './helpers/raw-http.ts';
import { type RunningServer, startServe } from './helpers/serve.ts';
import { prng } from './helpers/prng.ts';

const SEED = Number(process.env['MAASKIT_FUZZ_SEED'] ?? 20_260_504);
const CASES = Number(process.env['MAASKIT_FUZZ_CASES'] ?? 5000);
const ONLY = process.env['MAASKIT_FUZZ_ONLY'];
const API = '/MAAS/api/2.0/';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

class Rng {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = prng(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** Picks by weight: `[[weight, value], …]`. */
  weighted<T>(items: ReadonlyArray<readonly [number, T]>): T {
    const total = items.reduce((sum, [w]) => sum + w, 0);
    let roll = this.#next() * total;
    for (const [w, value] of items) {
      roll -= w;
      if (roll < 0) return value;
    }
    return items[items.length - 1]![1];
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** `n` characters drawn from `alphabet`. */
  text(n: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

/** One independent stream per case, so that a single case can be replayed on its own. */
function caseRng(index: number): Rng {
  return new Rng(Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

// ---------------------------------------------------------------------------------------------
// Seeds: the headers real clients send (spec/clients.md §0)

/** {CK} {TK} {TS} {N} {T} are the key parts, the nonce and the timestamp. */
const CLIENT_HEADERS: ReadonlyArray<readonly [client: string, template: string]> = [
  [
    'python-libmaas',
    'OAuth realm="OAuth", oauth_nonce="{N}", oauth_timestamp="{T}", oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="{CK}", oauth_token="{TK}", oauth_signature="%26{TS}"',
  ],
  [
    'maas CLI',
    'OAuth oauth_nonce="{N}", oauth_timestamp="{T}", oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="{CK}", oauth_token="{TK}", oauth_signature="%26{TS}"',
  ],
  [
    'gomaasapi',
    'OAuth realm="MAAS+API", oauth_consumer_key="{CK}", oauth_token="{TK}", oauth_signature="%26{TS}", oauth_timestamp="{T}", oauth_nonce="{N}", oauth_signature_method="PLAINTEXT", oauth_version="1.0"',
  ],
  [
    'ruby oauth',
    'OAuth oauth_consumer_key="{CK}", oauth_nonce="{N}", oauth_signature="%26{TS}", oauth_signature_method="PLAINTEXT", oauth_timestamp="{T}", oauth_token="{TK}", oauth_version="1.0"',
  ],
  [
    'ruby oauth with realm',
    'OAuth realm="MAAS API", oauth_consumer_key="{CK}", oauth_nonce="{N}", oauth_signature="%26{TS}", oauth_signature_method="PLAINTEXT", oauth_timestamp="{T}", oauth_token="{TK}", oauth_version="1.0"',
  ],
  [
    'npm oauth-1.0a',
    'OAuth oauth_consumer_key="{CK}", oauth_nonce="{N}", oauth_signature="%26{TS}", oauth_signature_method="PLAINTEXT", oauth_timestamp="{T}", oauth_token="{TK}", oauth_version="1.0"',
  ],
  [
    'npm oauth',
    'OAuth oauth_consumer_key="{CK}",oauth_nonce="{N}",oauth_signature_method="PLAINTEXT",oauth_timestamp="{T}",oauth_token="{TK}",oauth_version="1.0",oauth_signature="%26{TS}"',
  ],
  [
    'npm node-oauth1',
    'OAuth realm="MAAS%20API",oauth_consumer_key="{CK}",oauth_token="{TK}",oauth_signature_method="PLAINTEXT",oauth_version="1.0",oauth_timestamp="{T}",oauth_nonce="{N}",oauth_signature="%26{TS}"',
  ],
  [
    'MAAS docs curl',
    'OAuth oauth_version=1.0, oauth_signature_method=PLAINTEXT, oauth_consumer_key={CK}, oauth_token={TK}, oauth_signature=&{TS}, oauth_nonce={N}, oauth_timestamp={T}',
  ],
];

/** The fake credentials and values the captures of spec/clients.md §0 were made with. */
const CAPTURED = { CK: 'CK', TK: 'TK', TS: 'TS', N: '4118550908234721641796364918', T: '1796364918' };

function fill(template: string, values: Record<'CK' | 'TK' | 'TS' | 'N' | 'T', string>): string {
  return template.replace(/\{(CK|TK|TS|N|T)\}/g, (_m, name: 'CK' | 'TK' | 'TS' | 'N' | 'T') => values[name]);
}

// ---------------------------------------------------------------------------------------------
// Mutation

// Fragments that parsers trip over: quoting, separators, percent-encoding edge cases, invalid
// UTF-8 (as latin1 chars: one char per byte, as node hands header bytes over), line breaks.
const TOKENS = [
  '"', '""', ',', ',,', ', ', '=', '==', '\\', '\\"', '"="', '","', ' ', '\t', '\r\n', '\n', '\r', '\x00',
  '%', '%2', '%zz', '%G1', '%%', '%00', '%FF', '%FF%FE', '%E2%82', '%C3%28', '%26', '&', '+', ';',
  '\xff', '\xfe\xff', '\xc3\x28', '\xe2\x82', '\xf0\x9f\x98', '\x80', '\xed\xa0\x80',
  'realm="x"', 'realm', 'OAuth ', 'oauth_', 'oauth_nonce="realm"', 'oauth_token=', 'oauth_signature="&"',
  'oauth_timestamp="-1"', 'oauth_timestamp="1e3"', 'oauth_timestamp="99999999999999999999"',
  'oauth_version="2.0"', 'oauth_signature_method="RSA-SHA1"', 'oauth_signature_method="HMAC-SHA1"',
  ':', 'CK:TK:TS', '__proto__', 'constructor', '\u00e9',
];

// Values worth trying per OAuth parameter: numeric edges for the timestamp (JavaScript's Date
// ends at ±8.64e15 ms; oauth_timestamp parsing takes up to 15 digits), the PLAINTEXT forms
// of spec/clients.md §0, nonce lengths around MAX_NONCE_LENGTH, and generic troublemakers.
const ANY_VALUES = ['', ' ', '"', '\\', '%', '%2', '\xff\xfe', 'realm', 'CK:TK:TS'];
const VALUES: Record<string, readonly string[]> = {
  oauth_timestamp: [
    '0', '-1', '+1800000000', ' 1800000000 ', '1800000000.5', '1e9', '0x6b49d200', 'NaN', 'Infinity',
    '999999999999999', '-999999999999999', '8640000000001', '-8640000000001', '1800000301', '1799999699',
  ],
  oauth_signature: ['&', '%26', '%26%26', '&&', '&%', 'x&', '%2526'],
  oauth_signature_method: ['PLAINTEXT', 'plaintext', 'HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'RSA-SHA1'],
  oauth_nonce: ['n'.repeat(255), 'n'.repeat(256), 'realm', 'a,b', 'nonce-1'],
  oauth_version: ['1.0', '1.1', '2.0', '1.0 '],
  oauth_consumer_key: ['CK', 'a:b'],
  oauth_token: ['TK', 'x'.repeat(25)],
  realm: ['OAuth', 'MAAS API', 'MAAS%20API', 'oauth_token="x"'],
};
const OAUTH_NAMES = Object.keys(VALUES);

type StringMutator = (rng: Rng, s: string) => string;

function at(rng: Rng, s: string): number {
  return rng.int(s.length + 1);
}

/** A 100 KB+ run: one repeated char, a huge parameter, or random latin1 bytes. */
function huge(rng: Rng): string {
  const size = 100_000 + rng.int(60_000);
  return rng.weighted([
    [2, 'A'.repeat(size)],
    [2, `, oauth_extra="${'x'.repeat(size)}"`],
    [1, `, oauth_nonce="${'n'.repeat(size)}"`],
    [1, rng.bytes(size).toString('latin1')],
    [1, '%'.repeat(size)],
    [1, ','.repeat(size)],
  ]);
}

const HEADER_MUTATORS: ReadonlyArray<readonly [number, StringMutator]> = [
  // random bytes inserted, deleted, replaced
  [4, (rng, s) => { const i = at(rng, s); return s.slice(0, i) + rng.bytes(1 + rng.int(8)).toString('latin1') + s.slice(i); }],
  [3, (rng, s) => { const i = at(rng, s); return s.slice(0, i) + s.slice(i + 1 + rng.int(24)); }],
  [3, (rng, s) => { const i = rng.int(Math.max(1, s.length)); return s.slice(0, i) + rng.bytes(1).toString('latin1') + s.slice(i + 1); }],
  // truncation
  [3, (rng, s) => s.slice(0, at(rng, s))],
  // parser-hostile fragments
  [6, (rng, s) => { const i = at(rng, s); return s.slice(0, i) + rng.pick(TOKENS) + s.slice(i); }],
  // huge values
  [1, (rng, s) => { const i = at(rng, s); return s.slice(0, i) + huge(rng) + s.slice(i); }],
  // a duplicated parameter, verbatim or with another value
  [3, (rng, s) => {
    const parts = s.split(',');
    const part = rng.pick(parts);
    const copy = rng.chance(0.5) ? part : part.replace(/=.*/, `="${rng.text(rng.int(12), 'abc&%"=,0')}"`);
    parts.splice(rng.int(parts.length + 1), 0, copy);
    return parts.join(',');
  }],
  // one parameter set to an edge value (quoted or not), replacing it or repeated after it
  [8, (rng, s) => {
    const name = rng.pick(OAUTH_NAMES);
    const value = rng.chance(0.8) ? rng.pick(VALUES[name] ?? ANY_VALUES) : rng.pick(ANY_VALUES);
    const part = rng.chance(0.8) ? `${name}="${value}"` : `${name}=${value}`;
    const existing = new RegExp(`${name}=("[^"]*"|[^,]*)`).exec(s);
    if (existing && rng.chance(0.7)) return s.slice(0, existing.index) + part + s.slice(existing.index + existing[0].length);
    return `${s}, ${part}`;
  }],
  // an empty value, or a value-less name
  [2, (rng, s) => {
    const values = [...s.matchAll(/="[^"]*"|=[^,"]+/g)];
    const hit = values.length > 0 ? rng.pick(values) : undefined;
    if (hit?.index === undefined) return s;
    const replacement = rng.pick(['=""', '=', '', '="', '= ']);
    return s.slice(0, hit.index) + replacement + s.slice(hit.index + hit[0].length);
  }],
  // parts reordered
  [1, (rng, s) => {
    const parts = s.split(',');
    for (let i = parts.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    }
    return parts.join(rng.pick([',', ', ', ' ,', ',\t']));
  }],
  // case changes (the scheme, names)
  [1, (rng, s) => {
    const i = rng.int(Math.max(1, s.length));
    const c = s.charAt(i);
    return s.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + s.slice(i + 1);
  }],
  // the whole value replaced
  [1, (rng) => rng.pick(['', ' ', 'OAuth', 'OAuth ', 'oauth', 'Basic YWRtaW46YWRtaW4tcHc=', 'Bearer x', 'OAuth ,', 'OAuth =', 'OAuth a="']) ],
];

function mutateString(rng: Rng, s: string, maxRounds: number): string {
  let out = s;
  // Mostly one mutation: a single defect in an otherwise valid header gets furthest.
  const rounds = Math.min(maxRounds, rng.weighted([[5, 1], [2, 2], [1, 3], [1, 4]]));
  for (let i = 0; i < rounds; i++) out = rng.weighted(HEADER_MUTATORS)(rng, out);
  return out;
}

/** Printable ASCII only: anything else cannot be in a request target on the wire. */
function urlSafe(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').slice(-2).toUpperCase()}`);
}

const BODY_TOKENS = [
  '\r\n', '\n', '\r\n\r\n', '--', '--\r\n', '&', '&&', '=', '==', '%', '%zz', '%FF', '+', ';', '"',
  'Content-Disposition: form-data; name="x"\r\n\r\n', 'Content-Transfer-Encoding: base64\r\n',
  '\xff\xfe', '\xc3\x28', '\x00', '====', '@@@',
];

function mutateBody(rng: Rng, body: Buffer, boundary: string | undefined): Buffer {
  let out = body;
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const i = rng.int(out.length + 1);
    const kind = rng.int(6);
    if (kind === 0) out = Buffer.concat([out.subarray(0, i), rng.bytes(1 + rng.int(16)), out.subarray(i)]);
    else if (kind === 1) out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1 + rng.int(64))]);
    else if (kind === 2) out = out.subarray(0, i);
    else if (kind === 3 && out.length > 0) {
      out = Buffer.from(out);
      out[rng.int(out.length)] = rng.int(256);
    } else if (kind === 4 && boundary !== undefined) {
      const delimiter = rng.pick([`--${boundary}`, `\r\n--${boundary}--`, `--${boundary}\r\n\r\n`, `--${boundary.slice(1)}`]);
      out = Buffer.concat([out.subarray(0, i), Buffer.from(delimiter, 'latin1'), out.subarray(i)]);
    } else {
      out = Buffer.concat([out.subarray(0, i), Buffer.from(rng.pick(BODY_TOKENS), 'latin1'), out.subarray(i)]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Request generation

const ALL_METHODS = METHODS.filter((m) => m !== 'CONNECT');
const OPS = [
  'whoami', 'list', 'is_registered', 'is_action_in_progress', 'create_authorisation_token',
  'list_authorisation_tokens', 'update_token_name', 'delete_authorisation_token', 'accept', 'release',
  '', 'WHOAMI', 'whoami ', '%00', '%zz', '\u00e9', 'op', '__proto__', 'constructor', 'toString',
];
const PATHS = [
  'users/', 'users/admin/', 'users/nobody/', 'users/%61dmin/', 'users/%zz/', 'users/a%2Fb/', 'users/op-whoami',
  'account/', 'account/op-list_authorisation_tokens', 'nodes/', 'nodes/abc123/', 'nodes/op-list', 'machines/',
  'machines/xyz/', 'machines/op-is_registered', 'version/', 'describe/', '', 'unknown/', 'users', 'users//',
  'users/admin/extra/', 'nodes/../users/', 'nodes/%2e%2e/users/', 'users/__proto__/', 'machines/constructor/',
];
/** Body and query field names the handlers read; never holding a real key part, so the
 * loop cannot delete the admin's key (delete_authorisation_token) and lock itself out. */
const FIELDS = [
  'op', 'username', 'email', 'password', 'is_superuser', 'name', 'token_key', 'token', 'mac_address',
  'transfer_resources_to', 'consumer', 'format', 'hostname', 'mac_addresses', 'x', '', 'oauth_nonce',
];

function fieldValue(rng: Rng): string {
  return rng.weighted([
    [5, rng.text(rng.int(12), 'abcdefghijklmnopqrstuvwxyz0123456789')],
    [2, ''],
    [2, rng.pick(['0', '1', 'true', 'false', 'json', 'xml', 'admin', 'nobody', '52:54:00:12:34:56', 'user@example.com'])],
    [2, rng.pick(TOKENS)],
    [1, rng.bytes(rng.int(24)).toString('latin1')],
  ]);
}

interface KeyValues {
  key: ApiKeyParts;
  nonce: string;
  timestamp: number;
}

/** OAuth parameters as a list, for the query string or a form body (spec/clients.md §0 rule 7). */
function oauthPairs(rng: Rng, k: KeyValues): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ['oauth_consumer_key', k.key.consumerKey],
    ['oauth_token', k.key.tokenKey],
    ['oauth_signature_method', 'PLAINTEXT'],
    ['oauth_signature', `&${k.key.tokenSecret}`],
    ['oauth_timestamp', String(k.timestamp)],
    ['oauth_nonce', k.nonce],
    ['oauth_version', '1.0'],
  ];
  // Drop or corrupt one now and then.
  if (rng.chance(0.3)) pairs.splice(rng.int(pairs.length), 1);
  if (rng.chance(0.3)) {
    const i = rng.int(pairs.length);
    pairs[i] = [pairs[i]![0], fieldValue(rng)];
  }
  return pairs;
}

function urlencode(pairs: Array<[string, string]>, rng: Rng): Buffer {
  const enc = (s: string) => (rng.chance(0.9) ? encodeURIComponent(s).replace(/%20/g, '+') : s);
  return Buffer.from(pairs.map(([n, v]) => `${enc(n)}=${enc(v)}`).join(rng.chance(0.95) ? '&' : '&&'), 'latin1');
}

const BOUNDARIES = [
  '===============4052748250139779211==', 'xYzZY', '----WebKitFormBoundary7MA4YWxkTrZu0gW', 'a',
  'b'.repeat(70), 'c'.repeat(200), 'd'.repeat(250), 'with space', 'trailing ', '"quoted"', '', 'semi;colon',
  'é', '--', 'x\r\ny',
];

interface Body {
  contentType: string | undefined;
  payload: Buffer | undefined;
  /** urlencoded pairs as sent before mutation, for HMAC signing. */
  formPairs?: Array<[string, string]>;
}

function multipartBody(rng: Rng, pairs: Array<[string, string]>, boundary: string): Buffer {
  const eol = rng.chance(0.9) ? '\r\n' : '\n';
  const chunks: Buffer[] = [];
  for (const [name, value] of pairs) {
    // maascli and python-libmaas base64 every part (spec/maas-resources.md §6).
    const base64 = rng.chance(0.6);
    const file = rng.chance(0.1);
    const headers = [
      rng.chance(0.5) ? 'Content-Type: application/octet-stream' : 'Content-Type: text/plain; charset="utf-8"',
      'MIME-Version: 1.0',
      ...(base64 ? [rng.pick(['Content-Transfer-Encoding: base64', 'content-transfer-encoding: BASE64'])] : []),
      ...(rng.chance(0.05) ? ['Content-Transfer-Encoding: x-uuencode'] : []),
      `Content-Disposition: form-data; name="${name}"${file ? '; filename="f.bin"' : ''}`,
    ];
    let data = Buffer.from(value, 'latin1');
    if (base64) {
      data = Buffer.from(data.toString('base64').replace(/.{76}/g, `$&${eol}`), 'latin1');
      if (rng.chance(0.1)) data = Buffer.concat([data, Buffer.from(rng.pick(['!', '====', 'A', '*', '\xff']), 'latin1')]);
    }
    chunks.push(Buffer.from(`--${boundary}${eol}${headers.join(eol)}${eol}${eol}`, 'latin1'), data, Buffer.from(eol));
  }
  chunks.push(Buffer.from(`--${boundary}--${eol}`, 'latin1'));
  return Buffer.concat(chunks);
}

const MAASCLI_VECTOR = (() => {
  // test/vectors/multipart-maascli.txt: a Content-Type line, MIME-Version, a blank line, the body.
  const raw = readFileSync(join(import.meta.dirname, 'vectors', 'multipart-maascli.txt'));
  const split = raw.indexOf('\r\n\r\n');
  const contentType = /^Content-Type: (.*)$/m.exec(raw.subarray(0, split).toString('latin1'))?.[1]?.trim();
  return { contentType, payload: raw.subarray(split + 4) };
})();

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=latin1', 'application/x-www-form-urlencoded; charset=utf-16le',
  'application/x-www-form-urlencoded; charset=bogus', 'multipart/form-data', 'multipart/form-data; boundary=',
  'multipart/form-data; boundary="', 'multipart/mixed; boundary=xYzZY', 'application/json', 'text/plain',
  'application/octet-stream', '', ';', ';;;', 'x/y; a=b; a=c', 'MULTIPART/FORM-DATA; BOUNDARY=xYzZY',
  'multipart/form-data; boundary*=utf-8\'\'xYzZY', '\xff\xfe', 'application/x-www-form-urlencoded\x00',
];

function makeBody(rng: Rng, method: string, k: KeyValues): Body {
  const none: Body = { contentType: undefined, payload: undefined };
  if ((method === 'GET' || method === 'HEAD') && rng.chance(0.85)) return none;
  const pairs: Array<[string, string]> = [];
  const count = rng.weighted([[3, 1 + rng.int(4)], [1, 0], [1, 5 + rng.int(20)], [0.05, 1001]]);
  for (let i = 0; i < count; i++) pairs.push([rng.pick(FIELDS), fieldValue(rng)]);
  if (rng.chance(0.08)) pairs.push(...oauthPairs(rng, k));
  // Now and then a realistic, complete form for users/ or account/.
  if (rng.chance(0.05)) {
    pairs.push(['username', `fz${rng.int(1e6)}`], ['email', 'fz@example.com'], ['password', 'pw'], ['is_superuser', rng.pick(['0', '1', 'x'])]);
  }
  if (rng.chance(0.05)) pairs.push(['name', rng.text(100_000 + rng.int(10_000), 'ab%=&')]);

  const big = rng.chance(0.01); // 1 MB bodies, a few per run
  const kind = rng.weighted([
    [5, 'urlencoded'],
    [5, 'multipart'],
    [1, 'maascli'],
    [1, 'json'],
    [1, 'random'],
    [1, 'empty'],
  ] as const);
  let body: Body;
  let boundary: string | undefined;
  switch (kind) {
    case 'urlencoded': {
      if (big) pairs.push(['user_data', 'A'.repeat(1_048_576)]);
      body = { contentType: 'application/x-www-form-urlencoded', payload: urlencode(pairs, rng), formPairs: pairs };
      break;
    }
    case 'multipart': {
      boundary = rng.pick(BOUNDARIES);
      if (big) pairs.push(['user_data', rng.bytes(786_432).toString('latin1')]);
      const declared = rng.weighted([[8, boundary], [1, 'other'], [1, `"${boundary}"`]]);
      body = { contentType: `multipart/form-data; boundary=${declared}`, payload: multipartBody(rng, pairs, boundary) };
      break;
    }
    case 'maascli':
      boundary = '===============4052748250139779211==';
      body = { contentType: MAASCLI_VECTOR.contentType, payload: MAASCLI_VECTOR.payload };
      break;
    case 'json': {
      const json = JSON.stringify(Object.fromEntries(pairs));
      body = { contentType: rng.pick(['application/json', 'application/json; charset=utf-8']), payload: Buffer.from(big ? json.padEnd(1_048_576, ' ') : json) };
      break;
    }
    case 'random':
      body = { contentType: rng.pick(CONTENT_TYPES), payload: rng.bytes(big ? 1_048_576 : rng.int(512)) };
      break;
    case 'empty':
      body = { contentType: rng.pick(CONTENT_TYPES), payload: Buffer.alloc(0) };
      break;
  }
  if (body.payload !== undefined && rng.chance(0.35)) {
    // Truncation, bad framing, stray bytes; the signed form pairs no longer match: that's fine.
    body = { contentType: body.contentType, payload: mutateBody(rng, body.payload, boundary) };
  }
  if (rng.chance(0.1)) body = { ...body, contentType: rng.pick(CONTENT_TYPES) };
  if (body.contentType !== undefined && rng.chance(0.1)) body = { ...body, contentType: mutateString(rng, body.contentType, 2) };
  return body;
}

function makeTarget(rng: Rng, k: KeyValues): string {
  let path = rng.weighted([
    [10, rng.pick(PATHS)],
    [1, `${rng.pick(PATHS)}${rng.text(1 + rng.int(10), 'abc/%.-_~0')}/`],
    [1, urlSafe(mutateString(rng, rng.pick(PATHS), 2))],
  ]);
  const query: string[] = [];
  if (rng.chance(0.7)) query.push(`op=${encodeURIComponent(rng.pick(OPS))}`);
  if (rng.chance(0.1)) query.push(`op=${encodeURIComponent(rng.pick(OPS))}`);
  if (rng.chance(0.1)) query.push(`mac_address=${encodeURIComponent(fieldValue(rng))}`);
  if (rng.chance(0.05)) query.push(`format=${rng.pick(['json', 'xml', ''])}`);
  if (rng.chance(0.08)) query.push(urlencode(oauthPairs(rng, k), rng).toString('latin1'));
  if (rng.chance(0.1)) query.push(urlSafe(mutateString(rng, `${rng.pick(FIELDS)}=${fieldValue(rng)}`, 2)));
  if (rng.chance(0.02)) query.push(`x=${'q'.repeat(100_000)}`);
  if (rng.chance(0.05)) path = `${path}${rng.pick(['?', '#frag', '?#', ';x=y'])}`;
  const q = query.join(rng.chance(0.95) ? '&' : '&&');
  return `${API}${path}${q === '' ? '' : `${path.includes('?') ? '&' : '?'}${q}`}`;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: Buffer | undefined;
  /** Which seed header the Authorization came from, for the failure report. */
  origin: string;
}

interface Fixture {
  t: TestApp;
  session: { cookie: string; csrf: string };
}

function makeRequest(rng: Rng, index: number, fx: Fixture): FuzzRequest {
  const { t } = fx;
  const k: KeyValues = { key: t.adminKey, nonce: `fz-${SEED}-${index}`, timestamp: t.clock.nowSeconds() };
  const method = rng.weighted([[30, 'GET'], [30, 'POST'], [8, 'PUT'], [8, 'DELETE'], [3, 'HEAD'], [3, 'OPTIONS'], [3, 'PATCH'], [2, rng.pick(ALL_METHODS)]]);
  // Mostly the API; now and then the session endpoints, which decode form bodies too.
  const url = rng.chance(0.96)
    ? makeTarget(rng, k)
    : rng.pick(['/MAAS/accounts/login/', '/MAAS/accounts/logout/', '/MAAS/accounts/authenticate/', '/MAAS/account/csrf/', '/MAAS/', '/MAAS/api/version/', '/MAAS/api/1.0/nodes/']);
  const body = makeBody(rng, method, k);

  const headers: Record<string, string> = {};
  let origin = 'none';
  const source = rng.weighted([[10, 'none'], [40, 'client'], [30, 'signed'], [12, 'captured'], [8, 'garbage']] as const);
  let authorization: string | undefined;
  if (source === 'client' || source === 'captured') {
    const [client, template] = rng.pick(CLIENT_HEADERS);
    origin = `${source}:${client}`;
    const values =
      source === 'client'
        ? { CK: k.key.consumerKey, TK: k.key.tokenKey, TS: k.key.tokenSecret, N: k.nonce, T: String(k.timestamp) }
        : CAPTURED;
    authorization = fill(template, values);
  } else if (source === 'signed') {
    const signatureMethod = rng.weighted([[2, 'PLAINTEXT'], [1, 'HMAC-SHA1'], [1, 'HMAC-SHA256']] as const) satisfies SignatureMethod;
    origin = `signed:${signatureMethod}`;
    authorization = t.sign(method, url, {
      signatureMethod,
      nonce: k.nonce,
      ...(body.formPairs && body.contentType === 'application/x-www-form-urlencoded' ? { formParams: body.formPairs } : {}),
    });
  } else if (source === 'garbage') {
    origin = 'garbage';
    authorization = rng.bytes(rng.int(64)).toString('latin1');
  }
  if (authorization !== undefined) {
    // A third stay intact, so that valid requests reach the handlers with odd bodies.
    headers['authorization'] = rng.chance(0.35) ? authorization : mutateString(rng, authorization, 4);
  }
  if (body.contentType !== undefined) headers['content-type'] = body.contentType;
  // The Host names the origin of the HMAC base string (DESIGN D4).
  if (rng.chance(0.08)) {
    const hostSeed = rng.pick(['localhost:80', 'localhost', 'example.com:5240', '[::1]:5240', 'a b', 'x:99999', '[', 'h:p']);
    headers['host'] = rng.chance(0.5) ? hostSeed : mutateString(rng, hostSeed, 2);
  }
  // Forwarded hosts feed the HMAC hint's alternative origins (src/server/context.ts).
  if (rng.chance(0.06)) headers['x-forwarded-host'] = mutateString(rng, 'maas.example.com', 3);
  if (rng.chance(0.06)) {
    const real = rng.chance(0.5);
    headers['cookie'] = mutateString(rng, real ? fx.session.cookie : `sessionid=${rng.text(20, 'abc%"; =')}`, real ? 1 : 3);
    if (rng.chance(0.7)) headers['x-csrftoken'] = rng.chance(0.6) ? fx.session.csrf : mutateString(rng, fx.session.csrf, 2);
  }
  if (rng.chance(0.03)) headers[rng.pick(['accept', 'user-agent', 'x-maas-api-hash', 'vary', 'expect'])] = mutateString(rng, 'x', 3);
  return { method, url, headers, payload: body.payload, origin };
}

// ---------------------------------------------------------------------------------------------
// The properties

/** Captures what the app logs as an unexpected error, to explain each 5xx. */
function errorLog(): { stream: DestinationStream; take(): string | undefined } {
  const lines: string[] = [];
  const stream: DestinationStream = {
    write(line: string) {
      lines.push(line);
    },
  };
  return {
    stream,
    take() {
      const line = lines.splice(0).at(-1);
      if (line === undefined) return undefined;
      const parsed = JSON.parse(line) as { err?: { type?: string; message?: string; stack?: string } };
      // The first frame in maaskit's own code names the bug better than node's internals.
      const frames = [...(parsed.err?.stack ?? '').matchAll(/\n\s+at (.*)/g)].map((m) => m[1] ?? '');
      const own = frames.filter((f) => f.includes('/src/'));
      const frame = (own.length > 0 ? own.slice(0, 3) : frames.slice(0, 1)).join(' < ');
      return `${parsed.err?.type}: ${parsed.err?.message} at ${frame}`;
    },
  };
}

/** A JS string literal where every char outside printable ASCII is a \\xNN (or \\uNNNN) escape. */
function literal(s: string): string {
  const escaped = s.replace(/[^\x20-\x7e]|["\\]/g, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** The key's parts as the {CK} {TK} {TS} placeholders of the templates (STYLE 12: no secret in output). */
function masked(s: string, key: ApiKeyParts): string {
  return s.replaceAll(key.tokenSecret, '{TS}').replaceAll(key.consumerKey, '{CK}').replaceAll(key.tokenKey, '{TK}');
}

function describeRequest(r: FuzzRequest, key: ApiKeyParts): string {
  const clip = (s: string, n = 160) => {
    const m = masked(s, key);
    return literal(m.length > n ? `${m.slice(0, n)}…(${m.length} chars)` : m);
  };
  const headers = Object.entries(r.headers).map(([n, v]) => `${n}: ${clip(v)}`);
  const body = r.payload === undefined ? 'none' : clip(r.payload.toString('latin1'), 200);
  return `${r.method} ${clip(r.url)} [${r.origin}]\n      ${headers.join('\n      ')}\n      body: ${body}`;
}

describe('fuzz: in-process app', () => {
  let fx: Fixture;
  const log = errorLog();

  before(async () => {
    const t = await createTestApp({ logger: createLogger('error', log.stream) });
    // One real session, so that mutated cookies sometimes carry a live session id.
    const login = await t.app.inject({
      method: 'POST',
      url: '/MAAS/accounts/login/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=admin&password=admin-pw',
    });
    assert.equal(login.statusCode, 204);
    const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    const csrf = /csrftoken=([^;]*)/.exec(cookie)?.[1] ?? '';
    fx = { t, session: { cookie, csrf } };
  });
  after(() => fx.t.close());

  test('fuzz: every real client header is accepted before mutation', async () => {
    // The seeds must be valid, or the mutations below would explore only the refusal paths.
    for (const [client, template] of CLIENT_HEADERS) {
      const key = fx.t.adminKey;
      const authorization = fill(template, {
        CK: key.consumerKey,
        TK: key.tokenKey,
        TS: key.tokenSecret,
        N: `seed-${client.replace(/\W/g, '')}`,
        T: String(fx.t.clock.nowSeconds()),
      });
      const r = await fx.t.app.inject({ method: 'GET', url: `${API}users/?op=whoami`, headers: { authorization } });
      assert.equal(r.statusCode, 200, `${client}: ${r.body}`);
    }
  });

  test(`fuzz: mutated real headers and bodies never yield a 5xx (seed ${SEED}, ${CASES} cases)`, async (t) => {
    const failures = new Map<string, { count: number; example: string }>();
    const statuses = new Map<number, number>();
    const indexes = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [Number(ONLY)];
    const started = Date.now();
    for (const index of indexes) {
      const request = makeRequest(caseRng(index), index, fx);
      if (ONLY !== undefined) {
        // Replaying one case: print it whole, to turn it into a minimal reproduction.
        const show = (text: string) => literal(masked(text, fx.t.adminKey));
        const headers = Object.entries(request.headers).map(([n, v]) => `${n}: ${show(v)}`);
        const payload = request.payload === undefined ? 'none' : show(request.payload.toString('latin1'));
        t.diagnostic(`case ${index}: ${request.method} ${show(request.url)}`);
        for (const line of [...headers, `body: ${payload}`]) t.diagnostic(`  ${line}`);
      }
      let status: number;
      let detail: string;
      try {
        const r = await fx.t.app.inject({
          method: request.method as 'GET',
          url: request.url,
          headers: request.headers,
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        });
        status = r.statusCode;
        detail = `${status} ${literal(masked(r.body.slice(0, 120), fx.t.adminKey))}`;
      } catch (error) {
        status = -1;
        detail = `inject threw ${(error as Error).stack?.split('\n').slice(0, 2).join(' ')}`;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status < 0) {
        // Group by the logged cause, so that one bug shows up once with its count.
        const cause = log.take() ?? detail;
        const seen = failures.get(cause);
        if (seen) seen.count++;
        else failures.set(cause, { count: 1, example: `case ${index}: ${detail}\n      ${describeRequest(request, fx.t.adminKey)}` });
      }
    }
    const ms = Date.now() - started;
    const histogram = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    t.diagnostic(`${indexes.length} cases in ${ms} ms; statuses ${histogram}`);

    const report = [...failures].map(([cause, { count, example }]) => `  ${count}× ${cause}\n    ${example}`);
    assert.equal(failures.size, 0, `5xx or crash (seed ${SEED}):\n${report.join('\n')}`);

    // The server still works: a correctly signed whoami is answered.
    const path = `${API}users/?op=whoami`;
    // An explicit nonce: the helper's own counter ("nonce-1"…) is among the values tried above.
    const authorization = fx.t.sign('GET', path, { nonce: `fuzz-final-${SEED}` });
    const r = await fx.t.app.inject({ method: 'GET', url: path, headers: { authorization } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(JSON.parse(r.body).username, 'admin');
  });

  test('fuzz: malformed form bodies are answered 400', async () => {
    const path = `${API}account/?op=create_authorisation_token`;
    const field = (name: string, value: string, extra = '') =>
      `--B\r\nContent-Disposition: form-data; name="${name}"\r\n${extra}\r\n${value}\r\n`;
    const bodies: Array<[label: string, contentType: string, body: Buffer | string]> = [
      ['truncated multipart', 'multipart/form-data; boundary=B', field('name', 'x').slice(0, -2)],
      ['no close delimiter', 'multipart/form-data; boundary=B', field('name', 'x')],
      ['no boundary parameter', 'multipart/form-data', field('name', 'x')],
      ['empty boundary', 'multipart/form-data; boundary=""', field('name', 'x')],
      ['boundary ending in a space', 'multipart/form-data; boundary="B "', field('name', 'x')],
      ['boundary of 201 chars', `multipart/form-data; boundary=${'b'.repeat(201)}`, `--${'b'.repeat(201)}--\r\n`],
      ['boundary mismatch', 'multipart/form-data; boundary=C', `${field('name', 'x')}--B--\r\n`],
      ['invalid base64 part', 'multipart/form-data; boundary=B', `${field('name', 'eA=!', 'Content-Transfer-Encoding: base64\r\n')}--B--\r\n`],
      ['base64 with 5 data chars', 'multipart/form-data; boundary=B', `${field('name', 'eHl6e', 'Content-Transfer-Encoding: base64\r\n')}--B--\r\n`],
      ['unknown transfer encoding', 'multipart/form-data; boundary=B', `${field('name', 'x', 'Content-Transfer-Encoding: x-gzip\r\n')}--B--\r\n`],
      ['part without a blank line', 'multipart/form-data; boundary=B', '--B\r\nContent-Disposition: form-data; name="a"\r\n--B--\r\n'],
      ['part without a name', 'multipart/form-data; boundary=B', '--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n'],
      ['part without Content-Disposition', 'multipart/form-data; boundary=B', '--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n'],
      ['malformed part header', 'multipart/form-data; boundary=B', '--B\r\nno colon here\r\n\r\nx\r\n--B--\r\n'],
      ['1001 parts', 'multipart/form-data; boundary=B', `${field('n', 'v').repeat(1001)}--B--\r\n`],
      ['1001 urlencoded pairs', 'application/x-www-form-urlencoded', 'a=1&'.repeat(1001)],
    ];
    for (const [label, contentType, payload] of bodies) {
      // Signed and unsigned alike: the body is decoded before anyone is authenticated.
      for (const authorization of [fx.t.sign('POST', path), undefined]) {
        const r = await fx.t.app.inject({
          method: 'POST',
          url: path,
          headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
          payload,
        });
        assert.equal(r.statusCode, 400, `${label}: ${r.statusCode} ${r.body}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Over real HTTP

describe('fuzz: raw HTTP', () => {
  let server: RunningServer;
  let port: number;
  let key: ApiKeyParts;
  let nonce = 0;

  before(async () => {
    server = await startServe();
    port = Number(new URL(server.origin).port);
    const [consumerKey = '', tokenKey = '', tokenSecret = ''] = server.apiKey.split(':');
    key = { consumerKey, tokenKey, tokenSecret };
  });
  after(() => server.stop());

  const WHOAMI = `${API}users/?op=whoami`;
  const sign = (path = WHOAMI, signatureMethod: SignatureMethod = 'PLAINTEXT') =>
    signRequest({
      method: 'GET',
      url: `${server.origin}${path}`,
      consumerKey: key.consumerKey,
      tokenKey: key.tokenKey,
      tokenSecret: key.tokenSecret,
      signatureMethod,
      timestamp: Math.floor(Date.now() / 1000),
      nonce: `raw-${++nonce}`,
    });
  const host = () => `127.0.0.1:${port}`;

  async function stillAnswers(after: string): Promise<void> {
    assert.equal(server.process.exitCode, null, `the server exited after ${after}:\n${server.output()}`);
    const r = await rawRequest(port, buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', sign()]] }));
    assert.equal(r.response?.status, 200, `a signed whoami after ${after}: ${r.received.toString('latin1').slice(0, 300)}`);
  }

  /** Why the exchange breaks the property, or undefined when it holds. */
  function problem(label: string, r: RawResult, allowed: readonly number[]): string | undefined {
    const text = literal(masked(r.received.toString('latin1').slice(0, 300), key));
    if (!r.response) return `${label}: no response (${r.ended}${r.error ? `, ${r.error.message}` : ''}): ${text}`;
    if (!allowed.includes(r.response.status)) return `${label}: ${r.response.status}, expected ${allowed.join('/')}: ${text}`;
    return undefined;
  }

  /** Runs every case before asserting, so that one bug does not hide the next. */
  async function runCases(cases: Array<[string, () => Buffer | string, readonly number[]]>): Promise<void> {
    const problems: string[] = [];
    for (const [label, bytes, allowed] of cases) {
      const r = await rawRequest(port, bytes());
      const found = problem(label, r, allowed);
      if (found) problems.push(found);
      else if (r.response?.status === 401 && !headerOf(r.response, 'date')) problems.push(`${label}: a 401 without a Date header`);
      await stillAnswers(label);
    }
    assert.deepEqual(problems, []);
  }

  test('fuzz: the first of two Authorization headers counts', async () => {
    const garbage = `OAuth oauth_consumer_key="nope", oauth_token="nope", oauth_signature_method="PLAINTEXT", oauth_signature="%26nope", oauth_timestamp="1", oauth_nonce="n", oauth_version="1.0"`;
    // spec/clients.md §0 rule 8: gomaasapi 2.0.0 can send two; node keeps the first.
    const twice = (first: string, second: string): Buffer =>
      buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', first], ['authorization', second]] });
    await runCases([
      ['valid, then garbage', () => twice(sign(), garbage), [200]],
      ['valid, then not OAuth', () => twice(sign(), '\xff\xfe not oauth'), [200]],
      ['valid, then valid', () => twice(sign(), sign()), [200]],
      ['garbage, then valid', () => twice(garbage, sign()), [401]],
      ['not OAuth, then valid', () => twice('Basic YWRtaW46eA==', sign()), [401]],
    ]);
  });

  test('fuzz: hostile header bytes and request lines get a 4xx, never a 5xx or silence', async () => {
    const valid = () => sign();
    const mp = (body: string) => `--B\r\nContent-Disposition: form-data; name="name"\r\n\r\n${body}`;
    const token = `${API}account/?op=create_authorisation_token`;
    const signPost = (path: string) =>
      signRequest({
        method: 'POST',
        url: `${server.origin}${path}`,
        consumerKey: key.consumerKey,
        tokenKey: key.tokenKey,
        tokenSecret: key.tokenSecret,
        timestamp: Math.floor(Date.now() / 1000),
        nonce: `raw-${++nonce}`,
      });
    // Each case: label, the bytes (built lazily: signatures need fresh nonces), allowed statuses.
    const cases: Array<[string, () => Buffer | string, readonly number[]]> = [
      // Non-UTF-8 bytes in header values: node hands them over as latin1.
      // spec/clients.md §0 rule 6: no charset limits on the nonce.
      ['non-UTF-8 nonce', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', valid().replace('oauth_nonce="', 'oauth_nonce="\xff\xfe\xc3\x28')]] }), [200]],
      ['non-UTF-8 signature', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', valid().replace('oauth_signature="', 'oauth_signature="\xff')]] }), [401]],
      ['non-UTF-8 consumer key', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', valid().replace('oauth_consumer_key="', 'oauth_consumer_key="\xe2\x82')]] }), [401]],
      ['non-UTF-8 Authorization scheme', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', Buffer.from([0xff, 0xfe, 0x20, 0x61, 0x3d, 0x62])]] }), [401]],
      ['non-UTF-8 User-Agent and Cookie', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['User-Agent', '\x80\x81\xfe'], ['Cookie', 'sessionid=\xff\xfe; csrftoken=\xc3\x28'], ['Authorization', valid()]] }), [200]],
      ['non-UTF-8 Content-Type', () => buildRequest({ method: 'POST', target: token, headers: [['Host', host()], ['Content-Type', 'multipart/form-data; boundary=\xff\xfe'], ['Authorization', signPost(token)]], body: '--\xff\xfe--\r\n' }), [400]],
      ['non-UTF-8 Host, PLAINTEXT', () => buildRequest({ target: WHOAMI, headers: [['Host', '\xff\xfe'], ['Authorization', valid()]] }), [200]],
      ['Host with a space, HMAC-SHA1', () => buildRequest({ target: WHOAMI, headers: [['Host', 'a b'], ['Authorization', sign(WHOAMI, 'HMAC-SHA1')]] }), [400, 401]],
      ['X-Forwarded-Host with a space, wrong HMAC signature', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['X-Forwarded-Host', 'a b'], ['Authorization', sign(WHOAMI, 'HMAC-SHA1').replace(/oauth_signature="[^"]*"/, 'oauth_signature="AAAA"')]] }), [401]],
      ['Host "[", HMAC-SHA256', () => buildRequest({ target: WHOAMI, headers: [['Host', '['], ['Authorization', sign(WHOAMI, 'HMAC-SHA256')]] }), [400, 401]],
      ['CSRF token with non-UTF-8 bytes', () => buildRequest({ method: 'POST', target: token, headers: [['Host', host()], ['Cookie', 'sessionid=x'], ['X-CSRFToken', '\xff'], ['Authorization', signPost(token)]] }), [403]],
      // A valid key with a timestamp far outside JavaScript's Date range (±8.64e15 ms).
      ['timestamp 999999999999999', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', valid().replace(/oauth_timestamp="\d+"/, 'oauth_timestamp="999999999999999"')]] }), [401]],
      ['timestamp -8640000000001', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', valid().replace(/oauth_timestamp="\d+"/, 'oauth_timestamp="-8640000000001"')]] }), [401]],
      ['two X-Forwarded-Host headers (a proxy chain), wrong HMAC signature', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['X-Forwarded-Host', 'a.example'], ['X-Forwarded-Host', 'b.example'], ['Authorization', sign(WHOAMI, 'HMAC-SHA1').replace(/oauth_signature="[^"]*"/, 'oauth_signature="AAAA"')]] }), [401]],
      ['Expect: 100-continue', () => buildRequest({ method: 'POST', target: token, headers: [['Host', host()], ['Expect', '100-continue'], ['Content-Type', 'application/x-www-form-urlencoded'], ['Authorization', signPost(token)]], body: 'name=x' }), [200]],
      // Huge header lines: node's parser refuses them before the app sees anything.
      ['a 60 KB header line', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['X-Big', 'a'.repeat(60 * 1024)], ['Authorization', valid()]] }), [400, 431]],
      ['a 60 KB Authorization', () => buildRequest({ target: WHOAMI, headers: [['Host', host()], ['Authorization', `${valid()}, oauth_x="${'x'.repeat(60 * 1024)}"`]] }), [400, 431]],
      ['a 60 KB request target', () => buildRequest({ target: `${WHOAMI}&x=${'q'.repeat(60 * 1024)}`, headers: [['Host', host()]] }), [400, 414, 431]],
      // Malformed request lines and framing.
      ['a bare word', () => 'FOO\r\n\r\n', [400]],
      ['no target', () => 'GET\r\n\r\n', [400]],
      ['unknown HTTP version', () => `GET ${WHOAMI} HTTP/9.9\r\nHost: x\r\n\r\n`, [400, 505]],
      ['extra token after the version', () => `GET ${WHOAMI} HTTP/1.1 extra\r\nHost: x\r\n\r\n`, [400]],
      ['binary garbage', () => Buffer.from([0, 1, 2, 3, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]), [400]],
      ['lower-case method', () => `get ${WHOAMI} HTTP/1.1\r\nHost: x\r\n\r\n`, [400]],
      ['unknown method', () => `FROB ${WHOAMI} HTTP/1.1\r\nHost: x\r\n\r\n`, [400, 404, 405, 501]],
      ['non-ASCII target', () => `GET ${API}users/\xff\xfe/ HTTP/1.1\r\nHost: x\r\n\r\n`, [400, 401, 404]],
      ['space in target', () => `GET ${API}users/a b/ HTTP/1.1\r\nHost: x\r\n\r\n`, [400]],
      ['absolute-form target', () => `GET http://x${API}version/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, [200, 400, 404]],
      ['asterisk target', () => 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', [400, 404]],
      ['bad percent-encoding in path', () => buildRequest({ target: `${API}users/%zz/`, headers: [['Host', host()]] }), [400]],
      ['no Host in HTTP/1.1', () => `GET ${API}version/ HTTP/1.1\r\nConnection: close\r\n\r\n`, [200, 400]],
      ['header without a colon', () => `GET ${API}version/ HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n`, [400]],
      ['header name with a space', () => `GET ${API}version/ HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n`, [400]],
      ['obsolete line folding', () => `GET ${WHOAMI} HTTP/1.1\r\nHost: x\r\nAuthorization: OAuth\r\n oauth_token="x"\r\nConnection: close\r\n\r\n`, [400, 401]],
      ['bare LF line ends', () => `GET ${API}version/ HTTP/1.1\nHost: x\nConnection: close\n\n`, [200, 400]],
      ['two different Content-Lengths', () => `POST ${token} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`, [400]],
      ['Content-Length and chunked', () => `POST ${token} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, [400]],
      ['negative Content-Length', () => `POST ${token} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`, [400]],
      ['invalid chunk size', () => `POST ${token} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`, [400]],
      // Bodies whose framing is right but whose content is not.
      ['truncated multipart, correct Content-Length', () => buildRequest({ method: 'POST', target: token, headers: [['Host', host()], ['Content-Type', 'multipart/form-data; boundary=B'], ['Authorization', signPost(token)]], body: mp('cut here') }), [400]],
      ['truncated multipart, unsigned', () => buildRequest({ method: 'POST', target: token, headers: [['Host', host()], ['Content-Type', 'multipart/form-data; boundary=B']], body: mp('x') }), [400]],
      ['truncated base64 part', () => buildRequest({ method: 'POST', target: token, headers: [['Host', host()], ['Content-Type', 'multipart/form-data; boundary=B'], ['Authorization', signPost(token)]], body: '--B\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; name="name"\r\n\r\neHl6e\r\n--B--\r\n' }), [400]],
      ['chunked truncated multipart', () => `POST ${token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n--B\r\n\r\n0\r\n\r\n`, [400]],
      ['urlencoded body with non-UTF-8 bytes', () => buildRequest({ method: 'POST', target: token, headers: [['Host', host()], ['Content-Type', 'application/x-www-form-urlencoded'], ['Authorization', signPost(token)]], body: Buffer.from('name=\xff\xfe%FF%zz', 'latin1') }), [200]],
    ];
    await runCases(cases);
  });
});
