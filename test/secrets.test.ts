// "Nothing in any response or log reveals a secret" (STYLE 12, DESIGN D2/D3), proven against a
// real `maaskit serve` logging at debug level. Every error path we can reach is driven with the
// admin's real key and password in play; then the admin's token secret, the admin password and
// every password we sent are looked for in every response (header and body), in the whole of
// the server's stdout/stderr, and in the SQLite files.
//
// Allowed occurrences, and only these: the startup lines that print the generated admin
// password and key (once each), and the bodies of the three responses whose job is to hand a
// key out: create_authorisation_token, list_authorisation_tokens and a successful
// /MAAS/accounts/authenticate/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type SignatureMethod, signRequest } from '../src/oauth/index.ts';
import { buildRequest, type RawHeader, rawRequest } from './helpers/raw-http.ts';
import { type RunningServer, startServe } from './helpers/serve.ts';

const API = '/MAAS/api/2.0/';
const WHOAMI = `${API}users/?op=whoami`;
const TOKEN_OP = `${API}account/?op=create_authorisation_token`;

/**
 * A leak is any 12-character run of a secret: long enough that no chance match happens
 * (62^12 keys), short enough to catch a secret cut short ("first 16 chars…") or wrapped.
 * MAAS's echo of a presented token (verify.ts displayToken) keeps 4 characters at most.
 */
const WINDOW = 12;

function windows(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + WINDOW <= secret.length; i++) out.push(secret.slice(i, i + WINDOW));
  return out;
}

/** Names of the secrets with a run present in `haystack`. */
function leaks(haystack: Buffer | string, secrets: ReadonlyMap<string, string>): string[] {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  return [...secrets].filter(([, secret]) => windows(secret).some((w) => text.includes(w))).map(([name]) => name);
}

/** `text` with every run of a secret replaced by its name: failures must not print secrets (STYLE 12). */
function mask(text: string, secrets: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [name, secret] of secrets) {
    out = out.replaceAll(secret, `«${name}»`);
    for (const w of windows(secret)) out = out.replaceAll(w, `«${name}»`);
  }
  return out;
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

/** Distinct, alphanumeric (so that JSON or URL escaping cannot hide them), 24 characters. */
function password(label: string): string {
  return `${label}${randomBytes(18).toString('hex')}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 24);
}

interface Exchange {
  label: string;
  /** The statuses this path is meant to produce; anything else means the path was not reached. */
  expected: readonly number[];
  /** The body legitimately holds a key (and so its secret). Its headers are still checked. */
  bodyHoldsKey: boolean;
  status: number | undefined;
  head: Buffer;
  body: Buffer;
}

describe('secrets: nothing in any response or log reveals a secret', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'maaskit-secrets-'));
  let server: RunningServer;
  let port: number;
  let ck = '';
  let tk = '';
  let ts = '';
  let adminPassword = '';
  const exchanges: Exchange[] = [];
  /** Passwords we sent, and secrets of keys the server made during the run. */
  const sent = new Map<string, string>();
  /** The database files, read while the server runs (WAL not yet checkpointed) and after stop. */
  const dbFiles: Array<[name: string, bytes: Buffer]> = [];
  let output = '';

  let nonce = 0;
  const now = () => Math.floor(Date.now() / 1000);
  const freshNonce = () => `sec-${++nonce}`;

  /** An OAuth header from explicit parts, for the mistakes signRequest would not make. */
  function header(parts: Record<string, string>, unquoted = false): string {
    const q = unquoted ? '' : '"';
    return `OAuth ${Object.entries(parts)
      .map(([n, v]) => `${n}=${q}${v}${q}`)
      .join(', ')}`;
  }

  /** The six parameters of a good PLAINTEXT request, for one field to be spoiled. */
  function good(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      oauth_consumer_key: ck,
      oauth_token: tk,
      oauth_signature_method: 'PLAINTEXT',
      oauth_signature: `%26${ts}`,
      oauth_timestamp: String(now()),
      oauth_nonce: freshNonce(),
      oauth_version: '1.0',
      ...overrides,
    };
  }

  function signed(method: string, path: string, options: { signatureMethod?: SignatureMethod; secret?: string; origin?: string; formParams?: Array<[string, string]> } = {}): string {
    return signRequest({
      method,
      url: `${options.origin ?? server.origin}${path}`,
      consumerKey: ck,
      tokenKey: tk,
      tokenSecret: options.secret ?? ts,
      signatureMethod: options.signatureMethod ?? 'PLAINTEXT',
      timestamp: now(),
      nonce: freshNonce(),
      ...(options.formParams ? { formParams: options.formParams } : {}),
    });
  }

  async function send(
    label: string,
    request: { method?: string; target: string; headers?: RawHeader[]; body?: Buffer | string },
    expected: readonly number[],
    bodyHoldsKey = false,
  ): Promise<Exchange> {
    // node keeps the first Host, so a case that sets its own must not get ours in front.
    const own = request.headers ?? [];
    const host: RawHeader[] = own.some(([n]) => n.toLowerCase() === 'host') ? [] : [['Host', `127.0.0.1:${port}`]];
    const bytes = buildRequest({ ...request, headers: [...host, ...own] });
    const r = await rawRequest(port, bytes);
    const split = r.received.indexOf('\r\n\r\n');
    const exchange: Exchange = {
      label,
      expected,
      bodyHoldsKey,
      status: r.response?.status,
      head: split < 0 ? r.received : r.received.subarray(0, split),
      body: split < 0 ? Buffer.alloc(0) : r.received.subarray(split + 4),
    };
    exchanges.push(exchange);
    return exchange;
  }

  const form = (pairs: Array<[string, string]>) => pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  const urlencoded: RawHeader = ['Content-Type', 'application/x-www-form-urlencoded'];

  before(async () => {
    server = await startServe({ dataDir, env: { MAASKIT_LOG_LEVEL: 'debug' } });
    port = Number(new URL(server.origin).port);
    [ck = '', tk = '', ts = ''] = server.apiKey.split(':');
    adminPassword = server.adminPassword;
    assert.equal(ts.length, 32, 'the startup lines print the admin key');
    assert.ok(adminPassword.length >= 16, 'the startup lines print the admin password');
    const newUserPassword = password('newuser');
    const badPasswords = [password('bad1'), password('bad2'), password('bad3')];
    sent.set('the new user password', newUserPassword);
    for (const [i, p] of badPasswords.entries()) sent.set(`bad password ${i + 1}`, p);

    // --- the control: a good request, so the checks below have something to pass through
    await send('whoami, good PLAINTEXT', { target: WHOAMI, headers: [['Authorization', header(good())]] }, [200]);

    // --- bad signatures
    await send('PLAINTEXT, wrong secret', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature: `%26${'x'.repeat(32)}` }))]] }, [401]);
    await send('PLAINTEXT, secret without the "&"', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature: ts }))]] }, [401]);
    await send('PLAINTEXT, secret with a "&" in the middle', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature: `${ts.slice(0, 16)}%26${ts.slice(16)}` }))]] }, [401]);
    await send('PLAINTEXT, consumer secret not empty (the secret twice)', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature: `${ts}%26${ts}` }))]] }, [401]);
    await send('PLAINTEXT, consumer secret not empty (the consumer key)', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature: `${ck}%26${ts}` }))]] }, [401]);
    await send('PLAINTEXT, raw "&" unquoted, wrong secret', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature: `&${ts}x` }), true)]] }, [401]);
    for (const method of ['HMAC-SHA1', 'HMAC-SHA256'] as const) {
      await send(`${method}, signed with the wrong secret`, { target: WHOAMI, headers: [['Authorization', signed('GET', WHOAMI, { signatureMethod: method, secret: 'y'.repeat(32) })]] }, [401]);
      await send(`${method}, signed over another origin`, { target: WHOAMI, headers: [['X-Forwarded-Host', `localhost:${port}`], ['Authorization', signed('GET', WHOAMI, { signatureMethod: method, origin: `http://localhost:${port}` })]] }, [401]);
      await send(`${method}, query parameters left out`, { target: WHOAMI, headers: [['Authorization', signed('GET', `${API}users/`, { signatureMethod: method })]] }, [401]);
      await send(`${method}, the secret itself as the signature`, { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature_method: method, oauth_signature: ts }))]] }, [401]);
    }

    // --- key parts misplaced (DESIGN D3 hints)
    await send('key parts in the wrong order', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_consumer_key: tk, oauth_token: ck }))]] }, [401]);
    await send('token and secret swapped', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_token: ts, oauth_signature: `%26${tk}` }))]] }, [401]);
    await send('whole key as the consumer key', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_consumer_key: `${ck}:${tk}:${ts}` }))]] }, [401]);
    await send('whole key as the token', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_token: `${ck}:${tk}:${ts}` }))]] }, [401]);
    await send('secret sent as oauth_token', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_token: ts }))]] }, [401]);
    await send('secret sent as the consumer key', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_consumer_key: ts }))]] }, [401]);
    await send('secret sent as the signature method', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_signature_method: ts }))]] }, [401]);
    await send('secret sent as oauth_version', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_version: ts }))]] }, [401]);
    await send('secret sent as the timestamp', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_timestamp: ts }))]] }, [400]);

    // --- clock and nonce. (Not tried: the secret as the nonce. The nonce is echoed when reused,
    // as MAAS does, and stored for replay protection; a client that uses its secret as a nonce
    // has published it.)
    await send('expired timestamp', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_timestamp: String(now() - 3600) }))]] }, [401]);
    await send('future timestamp', { target: WHOAMI, headers: [['Authorization', header(good({ oauth_timestamp: String(now() + 3600) }))]] }, [401]);
    const replayed = header(good());
    await send('nonce, first use', { target: WHOAMI, headers: [['Authorization', replayed]] }, [200]);
    await send('nonce reused', { target: WHOAMI, headers: [['Authorization', replayed]] }, [401]);

    // --- malformed or foreign Authorization headers, each carrying the secret
    await send('malformed header: a part without "="', { target: WHOAMI, headers: [['Authorization', `${header(good())}, broken`]] }, [401]);
    await send('malformed header: unclosed quote', { target: WHOAMI, headers: [['Authorization', header(good()).slice(0, -1)]] }, [401]);
    await send('malformed header: ",,"', { target: WHOAMI, headers: [['Authorization', header(good()).replace(', ', ',, =')]] }, [401]);
    await send('incomplete OAuth header (no nonce)', { target: WHOAMI, headers: [['Authorization', header({ oauth_consumer_key: ck, oauth_token: tk, oauth_signature: `%26${ts}` })]] }, [401]);
    await send('the key pasted as the whole header', { target: WHOAMI, headers: [['Authorization', `${ck}:${tk}:${ts}`]] }, [401]);
    await send('the key after the OAuth scheme', { target: WHOAMI, headers: [['Authorization', `OAuth ${ck}:${tk}:${ts}`]] }, [401]);
    await send('Bearer with the secret', { target: WHOAMI, headers: [['Authorization', `Bearer ${ts}`]] }, [401]);
    await send('Basic with the admin password', { target: WHOAMI, headers: [['Authorization', `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`]] }, [401]);
    await send('secret as the scheme name', { target: WHOAMI, headers: [['Authorization', `${ts} x=y`]] }, [401]);
    await send('secret on the anonymous nodes handler', { target: `${API}nodes/?op=bogus`, headers: [['Authorization', `Bearer ${ts}`]] }, [400]);

    // --- OAuth parameters in the query string (spec/clients.md §0 rule 7)
    const query = (params: Record<string, string>) => Object.entries(params).map(([n, v]) => `${n}=${v}`).join('&');
    await send('query-string OAuth, good', { target: `${WHOAMI}&${query(good())}` }, [200]);
    await send('query-string OAuth, wrong secret', { target: `${WHOAMI}&${query(good({ oauth_signature: `%26${ts.slice(1)}x` }))}` }, [401]);
    await send('query-string OAuth, secret without "&"', { target: `${WHOAMI}&${query(good({ oauth_signature: ts }))}` }, [401]);
    await send('query-string OAuth, expired', { target: `${WHOAMI}&${query(good({ oauth_timestamp: '1' }))}` }, [401]);
    await send('query-string OAuth, percent-encoded names', { target: `${WHOAMI}&${query(good({ oauth_signature: `%26${ts}x` })).replace(/oauth_/g, 'oauth%5F')}` }, [401]);
    await send('query-string OAuth, upper-case signature name', { target: `${WHOAMI}&OAUTH_SIGNATURE=%26${ts}` }, [401]);
    await send('query-string OAuth on an unknown endpoint', { target: `${API}nope/?${query(good())}` }, [404]);
    await send('query-string OAuth after a bad percent-escape in the path', { target: `${API}users/%zz/?${query(good())}` }, [400]);
    await send('query-string OAuth, HMAC, with a Host that is no host', { target: `${WHOAMI}&oauth_signature=%26${ts}`, headers: [['Host', 'a b'], ['Authorization', signed('GET', WHOAMI, { signatureMethod: 'HMAC-SHA1' })]] }, [400, 401]);
    await send('query-string OAuth, timestamp beyond Date', { target: `${WHOAMI}&${query(good({ oauth_timestamp: '999999999999999' }))}` }, [401]);

    // --- OAuth parameters and secrets in form bodies
    await send('form-body OAuth, wrong secret', { method: 'POST', target: `${API}users/?op=whoami`, headers: [urlencoded], body: form(Object.entries(good({ oauth_signature: `&${ts}z` }))) }, [401]);
    await send('form-body OAuth, good, unknown op', { method: 'POST', target: `${API}users/?op=nothing`, headers: [urlencoded], body: form(Object.entries(good({ oauth_signature: `&${ts}` }))) }, [400]);
    await send('bad form body: truncated multipart with the secret and password', {
      method: 'POST',
      target: TOKEN_OP,
      headers: [['Content-Type', 'multipart/form-data; boundary=B'], ['Authorization', signed('POST', TOKEN_OP)]],
      body: `--B\r\nContent-Disposition: form-data; name="name"\r\n\r\n${ts}\r\n--B\r\nContent-Disposition: form-data; name="password"\r\n\r\n${adminPassword}`,
    }, [400]);
    await send('bad form body: invalid base64 part holding the secret', {
      method: 'POST',
      target: TOKEN_OP,
      headers: [['Content-Type', 'multipart/form-data; boundary=B'], ['Authorization', signed('POST', TOKEN_OP)]],
      body: `--B\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; name="${ts}"\r\n\r\n${ts}!\r\n--B--\r\n`,
    }, [400]);
    await send('bad form body: a part header line holding the secret', {
      method: 'POST',
      target: TOKEN_OP,
      headers: [['Content-Type', 'multipart/form-data; boundary=B']],
      body: `--B\r\n${ts} no colon\r\n\r\nx\r\n--B--\r\n`,
    }, [400]);
    await send('bad form body: 1001 urlencoded pairs holding the secret', {
      method: 'POST',
      target: TOKEN_OP,
      headers: [urlencoded, ['Authorization', signed('POST', TOKEN_OP)]],
      body: `${ts}=${adminPassword}&`.repeat(1001),
    }, [400]);
    await send('bad form body: the secret as the boundary', {
      method: 'POST',
      target: TOKEN_OP,
      headers: [['Content-Type', `multipart/form-data; boundary=${ts}`], ['Authorization', signed('POST', TOKEN_OP)]],
      body: `--${ts}\r\n`,
    }, [400]);
    await send('bad form body: the secret as a charset', {
      method: 'POST',
      target: `${API}account/?op=update_token_name`,
      headers: [['Content-Type', `application/x-www-form-urlencoded; charset=${ts}`], ['Authorization', signed('POST', `${API}account/?op=update_token_name`)]],
      body: `token=${ck}:${tk}:${ts}`,
    }, [400]);

    // --- the key-handing endpoints (bodies allowed to hold keys) and the ops that take keys
    const created = await send('create_authorisation_token', { method: 'POST', target: TOKEN_OP, headers: [urlencoded, ['Authorization', signed('POST', TOKEN_OP, { formParams: [['name', 'secrets-test']] })]], body: 'name=secrets-test' }, [200], true);
    const createdSecret = (JSON.parse(created.body.toString('utf8')) as { token_secret?: string }).token_secret;
    if (createdSecret) sent.set('the created token secret', createdSecret);
    const listPath = `${API}account/?op=list_authorisation_tokens`;
    await send('list_authorisation_tokens', { target: listPath, headers: [['Authorization', signed('GET', listPath)]] }, [200], true);
    const rename = `${API}account/?op=update_token_name`;
    await send('update_token_name with the whole key', { method: 'POST', target: rename, headers: [urlencoded, ['Authorization', signed('POST', rename)]], body: form([['token', `${ck}:${tk}:${ts}`], ['name', 'renamed']]) }, [202]);
    await send('update_token_name with an unknown whole key', { method: 'POST', target: rename, headers: [urlencoded, ['Authorization', signed('POST', rename)]], body: form([['token', `zz:yy:${ts}`], ['name', 'x']]) }, [404]);
    const remove = `${API}account/?op=delete_authorisation_token`;
    await send('delete_authorisation_token with an unknown whole key', { method: 'POST', target: remove, headers: [urlencoded, ['Authorization', signed('POST', remove)]], body: form([['token_key', `zz:yy:${ts}`]]) }, [404]);
    await send('delete_authorisation_token with the secret as token_key', { method: 'POST', target: remove, headers: [urlencoded, ['Authorization', signed('POST', remove)]], body: form([['token_key', ts]]) }, [404]);

    // --- users/ with passwords
    const users = `${API}users/`;
    const newUser = form([['username', 'secrets-user'], ['email', 'secrets@example.com'], ['password', newUserPassword], ['is_superuser', '0']]);
    await send('POST users/ with a password', { method: 'POST', target: users, headers: [urlencoded, ['Authorization', signed('POST', users)]], body: newUser }, [200]);
    await send('POST users/ again: username taken', { method: 'POST', target: users, headers: [urlencoded, ['Authorization', signed('POST', users)]], body: newUser }, [409]);
    await send('POST users/ without is_superuser', { method: 'POST', target: users, headers: [urlencoded, ['Authorization', signed('POST', users)]], body: form([['username', 'u2'], ['email', 'u2@example.com'], ['password', newUserPassword]]) }, [400]);
    await send('POST users/ with the password as is_superuser', { method: 'POST', target: users, headers: [urlencoded, ['Authorization', signed('POST', users)]], body: form([['username', 'u3'], ['email', 'u3@example.com'], ['password', newUserPassword], ['is_superuser', newUserPassword]]) }, [400]);
    await send('POST users/ as multipart, base64 password part, no username', {
      method: 'POST',
      target: users,
      headers: [['Content-Type', 'multipart/form-data; boundary=B'], ['Authorization', signed('POST', users)]],
      body: `--B\r\nContent-Disposition: form-data; name="password"\r\n\r\n${newUserPassword}\r\n--B--\r\n`,
    }, [400]);
    await send('POST users/ without a key', { method: 'POST', target: users, headers: [urlencoded], body: newUser }, [401]);

    // --- the session endpoints
    const login = '/MAAS/accounts/login/';
    const authenticate = '/MAAS/accounts/authenticate/';
    await send('login, bad password', { method: 'POST', target: login, headers: [urlencoded], body: form([['username', 'admin'], ['password', badPasswords[0]!]]) }, [400]);
    await send('login, bad password as multipart', {
      method: 'POST',
      target: login,
      headers: [['Content-Type', 'multipart/form-data; boundary=B']],
      body: `--B\r\nContent-Disposition: form-data; name="username"\r\n\r\nadmin\r\n--B\r\nContent-Disposition: form-data; name="password"\r\n\r\n${badPasswords[1]}\r\n--B--\r\n`,
    }, [400]);
    await send('login, unknown user with the admin password', { method: 'POST', target: login, headers: [urlencoded], body: form([['username', 'nobody'], ['password', adminPassword]]) }, [400]);
    await send('login, password in a JSON body', { method: 'POST', target: login, headers: [['Content-Type', 'application/json']], body: JSON.stringify({ username: 'admin', password: badPasswords[2] }) }, [400]);
    await send('login, password in the query string', { method: 'POST', target: `${login}?username=admin&password=${badPasswords[2]}` }, [400]);
    const session = await send('login, good password', { method: 'POST', target: login, headers: [urlencoded], body: form([['username', 'admin'], ['password', adminPassword]]) }, [204]);
    const cookies = session.head
      .toString('latin1')
      .split('\r\n')
      .filter((l) => /^set-cookie:/i.test(l))
      .map((l) => l.replace(/^set-cookie:\s*/i, '').split(';')[0])
      .join('; ');
    await send('session whoami', { target: WHOAMI, headers: [['Cookie', cookies]] }, [200]);
    await send('session POST without the CSRF token', { method: 'POST', target: TOKEN_OP, headers: [['Cookie', cookies], urlencoded], body: 'name=x' }, [403]);
    await send('session POST with the secret as the CSRF token', { method: 'POST', target: TOKEN_OP, headers: [['Cookie', cookies], ['X-CSRFToken', ts], urlencoded], body: 'name=x' }, [403]);
    await send('authenticate, bad password', { method: 'POST', target: authenticate, headers: [urlencoded], body: form([['username', 'admin'], ['password', badPasswords[0]!]]) }, [403]);
    await send('authenticate, GET', { target: `${authenticate}?username=admin&password=${adminPassword}` }, [405]);
    await send('authenticate, good password', { method: 'POST', target: authenticate, headers: [urlencoded], body: form([['username', 'admin'], ['password', adminPassword]]) }, [200], true);
    const newUserKey = await send('authenticate as the new user', { method: 'POST', target: authenticate, headers: [urlencoded], body: form([['username', 'secrets-user'], ['password', newUserPassword]]) }, [200], true);
    const newUserSecret = (JSON.parse(newUserKey.body.toString('utf8') || '{}') as { token_secret?: string }).token_secret;
    if (newUserSecret) sent.set("the new user's token secret", newUserSecret);

    // Let the last log lines reach the pipe, then copy the database as it is on disk now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const readDb = (when: string) => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) {
        const file = join(dataDir, `maaskit.db${suffix}`);
        if (existsSync(file)) dbFiles.push([`maaskit.db${suffix} (${when})`, readFileSync(file)]);
      }
    };
    readDb('while running');
    await server.stop();
    readDb('after stop');
    output = server.output();
  });

  after(() => rmSync(dataDir, { recursive: true, force: true }));

  /** The admin's secret and password, and everything we sent or the server made. */
  function allSecrets(): Map<string, string> {
    return new Map([
      ["the admin's token secret", ts],
      ['the admin password', adminPassword],
      ...sent,
    ]);
  }

  test('secrets: every error path was reached (the statuses are the expected ones)', () => {
    const off = exchanges
      .filter((e) => e.status === undefined || !e.expected.includes(e.status))
      .map((e) => `${e.label}: ${e.status ?? 'no response'} (expected ${e.expected.join('/')}): ${JSON.stringify(mask(e.body.toString('latin1'), allSecrets()).slice(0, 160))}`);
    assert.deepEqual(off, []);
    assert.ok(exchanges.length > 70, `${exchanges.length} exchanges`);
  });

  test('secrets: no response header or body reveals a secret', () => {
    const secrets = allSecrets();
    const found: string[] = [];
    for (const e of exchanges) {
      for (const name of leaks(e.head, secrets)) found.push(`${e.label}: headers reveal ${name}`);
      if (!e.bodyHoldsKey) {
        const shown = JSON.stringify(mask(e.body.toString('latin1'), secrets).slice(0, 240));
        for (const name of leaks(e.body, secrets)) found.push(`${e.label}: body reveals ${name}: ${shown}`);
      }
    }
    assert.deepEqual(found, []);
    // The allowed bodies did hold what they hand out, so the search above could see a secret.
    const handedOut = exchanges.filter((e) => e.bodyHoldsKey && e.body.includes(ts));
    assert.ok(handedOut.length >= 2, 'list_authorisation_tokens and authenticate/ return the admin key');
  });

  test('secrets: the log shows the admin password and key once, in the startup lines only', () => {
    const lines = output.split('\n');
    const withPassword = lines.filter((l) => l.includes(adminPassword));
    const withSecret = lines.filter((l) => l.includes(ts));
    // Compared masked, so that a failure does not print the secrets it is about.
    const secrets = allSecrets();
    const shown = (list: string[]) => list.map((l) => mask(l, secrets).slice(0, 300));
    assert.deepEqual(shown(withPassword), ['maaskit: created user admin with password: «the admin password»']);
    assert.deepEqual(shown(withSecret), [`maaskit: API key for admin: ${ck}:${tk}:«the admin's token secret»`]);
    assert.equal(occurrences(output, adminPassword), 1);
    assert.equal(occurrences(output, ts), 1);
    // Everything else — every request line, error and shutdown line at debug level.
    const rest = lines.filter((l) => !withPassword.includes(l) && !withSecret.includes(l));
    const found = rest.flatMap((line) => leaks(line, secrets).map((name) => `${name} in: ${mask(line, secrets).slice(0, 400)}`));
    assert.deepEqual(found, []);
    assert.ok(rest.filter((l) => l.includes('"msg":"request"')).length >= exchanges.length - 5, 'each request was logged');
  });

  test('secrets: the database files hold no token secret and no password in plain text', () => {
    // DESIGN D2: a copy of the database alone reveals no usable API key and no password.
    assert.ok(dbFiles.some(([name]) => name.startsWith('maaskit.db ')), 'the database file was read');
    const found = dbFiles.flatMap(([file, bytes]) => leaks(bytes, allSecrets()).map((name) => `${file}: ${name}`));
    assert.deepEqual(found, []);
    // The key parts that are not secret are there, so the search does look at the right bytes.
    assert.ok(dbFiles.some(([, bytes]) => bytes.includes(tk)), 'the token key is stored in the clear');
  });
});

