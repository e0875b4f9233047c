// Browser sessions, CSRF and python-libmaas's username/password login, through the app
// (src/server/sessions.ts; spec/maas-auth.md §4.4 "Related non-API view", §7).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { type ApiKeyParts, formatApiKey } from '../model/index.ts';

const LOGIN = '/MAAS/accounts/login/';
const LOGOUT = '/MAAS/accounts/logout/';
const CSRF = '/MAAS/account/csrf/';
const AUTHENTICATE = '/MAAS/accounts/authenticate/';
const WHOAMI = '/MAAS/api/2.0/users/?op=whoami';
const CREATE_TOKEN = '/MAAS/api/2.0/account/?op=create_authorisation_token';
const FORM = 'application/x-www-form-urlencoded';

interface Session {
  cookie: string;
  csrf: string;
  setCookies: string[];
}

describe('sessions', () => {
  let t: TestApp;
  let alice: { key: ApiKeyParts };
  before(async () => {
    t = await createTestApp();
    alice = await t.addUser('alice');
  });
  after(() => t.close());

  function setCookies(headers: Record<string, unknown>): string[] {
    return ([] as string[]).concat((headers['set-cookie'] as string | string[] | undefined) ?? []);
  }

  function cookieValue(cookies: string[], name: string): string | undefined {
    const found = cookies.find((c) => c.startsWith(`${name}=`));
    return found?.slice(name.length + 1).split(';')[0];
  }

  async function login(username = 'alice', password = 'alice-pw'): Promise<Session> {
    const res = await t.app.inject({
      method: 'POST',
      url: LOGIN,
      headers: { 'content-type': FORM },
      payload: `username=${encodeURIComponent(username)}&password=${encodeURIComponent(password)}`,
    });
    assert.equal(res.statusCode, 204, res.body);
    const cookies = setCookies(res.headers);
    const sessionid = cookieValue(cookies, 'sessionid');
    const csrf = cookieValue(cookies, 'csrftoken');
    assert.ok(sessionid && csrf);
    return { cookie: `sessionid=${sessionid}; csrftoken=${csrf}`, csrf, setCookies: cookies };
  }

  // --- login ------------------------------------------------------------------------------------

  test('sessions: GET login answers 200 {authenticated, external_auth_url, no_users}', async () => {
    const res = await t.app.inject({ method: 'GET', url: LOGIN });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.body, '{"authenticated": false, "external_auth_url": null, "no_users": false}');
  });

  test('sessions: GET login reports authenticated true with a live session', async () => {
    const s = await login();
    const res = await t.app.inject({ method: 'GET', url: LOGIN, headers: { cookie: s.cookie } });
    assert.equal(JSON.parse(res.body).authenticated, true);
  });

  test('sessions: POST login answers 204 and sets the sessionid and csrftoken cookies', async () => {
    const res = await t.app.inject({ method: 'POST', url: LOGIN, headers: { 'content-type': FORM }, payload: 'username=alice&password=alice-pw' });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    const cookies = setCookies(res.headers);
    const session = cookies.find((c) => c.startsWith('sessionid='));
    const csrf = cookies.find((c) => c.startsWith('csrftoken='));
    assert.ok(session && csrf, cookies.join(' | '));
    assert.match(session, /; Path=\/MAAS\/; /);
    assert.match(session, /; Max-Age=1209600/);
    assert.match(session, /; HttpOnly/);
    assert.doesNotMatch(csrf, /HttpOnly/, 'the browser reads csrftoken to send X-CSRFToken');
  });

  test('sessions: POST login with a multipart body works too', async () => {
    const boundary = 'login-b';
    const field = (n: string, v: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: LOGIN,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `${field('username', 'alice')}${field('password', 'alice-pw')}--${boundary}--\r\n`,
    });
    assert.equal(res.statusCode, 204, res.body);
  });

  test('sessions: POST login with bad credentials answers 400 with the form errors as JSON', async () => {
    for (const payload of ['username=alice&password=wrong', 'username=nobody&password=x', '']) {
      const res = await t.app.inject({ method: 'POST', url: LOGIN, headers: { 'content-type': FORM }, payload });
      assert.equal(res.statusCode, 400, payload);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(
        res.body,
        '{"__all__": ["Please enter a correct username and password. Note that both fields may be case-sensitive."]}',
      );
      assert.equal(setCookies(res.headers).length, 0, 'no session on failure');
    }
  });

  test('sessions: POST login while logged in answers 204', async () => {
    const s = await login();
    const res = await t.app.inject({ method: 'POST', url: LOGIN, headers: { cookie: s.cookie, 'content-type': FORM }, payload: '' });
    assert.equal(res.statusCode, 204);
  });

  test('sessions: PUT login answers 405 with Allow', async () => {
    const res = await t.app.inject({ method: 'PUT', url: LOGIN });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['allow'], 'GET, POST');
  });

  // --- the session on the API -------------------------------------------------------------------

  test('sessions: a session cookie authenticates API GETs', async () => {
    const s = await login();
    const res = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { cookie: s.cookie } });
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).username, 'alice');
  });

  test('sessions: a session wins over the OAuth header, even an invalid one (as in MAAS)', async () => {
    const s = await login();
    const res = await t.app.inject({
      method: 'GET',
      url: WHOAMI,
      headers: { cookie: s.cookie, authorization: 'OAuth oauth_consumer_key="x", oauth_token="y", oauth_signature="&z", oauth_signature_method="PLAINTEXT", oauth_timestamp="1", oauth_nonce="n"' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).username, 'alice');
  });

  test('sessions: an unsafe method with a session cookie but no X-CSRFToken answers 403', async () => {
    const s = await login();
    const res = await t.app.inject({ method: 'POST', url: CREATE_TOKEN, headers: { cookie: s.cookie, 'content-type': FORM }, payload: 'name=x' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(res.body, /CSRF verification failed/);
  });

  test('sessions: an unsafe method with a wrong X-CSRFToken answers 403', async () => {
    const s = await login();
    const res = await t.app.inject({
      method: 'POST',
      url: CREATE_TOKEN,
      headers: { cookie: s.cookie, 'x-csrftoken': 'not-the-token', 'content-type': FORM },
      payload: 'name=x',
    });
    assert.equal(res.statusCode, 403);
  });

  test('sessions: an unsafe method with the session and its X-CSRFToken succeeds', async () => {
    const s = await login();
    const res = await t.app.inject({
      method: 'POST',
      url: CREATE_TOKEN,
      headers: { cookie: s.cookie, 'x-csrftoken': s.csrf, 'content-type': FORM },
      payload: 'name=from-browser',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).name, 'from-browser');
  });

  test('sessions: a stale session cookie makes CSRF apply even to an OAuth-signed POST', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: CREATE_TOKEN,
      headers: { cookie: 'sessionid=stale-session', authorization: t.sign('POST', CREATE_TOKEN), 'content-type': FORM },
      payload: 'name=x',
    });
    assert.equal(res.statusCode, 403);
  });

  test('sessions: a stale session cookie on a GET falls back to OAuth', async () => {
    const res = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { cookie: 'sessionid=stale-session', authorization: t.sign('GET', WHOAMI) } });
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).username, 'admin');
  });

  test('sessions: OAuth calls without a session cookie need no CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: CREATE_TOKEN, headers: { authorization: t.sign('POST', CREATE_TOKEN), 'content-type': FORM }, payload: 'name=x' });
    assert.equal(res.statusCode, 200);
  });

  test('sessions: a session expires after the session length', async () => {
    const s = await login();
    t.clock.advance(1_209_600);
    const res = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { cookie: s.cookie } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.body.split('\n')[0], 'Forbidden');
  });

  // --- logout ----------------------------------------------------------------------------------

  test('sessions: logout answers 204, clears the cookies, and the session stops working', async () => {
    const s = await login();
    const res = await t.app.inject({ method: 'POST', url: LOGOUT, headers: { cookie: s.cookie, 'x-csrftoken': s.csrf } });
    assert.equal(res.statusCode, 204);
    const cleared = setCookies(res.headers);
    assert.ok(cleared.some((c) => c.startsWith('sessionid=;') && c.includes('Max-Age=0')), cleared.join(' | '));
    assert.ok(cleared.some((c) => c.startsWith('csrftoken=;') && c.includes('Max-Age=0')));
    const after = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { cookie: s.cookie } });
    assert.equal(after.statusCode, 401);
    const status = await t.app.inject({ method: 'GET', url: LOGIN, headers: { cookie: s.cookie } });
    assert.equal(JSON.parse(status.body).authenticated, false);
  });

  test('sessions: logout without the CSRF token answers 403 and keeps the session', async () => {
    const s = await login();
    const res = await t.app.inject({ method: 'POST', url: LOGOUT, headers: { cookie: s.cookie } });
    assert.equal(res.statusCode, 403);
    const still = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { cookie: s.cookie } });
    assert.equal(still.statusCode, 200);
  });

  test('sessions: GET logout answers 405 with Allow: POST', async () => {
    const res = await t.app.inject({ method: 'GET', url: LOGOUT });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['allow'], 'POST');
  });

  // --- csrf -------------------------------------------------------------------------------------

  test('sessions: POST csrf answers 200 {"csrf": token} matching the csrftoken cookie', async () => {
    const s = await login();
    const res = await t.app.inject({ method: 'POST', url: CSRF, headers: { cookie: s.cookie } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.body, `{"csrf": "${s.csrf}"}`);
    assert.equal(setCookies(res.headers).length, 0, 'the csrf view sets no cookie');
  });

  test('sessions: POST csrf without a session answers 403 with an empty body', async () => {
    for (const headers of [{}, { cookie: 'sessionid=stale' }]) {
      const res = await t.app.inject({ method: 'POST', url: CSRF, headers });
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.body, '');
    }
  });

  test('sessions: GET csrf answers 405 with Allow: POST', async () => {
    const res = await t.app.inject({ method: 'GET', url: CSRF });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['allow'], 'POST');
  });

  // --- accounts/authenticate (python-libmaas login) -------------------------------------------

  async function authenticate(payload: string) {
    return t.app.inject({ method: 'POST', url: AUTHENTICATE, headers: { 'content-type': FORM }, payload });
  }

  test('sessions: authenticate answers 200 JSON with the 4 keys of the first key', async () => {
    const res = await authenticate('username=alice&password=alice-pw');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    const k = alice.key;
    assert.equal(
      res.body,
      `{"consumer_key": "${k.consumerKey}", "name": "MAAS consumer", "token_key": "${k.tokenKey}", "token_secret": "${k.tokenSecret}"}`,
    );
    assert.equal(setCookies(res.headers).length, 0, 'no session is opened');
  });

  test('sessions: authenticate reuses the key named by consumer', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: CREATE_TOKEN,
      headers: { authorization: t.sign('POST', CREATE_TOKEN, { key: alice.key }), 'content-type': FORM },
      payload: 'name=python-libmaas',
    });
    const token = JSON.parse(created.body) as { token_key: string };
    const res = await authenticate('username=alice&password=alice-pw&consumer=python-libmaas');
    assert.equal(res.statusCode, 200);
    const body = JSON.parse(res.body) as { token_key: string; name: string };
    assert.equal(body.token_key, token.token_key);
    assert.equal(body.name, 'python-libmaas');
  });

  test('sessions: authenticate creates a key named by consumer if none has that name, then reuses it', async () => {
    const { user } = await t.addUser('newcomer');
    const first = await authenticate('username=newcomer&password=newcomer-pw&consumer=my-laptop');
    assert.equal(first.statusCode, 200);
    const body = JSON.parse(first.body) as { name: string; token_key: string };
    assert.equal(body.name, 'my-laptop');
    const second = await authenticate('username=newcomer&password=newcomer-pw&consumer=my-laptop');
    assert.equal((JSON.parse(second.body) as { token_key: string }).token_key, body.token_key);
    assert.deepEqual(
      (await t.store.listApiKeys(user.id)).map((k) => k.name),
      ['MAAS consumer', 'my-laptop'],
    );
  });

  test('sessions: authenticate without consumer creates a MAAS consumer key when the user has none', async () => {
    const { user, key } = await t.addUser('keyless');
    await t.store.deleteApiKey(user.id, key.tokenKey);
    const res = await authenticate('username=keyless&password=keyless-pw');
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).name, 'MAAS consumer');
    assert.equal((await t.store.listApiKeys(user.id)).length, 1);
  });

  test('sessions: the key authenticate returns authenticates API calls', async () => {
    const res = await authenticate('username=alice&password=alice-pw');
    const b = JSON.parse(res.body) as { consumer_key: string; token_key: string; token_secret: string };
    const key = { consumerKey: b.consumer_key, tokenKey: b.token_key, tokenSecret: b.token_secret };
    assert.equal(formatApiKey(key), formatApiKey(alice.key));
    const who = await t.app.inject({ method: 'GET', url: WHOAMI, headers: { authorization: t.sign('GET', WHOAMI, { key }) } });
    assert.equal(JSON.parse(who.body).username, 'alice');
  });

  test('sessions: authenticate answers 403 with an empty body for bad credentials', async () => {
    for (const payload of ['username=alice&password=wrong', 'username=nobody&password=x', '']) {
      const res = await authenticate(payload);
      assert.equal(res.statusCode, 403, payload);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.body, '');
    }
  });

  test('sessions: authenticate answers 405 with Allow: POST for GET', async () => {
    const res = await t.app.inject({ method: 'GET', url: AUTHENTICATE });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['allow'], 'POST');
    assert.equal(res.body, '');
  });
});
