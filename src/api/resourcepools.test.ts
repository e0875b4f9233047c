// resourcepools/ and resourcepool/{id}/ through the app: one test per status of the route
// contract (src/api/resourcepools.ts; spec/maas-resources.md §1.2, §2.10, §4).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { caller } from '../../test/helpers/calls.ts';
import type { ApiKeyParts } from '../model/index.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
type PoolJson = { id: number; name: string; description: string; resource_uri: string };

describe('resource pools', () => {
  let t: TestApp;
  let user: ApiKeyParts;
  let call: ReturnType<typeof caller>;
  before(async () => {
    t = await createTestApp();
    user = (await t.addUser('operator')).key;
    call = caller(t);
  });
  after(() => t.close());

  test('resourcepools: the default pool is id 0, "Default pool", under the singular resourcepool/', async () => {
    const res = await call('GET', 'resourcepools/', { key: user });
    assert.equal(res.status, 200);
    assert.equal(res.type, JSON_TYPE);
    assert.deepEqual(res.json, [{ id: 0, name: 'default', description: 'Default pool', resource_uri: '/MAAS/api/2.0/resourcepool/0/' }]);
  });

  test('resourcepools: create (admin) answers 200; the list is ordered by name', async () => {
    const res = await call('POST', 'resourcepools/', { form: { name: 'web', description: 'front ends' } });
    assert.equal(res.status, 200, res.body);
    const pool = res.json as PoolJson;
    assert.ok(pool.id > 0);
    assert.deepEqual(pool, { id: pool.id, name: 'web', description: 'front ends', resource_uri: `/MAAS/api/2.0/resourcepool/${pool.id}/` });
    await call('POST', 'resourcepools/', { form: { name: 'batch' } });
    assert.deepEqual(((await call('GET', 'resourcepools/')).json as PoolJson[]).map((p) => p.name), ['batch', 'default', 'web']);
  });

  test('resourcepools: create by a non-admin is 403 with an empty body', async () => {
    const res = await call('POST', 'resourcepools/', { key: user, form: { name: 'mine' } });
    assert.equal(res.status, 403);
    assert.equal(res.body, '');
  });

  test('resourcepools: a missing or taken name is 400 JSON', async () => {
    assert.deepEqual((await call('POST', 'resourcepools/', { form: {} })).json, { name: ['This field is required.'] });
    const dup = await call('POST', 'resourcepools/', { form: { name: 'default' } });
    assert.equal(dup.status, 400);
    assert.equal(dup.type, JSON_TYPE);
    assert.deepEqual(dup.json, { name: ['Resource pool with this Name already exists.'] });
  });

  test('resourcepool: read by id, by name, and with id:/name: specifiers', async () => {
    const pool = (await call('POST', 'resourcepools/', { form: { name: 'by-spec' } })).json as PoolJson;
    for (const spec of [String(pool.id), 'by-spec', `id:${pool.id}`, 'name:by-spec']) {
      const res = await call('GET', `resourcepool/${encodeURIComponent(spec)}/`, { key: user });
      assert.equal(res.status, 200, spec);
      assert.deepEqual(res.json, pool);
    }
  });

  test('resourcepool: an unknown id or name is 404 No ResourcePool matches the given query.', async () => {
    for (const spec of ['9999', 'ghost']) {
      const res = await call('GET', `resourcepool/${spec}/`);
      assert.equal(res.status, 404);
      assert.equal(res.type, 'text/plain');
      assert.equal(res.body, 'No ResourcePool matches the given query.');
    }
    assert.equal((await call('PUT', 'resourcepool/ghost/', { form: { name: 'x' } })).status, 404);
    assert.equal((await call('DELETE', 'resourcepool/ghost/')).status, 404);
  });

  test('resourcepool: update by name is partial (spec test_PUT_updates_pool_by_name)', async () => {
    const pool = (await call('POST', 'resourcepools/', { form: { name: 'edit-me', description: 'kept' } })).json as PoolJson;
    const res = await call('PUT', 'resourcepool/edit-me/', { form: { name: 'edited' } });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { ...pool, name: 'edited' });
    const dup = await call('PUT', `resourcepool/${pool.id}/`, { form: { name: 'default' } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.json, { name: ['Resource pool with this Name already exists.'] });
  });

  test('resourcepool: update and delete by a non-admin are 403 with an empty body', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await call(method, 'resourcepool/0/', { key: user, form: { description: 'x' } });
      assert.equal(res.status, 403);
      assert.equal(res.body, '');
    }
  });

  test('resourcepool: delete answers 204', async () => {
    const pool = (await call('POST', 'resourcepools/', { form: { name: 'short-lived' } })).json as PoolJson;
    const res = await call('DELETE', `resourcepool/${pool.id}/`);
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
    assert.equal((await call('GET', `resourcepool/${pool.id}/`)).status, 404);
  });

  test('resourcepool: the default pool cannot be deleted (400)', async () => {
    const res = await call('DELETE', 'resourcepool/0/');
    assert.equal(res.status, 400);
    assert.equal(res.type, TEXT);
    assert.equal(res.body, 'This is the default pool, it cannot be deleted.');
  });

  test('resourcepool: a pool holding machines cannot be deleted (400)', async () => {
    const pool = (await call('POST', 'resourcepools/', { form: { name: 'busy' } })).json as PoolJson;
    await t.store.createNode({ hostname: 'in-busy', architecture: 'amd64/generic', status: 4, poolId: pool.id, cpuCount: 1, memory: 1024, interfaces: [], blockDevices: [] });
    const res = await call('DELETE', 'resourcepool/busy/');
    assert.equal(res.status, 400);
    assert.equal(res.body, 'Pool has machines in it, it cannot be deleted.');
  });

  test('resourcepool: POST on an item is 405', async () => {
    assert.equal((await call('POST', 'resourcepool/0/')).status, 405);
  });
});
