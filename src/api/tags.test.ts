// tags/ through the app: one test per status of the route contract (src/api/tags.ts;
// spec/maas-resources.md §2.8, §4).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { caller } from '../../test/helpers/calls.ts';
import type { ApiKeyParts } from '../model/index.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

describe('tags', () => {
  let t: TestApp;
  let user: { key: ApiKeyParts; user: { id: number } };
  let call: ReturnType<typeof caller>;
  before(async () => {
    t = await createTestApp();
    user = await t.addUser('operator');
    call = caller(t);
  });
  after(() => t.close());

  async function machine(hostname: string, ownerId: number | null = null) {
    return t.store.createNode({ hostname, architecture: 'amd64/generic', status: 4, ownerId, cpuCount: 2, memory: 4096, interfaces: [], blockDevices: [] });
  }

  test('tags: create (admin) answers 200 with MAAS\'s shape; "" for unset strings', async () => {
    const res = await call('POST', 'tags/', { form: { name: 'gpu', comment: 'has a GPU' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.type, JSON_TYPE);
    assert.deepEqual(res.json, { name: 'gpu', definition: '', comment: 'has a GPU', kernel_opts: '', resource_uri: '/MAAS/api/2.0/tags/gpu/' });
  });

  test('tags: list is open to users, in creation order', async () => {
    await call('POST', 'tags/', { form: { name: 'aaa-later', definition: '//node[@class="system"]', kernel_opts: 'quiet' } });
    const res = await call('GET', 'tags/', { key: user.key });
    assert.equal(res.status, 200);
    const names = (res.json as Array<{ name: string }>).map((x) => x.name);
    assert.ok(names.indexOf('gpu') < names.indexOf('aaa-later'));
  });

  test('tags: create by a non-admin is 403 with an empty body', async () => {
    const res = await call('POST', 'tags/', { key: user.key, form: { name: 'mine' } });
    assert.equal(res.status, 403);
    assert.equal(res.body, '');
  });

  test('tags: invalid names, taken names and broken XPath are 400 JSON', async () => {
    assert.deepEqual((await call('POST', 'tags/', { form: {} })).json, { name: ['This field is required.'] });
    assert.deepEqual((await call('POST', 'tags/', { form: { name: 'has space' } })).json, { name: ['Enter a valid value.'] });
    assert.deepEqual((await call('POST', 'tags/', { form: { name: 'x'.repeat(257) } })).json, {
      name: ['Ensure this value has at most 256 characters (it has 257).'],
    });
    const dup = await call('POST', 'tags/', { form: { name: 'gpu' } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.json, { name: ['Tag with this Name already exists.'] });
    const xpath = await call('POST', 'tags/', { form: { name: 'broken', definition: '//node[@id="x"' } });
    assert.deepEqual(xpath.json, { definition: ['Invalid xpath expression: Invalid expression'] });
  });

  test('tags: read answers the tag; unknown is 404 No Tag matches the given query.', async () => {
    assert.equal(((await call('GET', 'tags/gpu/', { key: user.key })).json as { name: string }).name, 'gpu');
    const res = await call('GET', 'tags/ghost/');
    assert.equal(res.status, 404);
    assert.equal(res.type, 'text/plain');
    assert.equal(res.body, 'No Tag matches the given query.');
  });

  test('tags: update is partial; a rename moves the resource_uri and keeps the links', async () => {
    await call('POST', 'tags/', { form: { name: 'before', comment: 'kept' } });
    const m = await machine('renamed-tag-host');
    await call('POST', 'tags/before/?op=update_nodes', { form: { add: m.systemId } });
    const res = await call('PUT', 'tags/before/', { form: { name: 'after' } });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { name: 'after', definition: '', comment: 'kept', kernel_opts: '', resource_uri: '/MAAS/api/2.0/tags/after/' });
    assert.deepEqual((await t.store.findNode(m.systemId))?.tagNames, ['after']);
  });

  test('tags: update errors: 400 bad name, 403 non-admin (before the lookup), 404 unknown', async () => {
    assert.deepEqual((await call('PUT', 'tags/gpu/', { form: { name: 'a b' } })).json, { name: ['Enter a valid value.'] });
    const denied = await call('PUT', 'tags/ghost/', { key: user.key, form: { comment: 'x' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body, '');
    assert.equal((await call('PUT', 'tags/ghost/', { form: { comment: 'x' } })).status, 404);
  });

  test('tags: delete answers 204 and unlinks its machines; 403 non-admin; 404 unknown', async () => {
    await call('POST', 'tags/', { form: { name: 'temp' } });
    const m = await machine('temp-tag-host');
    await call('POST', 'tags/temp/?op=update_nodes', { form: { add: m.systemId } });
    assert.equal((await call('DELETE', 'tags/temp/', { key: user.key })).status, 403);
    const res = await call('DELETE', 'tags/temp/');
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
    assert.deepEqual((await t.store.findNode(m.systemId))?.tagNames, []);
    assert.equal((await call('DELETE', 'tags/temp/')).status, 404);
  });

  test('tags: update_nodes adds and removes by system_id and counts the nodes named', async () => {
    await call('POST', 'tags/', { form: { name: 'bulk' } });
    const a = await machine('bulk-a');
    const b = await machine('bulk-b');
    const added = await call('POST', 'tags/bulk/?op=update_nodes', { form: [['add', a.systemId], ['add', b.systemId], ['add', 'nonexist']] });
    assert.equal(added.status, 200, added.body);
    assert.deepEqual(added.json, { added: 2, removed: 0 });
    const removed = await call('POST', 'tags/bulk/?op=update_nodes', { form: [['remove', a.systemId]] });
    assert.deepEqual(removed.json, { added: 0, removed: 1 });
    assert.deepEqual((await t.store.findNode(b.systemId))?.tagNames, ['bulk']);
    assert.deepEqual((await t.store.findNode(a.systemId))?.tagNames, []);
  });

  test('tags: update_nodes with a stale definition is 409 text/plain', async () => {
    await call('POST', 'tags/', { form: { name: 'defined', definition: '//node' } });
    const res = await call('POST', 'tags/defined/?op=update_nodes', { form: { definition: '//other', add: 'x' } });
    assert.equal(res.status, 409);
    assert.equal(res.type, 'text/plain; charset=utf-8');
    assert.equal(res.body, "Definition supplied '//other' doesn't match current definition '//node'");
    assert.equal((await call('POST', 'tags/defined/?op=update_nodes', { form: { definition: '//node' } })).status, 200);
  });

  test('tags: update_nodes and rebuild are admin only (403 empty) and 404 for an unknown tag', async () => {
    for (const op of ['update_nodes', 'rebuild']) {
      const denied = await call('POST', `tags/gpu/?op=${op}`, { key: user.key });
      assert.equal(denied.status, 403);
      assert.equal(denied.body, '');
      assert.equal((await call('POST', `tags/ghost/?op=${op}`)).status, 404);
    }
  });

  test('tags: rebuild answers {"rebuilding": name}', async () => {
    const res = await call('POST', 'tags/gpu/?op=rebuild');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { rebuilding: 'gpu' });
  });

  test('tags: op=machines and op=nodes list the tagged machines the caller may view', async () => {
    await call('POST', 'tags/', { form: { name: 'seen' } });
    const free = await machine('seen-free');
    const mine = await machine('seen-mine', user.user.id);
    const other = await t.addUser('someone');
    const theirs = await machine('seen-theirs', other.user.id);
    await call('POST', 'tags/seen/?op=update_nodes', { form: [free, mine, theirs].map((m) => ['add', m.systemId] as const) });
    const asAdmin = await call('GET', 'tags/seen/?op=machines');
    assert.equal(asAdmin.status, 200);
    const adminList = asAdmin.json as Array<{ hostname: string; resource_uri: string; tag_names: string[] }>;
    assert.deepEqual(adminList.map((m) => m.hostname), ['seen-free', 'seen-mine', 'seen-theirs']);
    assert.equal(adminList[0]?.resource_uri, `/MAAS/api/2.0/machines/${free.systemId}/`);
    assert.deepEqual(adminList[0]?.tag_names, ['seen']);
    const asUser = await call('GET', 'tags/seen/?op=nodes', { key: user.key });
    assert.deepEqual((asUser.json as Array<{ hostname: string }>).map((m) => m.hostname), ['seen-free', 'seen-mine']);
    for (const op of ['devices', 'rack_controllers', 'region_controllers']) {
      assert.deepEqual((await call('GET', `tags/seen/?op=${op}`)).json, []);
    }
    assert.equal((await call('GET', 'tags/ghost/?op=machines')).status, 404);
  });

  test('tags: the machines filter selects by tag (machines/?tags=)', async () => {
    const tagged = await t.store.listNodes({ tags: ['seen'] });
    assert.deepEqual(tagged.map((n) => n.hostname), ['seen-free', 'seen-mine', 'seen-theirs']);
  });
});
