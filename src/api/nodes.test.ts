// nodes/ and machines/ through the app, one test per status of the route contract
// (src/api/nodes.ts; spec/maas-resources.md §2.5, spec/maas-auth.md §6.2, DESIGN D1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import type { ApiKeyParts } from '../model/index.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const MAC = '52:54:00:12:34:56';

describe('nodes and machines', () => {
  let t: TestApp;
  let user: { key: ApiKeyParts };
  before(async () => {
    t = await createTestApp();
    user = await t.addUser('operator');
  });
  after(() => t.close());

  function signed(method: Method, url: string, key?: ApiKeyParts) {
    return t.app.inject({ method, url, headers: { authorization: t.sign(method, url, key ? { key } : {}) } });
  }

  for (const [collection, model] of [
    ['nodes', 'Node'],
    ['machines', 'Machine'],
  ] as const) {
    const base = `/MAAS/api/2.0/${collection}/`;

    test(`${collection}: read answers 200 [] for an admin and for a user`, async () => {
      for (const key of [t.adminKey, user.key]) {
        const res = await signed('GET', base, key);
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], JSON_TYPE);
        assert.equal(res.body, '[]');
      }
    });

    test(`${collection}: the docs' ?op=list answers as a read (DESIGN D1)`, async () => {
      const res = await signed('GET', `${base}?op=list`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.body, '[]');
    });

    test(`${collection}: ?op=list is not offered to anonymous callers`, async () => {
      const res = await t.app.inject({ method: 'GET', url: `${base}?op=list` });
      assert.equal(res.statusCode, 400);
      assert.equal(res.body, 'Unrecognised signature: method=GET op=list');
    });

    test(`${collection}: is_registered answers 200 false (authenticated)`, async () => {
      const res = await signed('GET', `${base}?op=is_registered&mac_address=${MAC}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.equal(res.body, 'false');
    });

    test(`${collection}: is_registered answers 200 false anonymously`, async () => {
      const res = await t.app.inject({ method: 'GET', url: `${base}?op=is_registered&mac_address=${MAC}` });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, 'false');
    });

    test(`${collection}: is_registered answers 400 No provided mac_address! (authenticated and anonymous)`, async () => {
      for (const res of [
        await signed('GET', `${base}?op=is_registered`),
        await t.app.inject({ method: 'GET', url: `${base}?op=is_registered` }),
      ]) {
        assert.equal(res.statusCode, 400);
        assert.equal(res.headers['content-type'], TEXT);
        assert.equal(res.body, 'No provided mac_address!');
      }
    });

    test(`${collection}: is_action_in_progress answers 200 false anonymously`, async () => {
      const res = await t.app.inject({ method: 'GET', url: `${base}?op=is_action_in_progress&mac_address=${MAC}` });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, 'false');
    });

    test(`${collection}: is_action_in_progress answers 400 No provided mac_address! anonymously`, async () => {
      const res = await t.app.inject({ method: 'GET', url: `${base}?op=is_action_in_progress` });
      assert.equal(res.statusCode, 400);
      assert.equal(res.body, 'No provided mac_address!');
    });

    test(`${collection}: anonymous GET without an op answers 400 Unrecognised signature: method=GET op=None`, async () => {
      const res = await t.app.inject({ method: 'GET', url: base });
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.body, 'Unrecognised signature: method=GET op=None');
    });

    test(`${collection}: GET ?op=bogus answers 400 Unrecognised signature`, async () => {
      const res = await signed('GET', `${base}?op=bogus`);
      assert.equal(res.statusCode, 400);
      assert.equal(res.body, 'Unrecognised signature: method=GET op=bogus');
    });

    test(`${collection}: a bad signature on ?op=is_registered answers 401, not the anonymous answer`, async () => {
      const url = `${base}?op=is_registered&mac_address=${MAC}`;
      const authorization = t.sign('GET', url, { key: { ...user.key, tokenSecret: 'not-the-secret-not-the-secret-00' } });
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'OAuth realm="OAuth"');
      assert.equal(res.body.split('\n')[0], "Authorization Error: 'Invalid signature.'");
    });

    test(`${collection}/{system_id}/: read answers 404 No ${model} matches the given query.`, async () => {
      const res = await signed('GET', `${base}abc123/`);
      assert.equal(res.statusCode, 404);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.body, `No ${model} matches the given query.`);
    });

    test(`${collection}/{system_id}/: anonymous read answers 401 Forbidden (no anonymous handler)`, async () => {
      const res = await t.app.inject({ method: 'GET', url: `${base}abc123/` });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.body.split('\n')[0], 'Forbidden');
    });

    test(`${collection}: PUT answers 405 with Allow: GET`, async () => {
      const res = await signed('PUT', base);
      assert.equal(res.statusCode, 405);
      // MAAS's Allow also lists the ops not served yet (POST set_zone, DELETE on items).
      assert.ok(String(res.headers['allow']).split(', ').includes('GET'));
      assert.equal(res.body, '');
    });
  }

  test('nodes/{system_id}/: POST answers 405 (NodeHandler has no POST ops)', async () => {
    const res = await signed('POST', '/MAAS/api/2.0/nodes/abc123/');
    assert.equal(res.statusCode, 405);
    assert.ok(!String(res.headers['allow']).split(', ').includes('POST'));
  });
});
