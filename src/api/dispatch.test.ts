// MAAS's dispatch conventions through the app (spec/maas-auth.md §6.3 and §9,
// spec/maas-resources.md §1.2, §2.0 and §5): where the op comes from, the unknown-path 404,
// 405 before 400, `format`, and the anonymous-handler quirk.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import type { ApiKeyParts } from '../model/index.ts';
import { createRouter } from './dispatch.ts';
import { RESOURCES } from './index.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const TEXT = 'text/plain; charset=utf-8';

describe('dispatch', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  function signed(method: Method, url: string, options: { key?: ApiKeyParts; form?: string } = {}) {
    const headers: Record<string, string> = { authorization: t.sign(method, url, options.key ? { key: options.key } : {}) };
    if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return t.app.inject({ method, url, headers, ...(options.form !== undefined ? { payload: options.form } : {}) });
  }

  function assertText(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, body: string) {
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.headers['content-type'], TEXT);
    assert.equal(res.body, body);
  }

  // --- unknown paths ---------------------------------------------------------------------------

  test('dispatch: an unknown API path answers 404 Unknown API endpoint with the full path', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/foo/' });
    assertText(res, 404, 'Unknown API endpoint: /MAAS/api/2.0/foo/.');
  });

  test('dispatch: the 404 names the path without its query string', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/foo/bar/?op=x&y=1' });
    assertText(res, 404, 'Unknown API endpoint: /MAAS/api/2.0/foo/bar/.');
  });

  test('dispatch: /MAAS/api/2.0/machines without a slash answers 404, not a redirect', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/machines', headers: { authorization: t.sign('GET', '/MAAS/api/2.0/machines') } });
    assertText(res, 404, 'Unknown API endpoint: /MAAS/api/2.0/machines.');
    assert.equal(res.headers['location'], undefined);
  });

  test('dispatch: the unknown-path 404 needs no authentication and ignores a broken header', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: '/MAAS/api/2.0/nothing-here/', headers: { authorization: 'OAuth garbage' } });
      assertText(res, 404, 'Unknown API endpoint: /MAAS/api/2.0/nothing-here/.');
    }
  });

  // --- where the op comes from --------------------------------------------------------------

  test('dispatch: op is read from the query string', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/?op=whoami');
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).username, 'admin');
  });

  test('dispatch: op is read from the body of a POST', async () => {
    const res = await signed('POST', '/MAAS/api/2.0/account/', { form: 'op=create_authorisation_token&name=from-body' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).name, 'from-body');
  });

  test('dispatch: the query op wins over the body op', async () => {
    const res = await signed('POST', '/MAAS/api/2.0/account/?op=bogus', { form: 'op=create_authorisation_token' });
    assertText(res, 400, 'Unrecognised signature: method=POST op=bogus');
  });

  test('dispatch: an empty ?op= counts as no op, so the body op is used', async () => {
    const res = await signed('POST', '/MAAS/api/2.0/account/?op=', { form: 'op=create_authorisation_token&name=x' });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('dispatch: an empty ?op= on GET is the read (gomaasapi sends ?op= always)', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/?op=');
    assert.equal(res.statusCode, 200);
    assert.ok(Array.isArray(JSON.parse(res.body)));
  });

  test('dispatch: an empty ?op= on POST is the create', async () => {
    const res = await signed('POST', '/MAAS/api/2.0/users/?op=', { form: 'username=gomaas&email=g@example.com&password=pw&is_superuser=0' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).username, 'gomaas');
  });

  test('dispatch: the /op-<name> path alias selects the op (no trailing slash)', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/op-whoami');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).username, 'admin');
  });

  test('dispatch: the /op-<name> alias works for POST ops', async () => {
    const res = await signed('POST', '/MAAS/api/2.0/account/op-create_authorisation_token', { form: 'name=alias' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).name, 'alias');
  });

  test('dispatch: a query op wins over the /op-<name> alias', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/op-whoami?op=bogus');
    assertText(res, 400, 'Unrecognised signature: method=GET op=bogus');
  });

  test('dispatch: an unknown /op-<name> alias answers 400 Unrecognised signature', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/op-nothing');
    assertText(res, 400, 'Unrecognised signature: method=GET op=nothing');
  });

  test('dispatch: /op-<name>/ with a trailing slash is an item path (users/{username}/)', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/op-whoami/');
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, 'No User matches the given query.');
  });

  test('dispatch: POST ?op=bogus answers 400 Unrecognised signature: method=POST op=bogus', async () => {
    const res = await signed('POST', '/MAAS/api/2.0/users/?op=bogus');
    assertText(res, 400, 'Unrecognised signature: method=POST op=bogus');
  });

  test('dispatch: GET with a POST-only op answers 400', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/account/?op=create_authorisation_token');
    assertText(res, 400, 'Unrecognised signature: method=GET op=create_authorisation_token');
  });

  test('dispatch: a method the handler lacks answers 405 with Allow before any op lookup', async () => {
    const res = await signed('PUT', '/MAAS/api/2.0/users/?op=bogus');
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body, '');
    assert.deepEqual(String(res.headers['allow']).split(', ').sort(), ['GET', 'POST']);
  });

  test('dispatch: authentication comes before 405: anonymous DELETE account/ is 401', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/MAAS/api/2.0/account/' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.body.split('\n')[0], 'Forbidden');
  });

  // --- format -------------------------------------------------------------------------------

  test('dispatch: ?format=xml answers 400 Invalid output format specified', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/?format=xml');
    assertText(res, 400, "Invalid output format specified 'xml'.");
  });

  test('dispatch: ?format=json is accepted', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/users/?format=json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  });

  test('dispatch: ?format= is checked for anonymous handlers too', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/nodes/?op=is_registered&mac_address=00:11:22:33:44:55&format=yaml' });
    assertText(res, 400, "Invalid output format specified 'yaml'.");
  });

  // --- the anonymous-handler quirk ----------------------------------------------------------

  test('dispatch: anonymous GET machines/ answers 400 Unrecognised signature: method=GET op=None', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/machines/' });
    assertText(res, 400, 'Unrecognised signature: method=GET op=None');
  });

  test('dispatch: anonymous GET nodes/ answers the same 400', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/nodes/' });
    assertText(res, 400, 'Unrecognised signature: method=GET op=None');
  });

  test('dispatch: an incomplete OAuth header on nodes/ falls to the anonymous handler too', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/MAAS/api/2.0/nodes/',
      headers: { authorization: 'OAuth oauth_consumer_key="a", oauth_token="b"' },
    });
    assertText(res, 400, 'Unrecognised signature: method=GET op=None');
  });

  test('dispatch: anonymous GET nodes/?op=is_registered works', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/nodes/?op=is_registered&mac_address=00:16:3e:00:00:01' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.body, 'false');
  });

  test('dispatch: anonymous is_registered without mac_address answers 400 No provided mac_address!', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/nodes/?op=is_registered' });
    assertText(res, 400, 'No provided mac_address!');
  });

  test('dispatch: anonymous GET users/ answers 401 Forbidden (text/plain, no WWW-Authenticate)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/MAAS/api/2.0/users/' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body.split('\n')[0], 'Forbidden');
    assert.equal(res.headers['www-authenticate'], undefined);
    assert.match(String(res.headers['vary']), /Authorization/);
  });

  test('dispatch: anonymous POST on a resource whose anonymous twin has no POST answers 401', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/MAAS/api/2.0/nodes/?op=is_registered' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.body.split('\n')[0], 'Forbidden');
  });

  test('dispatch: a bad signature on anonymous-capable nodes/?op=is_registered answers 401 (the auth error aborts)', async () => {
    const url = '/MAAS/api/2.0/nodes/?op=is_registered&mac_address=00:16:3e:00:00:01';
    const authorization = t.sign('GET', url, { key: { ...t.adminKey, tokenSecret: 'wrong-secret-wrong-secret-wrong!' } });
    const res = await t.app.inject({ method: 'GET', url, headers: { authorization } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['www-authenticate'], 'OAuth realm="OAuth"');
    assert.equal(res.body.split('\n')[0], "Authorization Error: 'Invalid signature.'");
  });

  test('dispatch: an authenticated caller gets the full handler (no anonymous-only ops)', async () => {
    const res = await signed('GET', '/MAAS/api/2.0/nodes/?op=is_action_in_progress&mac_address=00:16:3e:00:00:01');
    assertText(res, 400, 'Unrecognised signature: method=GET op=is_action_in_progress');
  });

  // --- the router (pure) --------------------------------------------------------------------

  test('dispatch: the router percent-decodes path placeholders and the /op- suffix', () => {
    const router = createRouter([...RESOURCES]);
    const item = router.match('/MAAS/api/2.0/users/j%C3%B6rg/');
    assert.deepEqual(item?.path, { username: 'jörg' });
    assert.equal(item?.pathOp, undefined);
    const alias = router.match('/MAAS/api/2.0/users/op-who%61mi');
    assert.equal(alias?.compiled.resource.path, 'users/');
    assert.equal(alias?.pathOp, 'whoami');
    const bad = router.match('/MAAS/api/2.0/users/%E0%A4%A/');
    assert.deepEqual(bad?.path, { username: '%E0%A4%A' });
    assert.equal(router.match('/MAAS/api/2.0/users'), undefined);
    assert.equal(router.match('/MAAS/api/2.0/users/a/b/'), undefined);
  });
});
