// createApp(deps) as a whole: the routes outside /MAAS/api/2.0/, the headers every response
// carries, and the one error → HTTP mapping (STYLE 6, 9; spec/maas-resources.md §1.1, §5).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createTestApp, FakeClock, openTestStore, seededRandom, type TestApp } from '../../test/helpers/app.ts';
import { signRequest } from '../oauth/index.ts';
import { type Store, StoreError } from '../store/index.ts';
import { createApp } from './app.ts';
import { createLogger } from './logging.ts';

const GONE = 'The 1.0 API is no longer available. Please use API version 2.0.';

describe('app', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  // --- outside /MAAS/api/2.0/ -----------------------------------------------------------------

  test('app: /MAAS/api/version/ answers 200 text/plain 2.0, for any method', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await t.app.inject({ method, url: '/MAAS/api/version/' });
      assert.equal(res.statusCode, 200, method);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.body, '2.0');
    }
  });

  test('app: /MAAS/api/1.0/… answers 410 text/plain, any method, no authentication', async () => {
    for (const [method, url] of [
      ['GET', '/MAAS/api/1.0/'],
      ['GET', '/MAAS/api/1.0/nodes/?op=list'],
      ['POST', '/MAAS/api/1.0/machines/'],
      ['DELETE', '/MAAS/api/1.0/users/admin/'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { authorization: 'OAuth broken' } });
      assert.equal(res.statusCode, 410, url);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.body, GONE);
    }
  });

  test('app: /MAAS/ answers 200 with a pointer to the API', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'maaskit: a MAAS-compatible API is served at /MAAS/api/2.0/\n');
  });

  test('app: a path outside /MAAS/ answers 404 Not Found', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/2.0/version/' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Not Found');
  });

  // --- headers ----------------------------------------------------------------------------------

  test('app: API responses carry X-MAAS-API-Hash and Vary: Authorization, Cookie', async () => {
    for (const url of ['/MAAS/api/2.0/version/', '/MAAS/api/2.0/users/', '/MAAS/api/2.0/nope/']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.match(String(res.headers['x-maas-api-hash']), /^[0-9a-f]{40}$/, url);
      assert.equal(res.headers['vary'], 'Authorization, Cookie', url);
    }
  });

  test('app: responses outside the 2.0 API carry no X-MAAS-API-Hash', async () => {
    for (const url of ['/MAAS/api/version/', '/MAAS/api/1.0/', '/MAAS/accounts/login/']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.headers['x-maas-api-hash'], undefined, url);
    }
  });

  test('app: every response carries a Date header from the injected clock', async () => {
    const expected = new Date(t.clock.nowSeconds() * 1000).toUTCString();
    for (const url of ['/MAAS/api/2.0/version/', '/MAAS/api/2.0/users/', '/MAAS/api/version/', '/nowhere']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.headers['date'], expected, url);
    }
  });

  // --- request framing --------------------------------------------------------------------------

  test('app: a JSON request body is not parsed: MAAS reads form fields only', async () => {
    const url = '/MAAS/api/2.0/account/?op=create_authorisation_token';
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: { authorization: t.sign('POST', url), 'content-type': 'application/json' },
      payload: '{"name": "json-name"}',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).name, 'MAAS consumer');
  });

  test('app: a body over the limit answers 413', async () => {
    const url = '/MAAS/api/2.0/account/?op=create_authorisation_token';
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: { authorization: t.sign('POST', url), 'content-type': 'application/x-www-form-urlencoded' },
      payload: Buffer.alloc(32 * 1024 * 1024 + 1, 'a'),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Request body is too large.');
  });
});

// --- the error mapping, with a store that fails --------------------------------------------

describe('app: errors', () => {
  const lines: string[] = [];
  let failure: Error = new Error('boom');
  let clock: FakeClock;
  let store: Store;
  let dir: string;
  let app: ReturnType<typeof createApp>;
  let authorization: () => string;
  let counter = 0;

  before(async () => {
    clock = new FakeClock();
    const random = seededRandom('app-errors');
    ({ store, dir } = await openTestStore(clock, random));
    const admin = await store.createUser({ username: 'admin', email: 'a@example.com', password: 'pw', isSuperuser: true });
    const [key] = await store.listApiKeys(admin.id);
    assert.ok(key);
    const failing: Store = {
      ...store,
      listUsers: async () => {
        throw failure;
      },
    };
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    app = createApp({ store: failing, clock, randomBytes: random, logger: createLogger('info', sink) });
    await app.ready();
    authorization = () =>
      signRequest({ ...key, method: 'GET', url: 'http://localhost/MAAS/api/2.0/users/', timestamp: clock.nowSeconds(), nonce: `e-${++counter}` });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('app: an unexpected error answers 500 Internal server error. and is logged, without details', async () => {
    failure = new Error('boom: secret detail');
    lines.length = 0;
    const res = await app.inject({ method: 'GET', url: '/MAAS/api/2.0/users/', headers: { authorization: authorization() } });
    assert.equal(res.statusCode, 500);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Internal server error.');
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; err?: { message: string } });
    assert.ok(logged.some((l) => l.msg === 'unexpected error' && l.err?.message === 'boom: secret detail'));
  });

  test('app: an unavailable store answers 503 with Retry-After', async () => {
    failure = new StoreError('ERR_STORE_UNAVAILABLE', 'connection refused');
    const res = await app.inject({ method: 'GET', url: '/MAAS/api/2.0/users/', headers: { authorization: authorization() } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.body, 'The database is unavailable; try again shortly.');
  });

  test('app: a full nonce set (SQLite) answers 503 with Retry-After', async () => {
    failure = new StoreError('ERR_STORE_BUSY', 'Too many nonces are remembered; try again shortly.');
    const res = await app.inject({ method: 'GET', url: '/MAAS/api/2.0/users/', headers: { authorization: authorization() } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.body, 'Too many signed requests in the last few minutes; try again shortly.');
  });

  test('app: the request log line carries no Authorization and no OAuth values from the query', async () => {
    lines.length = 0;
    const res = await app.inject({
      method: 'GET',
      url: '/MAAS/api/2.0/version/?oauth_signature=%26topsecret&password=hunter2&op=x',
      headers: { authorization: authorization(), cookie: 'sessionid=cookie-secret' },
    });
    assert.equal(res.statusCode, 400);
    const text = lines.join('\n');
    assert.ok(text.includes('"status":400'), text);
    assert.ok(text.includes('oauth_signature=[redacted]'), text);
    for (const secret of ['topsecret', 'hunter2', 'cookie-secret', 'oauth_nonce', 'PLAINTEXT']) {
      assert.ok(!text.includes(secret), `${secret} is not logged`);
    }
  });
});
