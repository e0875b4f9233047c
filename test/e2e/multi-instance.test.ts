// Two real `maaskit serve` processes on one PostgreSQL database, with one MAASKIT_SECRET_KEY:
// they must behave as one server (DESIGN D2, D6; issue 5).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type ApiKeyParts, splitApiKey } from '../../src/model/index.ts';
import { signRequest } from '../../src/oauth/index.ts';
import { openPostgresStore, parseSecretKey } from '../../src/store/index.ts';
import { createTestDatabase, type TestDatabase, withPostgres } from '../helpers/postgres.ts';
import { type RunningServer, startServe } from '../helpers/serve.ts';

const SECRET_KEY = randomBytes(32).toString('hex');
const WHOAMI = 'api/2.0/users/?op=whoami';
const ACCOUNT = 'api/2.0/account/';

let nonces = 0;
const noncePrefix = randomBytes(4).toString('hex');

function sign(method: string, url: string, key: ApiKeyParts, nonce = `${noncePrefix}-${++nonces}`, formParams?: Array<[string, string]>) {
  return signRequest({
    method,
    url,
    ...key,
    signatureMethod: 'PLAINTEXT',
    timestamp: Math.floor(Date.now() / 1000),
    nonce,
    ...(formParams ? { formParams } : {}),
  });
}

async function call(server: RunningServer, method: string, path: string, key: ApiKeyParts, form?: Record<string, string>) {
  const url = `${server.url}${path}`;
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const response = await fetch(url, {
    method,
    headers: {
      authorization: sign(method, url, key, undefined, form ? Object.entries(form) : undefined),
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(body ? { body } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

withPostgres('multi-instance', () => {
  describe('two servers on one PostgreSQL database', () => {
    let db: TestDatabase;
    let a: RunningServer;
    let b: RunningServer;
    let admin: ApiKeyParts;

    before(async () => {
      db = await createTestDatabase();
      const env = { MAASKIT_SECRET_KEY: SECRET_KEY };
      a = await startServe({ args: ['--database-url', db.url], env });
      // B starts on the database A made: no new admin, so it prints no key.
      b = await startServe({ args: ['--database-url', db.url], env });
      admin = splitApiKey(a.apiKey)!;
      assert.ok(admin, `A printed no admin key:\n${a.output()}`);
      assert.equal(b.apiKey, '', 'B must not create a second admin');
    });

    after(async () => {
      await a?.stop();
      await b?.stop();
      await db?.drop();
    });

    test('multi-instance: a key made on A works on B', async () => {
      const made = await call(a, 'POST', `${ACCOUNT}?op=create_authorisation_token`, admin, { name: 'made-on-a' });
      assert.equal(made.status, 200, made.text);
      const token = JSON.parse(made.text) as { consumer_key: string; token_key: string; token_secret: string };
      const key = { consumerKey: token.consumer_key, tokenKey: token.token_key, tokenSecret: token.token_secret };
      const whoami = await call(b, 'GET', WHOAMI, key);
      assert.equal(whoami.status, 200, whoami.text);
      assert.equal((JSON.parse(whoami.text) as { username: string }).username, 'admin');
    });

    test('multi-instance: a request replayed from A to B is rejected (the nonce is shared)', async () => {
      // PLAINTEXT does not sign the URL, so the very same header is valid on both servers.
      const header = sign('GET', `${a.url}${WHOAMI}`, admin);
      const first = await fetch(`${a.url}${WHOAMI}`, { headers: { authorization: header } });
      assert.equal(first.status, 200, await first.text());
      const replay = await fetch(`${b.url}${WHOAMI}`, { headers: { authorization: header } });
      const text = await replay.text();
      assert.equal(replay.status, 401, text);
      assert.match(text, /^Authorization Error: /);
    });

    test('multi-instance: a key deleted on A fails on B at once', async () => {
      const made = await call(a, 'POST', `${ACCOUNT}?op=create_authorisation_token`, admin, { name: 'doomed' });
      const token = JSON.parse(made.text) as { consumer_key: string; token_key: string; token_secret: string };
      const key = { consumerKey: token.consumer_key, tokenKey: token.token_key, tokenSecret: token.token_secret };
      assert.equal((await call(b, 'GET', WHOAMI, key)).status, 200, 'the key works on B first');
      const deleted = await call(a, 'POST', `${ACCOUNT}?op=delete_authorisation_token`, admin, { token_key: key.tokenKey });
      assert.equal(deleted.status, 204, deleted.text);
      // The very next request, no waiting: there is no credential cache to go stale.
      const after = await call(b, 'GET', WHOAMI, key);
      assert.equal(after.status, 401, after.text);
    });

    test('multi-instance: a user deleted on A is rejected by B at once', async () => {
      const created = await call(a, 'POST', 'api/2.0/users/', admin, {
        username: 'leaver',
        email: 'leaver@example.com',
        password: 'leaver-pw-123',
        is_superuser: '0',
      });
      assert.equal(created.status, 200, created.text);
      const login = await fetch(`${b.origin}/MAAS/accounts/authenticate/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'leaver', password: 'leaver-pw-123', consumer: 'e2e' }).toString(),
      });
      const grant = JSON.parse(await login.text()) as { consumer_key: string; token_key: string; token_secret: string };
      const key = { consumerKey: grant.consumer_key, tokenKey: grant.token_key, tokenSecret: grant.token_secret };
      assert.equal((await call(b, 'GET', WHOAMI, key)).status, 200);
      assert.equal((await call(a, 'DELETE', 'api/2.0/users/leaver/', admin)).status, 204);
      assert.equal((await call(b, 'GET', WHOAMI, key)).status, 401);
    });

    test('multi-instance: a user deactivated in the shared database is refused by A and B at once', async () => {
      const created = await call(a, 'POST', 'api/2.0/users/', admin, {
        username: 'sleeper',
        email: 'sleeper@example.com',
        password: 'sleeper-pw-123',
        is_superuser: '0',
      });
      assert.equal(created.status, 200, created.text);
      const login = await fetch(`${a.origin}/MAAS/accounts/authenticate/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'sleeper', password: 'sleeper-pw-123', consumer: 'e2e' }).toString(),
      });
      const grant = JSON.parse(await login.text()) as { consumer_key: string; token_key: string; token_secret: string };
      const key = { consumerKey: grant.consumer_key, tokenKey: grant.token_key, tokenSecret: grant.token_secret };
      assert.equal((await call(a, 'GET', WHOAMI, key)).status, 200, 'the key works on A first');
      assert.equal((await call(b, 'GET', WHOAMI, key)).status, 200, 'and on B');
      const session = await fetch(`${a.origin}/MAAS/accounts/login/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'sleeper', password: 'sleeper-pw-123' }).toString(),
      });
      assert.equal(session.status, 204, await session.text());
      const cookie = session.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      assert.equal((await fetch(`${b.url}${WHOAMI}`, { headers: { cookie } })).status, 200, 'a session made on A works on B');
      // There is no API to deactivate a user yet: a third process (as an admin command would)
      // flips the flag through the Store, on the database both servers use.
      const oneShot = await openPostgresStore({
        url: db.url,
        secretKey: parseSecretKey(SECRET_KEY),
        randomBytes,
        now: () => Math.floor(Date.now() / 1000),
      });
      try {
        assert.equal(await oneShot.setUserActive('sleeper', false), true);
      } finally {
        await oneShot.close();
      }
      // The very next request on either server, no waiting: no cached user to go stale.
      for (const server of [b, a]) {
        const refused = await call(server, 'GET', WHOAMI, key);
        assert.equal(refused.status, 403, refused.text);
        assert.equal(refused.text, 'User is not allowed access to this API.');
      }
      // Their session is no longer theirs either: B answers as to an anonymous request.
      const anonymous = await fetch(`${b.url}${WHOAMI}`, { headers: { cookie } });
      assert.equal(anonymous.status, 401, await anonymous.text());
    });

    test('multi-instance: a NUL character in stored text is 400 on PostgreSQL, not 500', async () => {
      const created = await call(a, 'POST', 'api/2.0/users/', admin, {
        username: 'nul\u0000user',
        email: 'nul@example.com',
        password: 'pw-123456',
        is_superuser: '0',
      });
      assert.equal(created.status, 400, created.text);
      assert.equal(created.text, 'Null characters are not allowed.');
    });

    test('multi-instance: a session made on A works on B', async () => {
      const login = await fetch(`${a.origin}/MAAS/accounts/login/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'admin', password: a.adminPassword }).toString(),
      });
      assert.equal(login.status, 204, await login.text());
      const cookies = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      assert.match(cookies, /sessionid=/);
      const whoami = await fetch(`${b.url}${WHOAMI}`, { headers: { cookie: cookies } });
      const text = await whoami.text();
      assert.equal(whoami.status, 200, text);
      assert.equal((JSON.parse(text) as { username: string }).username, 'admin');
    });

    test('multi-instance: 500 signed requests split across A and B all succeed', async () => {
      const total = 500;
      const inFlight = 20;
      const statuses: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < total) {
            const i = next++;
            const server = i % 2 === 0 ? a : b;
            statuses.push((await call(server, 'GET', WHOAMI, admin)).status);
          }
        }),
      );
      assert.equal(statuses.length, total);
      assert.deepEqual(
        statuses.filter((s) => s !== 200),
        [],
      );
    });
  });
});
