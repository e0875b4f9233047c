// zones/ through the app: one test per status of the route contract (src/api/zones.ts;
// spec/maas-resources.md §2.9, §4).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { caller } from '../../test/helpers/calls.ts';
import type { ApiKeyParts } from '../model/index.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';

describe('zones', () => {
  let t: TestApp;
  let user: ApiKeyParts;
  let call: ReturnType<typeof caller>;
  before(async () => {
    t = await createTestApp();
    user = (await t.addUser('operator')).key;
    call = caller(t);
  });
  after(() => t.close());

  test('zones: the default zone exists, id 1, with its resource_uri', async () => {
    const res = await call('GET', 'zones/', { key: user });
    assert.equal(res.status, 200);
    assert.equal(res.type, JSON_TYPE);
    assert.deepEqual(res.json, [{ id: 1, name: 'default', description: '', resource_uri: '/MAAS/api/2.0/zones/default/' }]);
  });

  test('zones: create (admin) answers 200 with the zone; list is ordered by name', async () => {
    const b = await call('POST', 'zones/', { form: { name: 'zone-b', description: 'rack B' } });
    assert.equal(b.status, 200, b.body);
    assert.deepEqual(b.json, { id: (b.json as { id: number }).id, name: 'zone-b', description: 'rack B', resource_uri: '/MAAS/api/2.0/zones/zone-b/' });
    assert.equal(typeof (b.json as { id: unknown }).id, 'number');
    await call('POST', 'zones/?op=', { form: { name: 'a zone' } });
    const list = await call('GET', 'zones/');
    assert.deepEqual((list.json as Array<{ name: string }>).map((z) => z.name), ['a zone', 'default', 'zone-b']);
  });

  test('zones: create by a non-admin is 403 admin_method', async () => {
    const res = await call('POST', 'zones/', { key: user, form: { name: 'nope' } });
    assert.equal(res.status, 403);
    assert.equal(res.body, 'This method is reserved for admin users.');
  });

  test('zones: create without a name, with a bad name, or a taken one is 400 JSON', async () => {
    const missing = await call('POST', 'zones/', { form: { description: 'x' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.type, JSON_TYPE);
    assert.deepEqual(missing.json, { name: ['This field is required.'] });
    const bad = await call('POST', 'zones/', { form: { name: '-starts-with-dash' } });
    assert.deepEqual(bad.json, { name: ['Enter a valid value.'] });
    await call('POST', 'zones/', { form: { name: 'dup' } });
    const dup = await call('POST', 'zones/', { form: { name: 'dup' } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.json, { name: ['Physical zone with this Name already exists.'] });
  });

  test('zones: read an unknown zone is 404 No Zone matches the given query.', async () => {
    const res = await call('GET', 'zones/nowhere/', { key: user });
    assert.equal(res.status, 404);
    assert.equal(res.type, 'text/plain');
    assert.equal(res.body, 'No Zone matches the given query.');
  });

  test('zones: update is partial, renames move the resource_uri, the default zone may be renamed', async () => {
    await call('POST', 'zones/', { form: { name: 'old', description: 'kept' } });
    const res = await call('PUT', 'zones/old/', { form: { name: 'new' } });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { id: (res.json as { id: number }).id, name: 'new', description: 'kept', resource_uri: '/MAAS/api/2.0/zones/new/' });
    assert.equal((await call('GET', 'zones/old/')).status, 404);
    const renamed = await call('PUT', 'zones/default/', { form: { name: 'main' } });
    assert.equal(renamed.status, 200);
    assert.equal((renamed.json as { id: number }).id, 1);
    await call('PUT', 'zones/main/', { form: { name: 'default' } });
  });

  test('zones: update with a bad or taken name is 400; unknown 404; non-admin 403', async () => {
    await call('POST', 'zones/', { form: { name: 'u1' } });
    assert.deepEqual((await call('PUT', 'zones/u1/', { form: { name: 'default' } })).json, {
      name: ['Physical zone with this Name already exists.'],
    });
    assert.deepEqual((await call('PUT', 'zones/u1/', { form: { name: '' } })).json, { name: ['This field is required.'] });
    assert.equal((await call('PUT', 'zones/ghost/', { form: { name: 'x' } })).status, 404);
    const denied = await call('PUT', 'zones/u1/', { key: user, form: { description: 'x' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body, 'This method is reserved for admin users.');
  });

  test('zones: delete is 204, also for an unknown zone; its machines move to the default zone', async () => {
    const zone = (await call('POST', 'zones/', { form: { name: 'doomed' } })).json as { id: number };
    const node = await t.store.createNode({
      hostname: 'in-doomed',
      architecture: 'amd64/generic',
      status: 4,
      zoneId: zone.id,
      cpuCount: 2,
      memory: 2048,
      interfaces: [],
      blockDevices: [],
    });
    const res = await call('DELETE', 'zones/doomed/');
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
    assert.equal((await t.store.findNode(node.systemId))?.zone.name, 'default');
    assert.equal((await call('DELETE', 'zones/doomed/')).status, 204);
  });

  test('zones: deleting the default zone is 400 text/plain', async () => {
    const res = await call('DELETE', 'zones/default/');
    assert.equal(res.status, 400);
    assert.equal(res.type, TEXT);
    assert.equal(res.body, 'This zone is the default zone, it cannot be deleted.');
  });

  test('zones: delete by a non-admin is 403', async () => {
    const res = await call('DELETE', 'zones/default/', { key: user });
    assert.equal(res.status, 403);
    assert.equal(res.body, 'This method is reserved for admin users.');
  });

  test('zones: POST on an item is 405', async () => {
    const res = await call('POST', 'zones/default/');
    assert.equal(res.status, 405);
  });
});
