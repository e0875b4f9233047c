// version/ (VersionHandler, no authentication at all) through the app: spec/maas-resources.md
// §2.1, spec/maas-auth.md §6.1. The paths outside 2.0 are in src/server/app.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';

const VERSION = '/MAAS/api/2.0/version/';
const CAPABILITIES = [
  'networks-management',
  'static-ipaddresses',
  'ipv6-deployment-ubuntu',
  'devices-management',
  'storage-deployment-ubuntu',
  'network-deployment-ubuntu',
  'bridging-interface-ubuntu',
  'bridging-automatic-ubuntu',
  'authenticate-api',
];

describe('version/', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  function assertVersionBody(body: string): void {
    assert.deepEqual(JSON.parse(body), { capabilities: CAPABILITIES, version: '3.7.0', subversion: '' });
  }

  test('version: GET answers 200 JSON with the exact capabilities, in order', async () => {
    const res = await t.app.inject({ method: 'GET', url: VERSION });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assertVersionBody(res.body);
    const parsed = JSON.parse(res.body) as { capabilities: string[] };
    assert.ok(parsed.capabilities.includes('authenticate-api'), 'python-libmaas login() needs authenticate-api');
  });

  test('version: answers anonymously with no credentials at all', async () => {
    const res = await t.app.inject({ method: 'GET', url: VERSION, headers: {} });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['www-authenticate'], undefined);
  });

  test('version: a valid OAuth header is ignored', async () => {
    const res = await t.app.inject({ method: 'GET', url: VERSION, headers: { authorization: t.sign('GET', VERSION) } });
    assert.equal(res.statusCode, 200);
    assertVersionBody(res.body);
  });

  test('version: a broken OAuth header is ignored (no authentication on this resource)', async () => {
    for (const authorization of [
      'OAuth oauth_consumer_key="nope", oauth_token="nope", oauth_signature="&nope", oauth_signature_method="PLAINTEXT", oauth_timestamp="1", oauth_nonce="n"',
      'OAuth this is not, a header',
      'OAuth oauth_timestamp="not-a-number", oauth_consumer_key="a", oauth_token="b", oauth_signature="&c", oauth_signature_method="PLAINTEXT", oauth_nonce="n"',
      'Basic YWRtaW46YWRtaW4=',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: VERSION, headers: { authorization } });
      assert.equal(res.statusCode, 200, authorization);
      assertVersionBody(res.body);
    }
  });

  test('version: a stale session cookie is ignored too', async () => {
    const res = await t.app.inject({ method: 'GET', url: VERSION, headers: { cookie: 'sessionid=stale' } });
    assert.equal(res.statusCode, 200);
  });

  test('version: POST answers 405 with Allow: GET and an empty body', async () => {
    const res = await t.app.inject({ method: 'POST', url: VERSION });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['allow'], 'GET');
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body, '');
  });

  test('version: PUT and DELETE answer 405 too, even with a broken OAuth header', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: VERSION, headers: { authorization: 'OAuth broken' } });
      assert.equal(res.statusCode, 405, method);
      assert.equal(res.headers['allow'], 'GET');
    }
  });

  test('version: GET ?op=anything answers 400 Unrecognised signature', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${VERSION}?op=bogus` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Unrecognised signature: method=GET op=bogus');
  });

  test('version: carries X-MAAS-API-Hash', async () => {
    const res = await t.app.inject({ method: 'GET', url: VERSION });
    assert.match(String(res.headers['x-maas-api-hash']), /^[0-9a-f]{40}$/);
  });
});
