// The inventory part of the Store contract (src/store/machines.ts): run by storeContract on
// every implementation, SQLite and PostgreSQL alike.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateHardware, lifecycle, NODE_STATUS as S, type RandomBytes } from '../model/index.ts';
import { onFreshStore, type StoreFactory } from './contract-support.ts';
import type { NewNode } from './machines.ts';

function counterRandom(seed: number): RandomBytes {
  let n = seed;
  return (size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      n = (n * 1103515245 + 12345) >>> 0;
      out[i] = n >>> 16;
    }
    return out;
  };
}

function newNode(i: number, overrides: Partial<NewNode> = {}): NewNode {
  const hw = generateHardware(counterRandom(i), { interfaces: 2, disks: 2 });
  return {
    hostname: `node-${i}`,
    architecture: hw.architecture,
    status: S.READY,
    cpuCount: 4 + i,
    memory: 8192,
    powerType: 'virsh',
    interfaces: hw.interfaces,
    blockDevices: hw.blockDevices,
    ...overrides,
  };
}

export function inventoryContract(name: string, factory: StoreFactory): void {
  describe(`store contract (inventory): ${name}`, () => {
    const withStore = onFreshStore(factory);

    test('inventory: a node is created with its interfaces and disks, in the default zone and pool', () =>
      withStore(async (store) => {
        const node = await store.createNode(newNode(1));
        assert.match(node.systemId, /^[34678abcdefghkmnpqrstwxy]{6}$/);
        assert.equal(node.zone.id, 1);
        assert.equal(node.zone.name, 'default');
        assert.deepEqual(node.pool, { id: 0, name: 'default', description: 'Default pool' });
        assert.equal(node.interfaces.length, 2);
        assert.equal(node.blockDevices.length, 2);
        assert.equal((await store.findNode(node.systemId))?.hostname, 'node-1');
        await assert.rejects(store.createNode(newNode(1)), { code: 'ERR_STORE_DUPLICATE' });
      }));

    test('inventory: lists filter by status, owner, MAC and visibility, ordered by id', () =>
      withStore(async (store) => {
        const u = await store.createUser({ username: 'own', email: 'o@x', password: 'pw', isSuperuser: false });
        const a = await store.createNode(newNode(1));
        const b = await store.createNode(newNode(2, { status: S.ALLOCATED, ownerId: u.id }));
        await store.createNodes([newNode(3, { status: S.DEPLOYED, ownerId: u.id }), newNode(4)]);
        assert.equal((await store.listNodes({})).length, 4);
        assert.deepEqual((await store.listNodes({ statuses: [S.ALLOCATED] })).map((n) => n.systemId), [b.systemId]);
        assert.deepEqual((await store.listNodes({ macAddresses: [a.interfaces[0]!.macAddress] })).map((n) => n.systemId), [a.systemId]);
        assert.equal((await store.listNodes({ ownerIds: [u.id] })).length, 2);
        assert.equal((await store.listNodes({ visibleTo: { userId: u.id + 100, isAdmin: false } })).length, 2);
        assert.equal((await store.listNodes({ minCpuCount: 7 })).length, 2);
        assert.equal(await store.countNodes({}), 4);
        const all = await store.listNodes({});
        assert.deepEqual(all.map((n) => n.id), [...all.map((n) => n.id)].sort((x, y) => x - y));
        assert.ok(all.every((n) => n.interfaces.length === 2 && n.blockDevices.length === 2));
      }));

    test('inventory: twenty concurrent allocations of the last Ready node — exactly one wins', () =>
      withStore(async (store, clock) => {
        await store.createNode(newNode(1));
        const u = await store.createUser({ username: 'racer', email: 'r@x', password: 'pw', isSuperuser: false });
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.allocateNode({}, lifecycle.allocation(u.id, ''), clock.seconds)),
        );
        assert.equal(results.filter((r) => r !== undefined).length, 1);
        const [node] = await store.listNodes({});
        assert.equal(node?.status, S.ALLOCATED);
        assert.equal(node?.owner, 'racer');
      }));

    test('inventory: two handles allocating at once never hand out one node twice', () =>
      withStore(async (store, clock, reopen) => {
        await store.createNodes([newNode(1), newNode(2), newNode(3)]);
        const u = await store.createUser({ username: 'two', email: 't@x', password: 'pw', isSuperuser: false });
        const other = await reopen();
        try {
          const results = await Promise.all(
            Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).allocateNode({}, lifecycle.allocation(u.id, ''), clock.seconds)),
          );
          const won = results.filter((r) => r !== undefined).map((r) => r!.systemId);
          assert.equal(won.length, 3);
          assert.equal(new Set(won).size, 3);
        } finally {
          await other.close();
        }
      }));

    test('inventory: allocation picks the cheapest match (cpu_count + memory/1024)', () =>
      withStore(async (store, clock) => {
        await store.createNodes([newNode(5), newNode(1), newNode(3)]);
        const u = await store.createUser({ username: 'cheap', email: 'c@x', password: 'pw', isSuperuser: false });
        const got = await store.allocateNode({}, lifecycle.allocation(u.id, 'juju'), clock.seconds);
        assert.equal(got?.hostname, 'node-1');
        assert.equal(got?.agentName, 'juju');
        const dry = await store.allocateNode({}, lifecycle.allocation(u.id, ''), clock.seconds, true);
        assert.equal(dry?.status, S.READY);
      }));

    test('inventory: a step applies only from the status it was computed for', () =>
      withStore(async (store, clock) => {
        const node = await store.createNode(newNode(1, { status: S.ALLOCATED }));
        const step = lifecycle.deploy(node, node.ownerId ?? 0, { osystem: 'ubuntu', distroSeries: 'jammy', hweKernel: null });
        assert.equal(await store.applyStep(node.systemId, { status: S.READY }, step, clock.seconds, 5), false);
        assert.equal(await store.applyStep(node.systemId, { status: S.ALLOCATED }, step, clock.seconds, 5), true);
        const after = (await store.findNode(node.systemId))!;
        assert.equal(after.status, S.DEPLOYING);
        assert.equal(after.ipAddresses.length, 1);
        assert.deepEqual(await store.pendingTransitions(), [{ systemId: node.systemId, kind: 'deploying', fromStatus: S.DEPLOYING, dueAt: clock.seconds + 5 }]);
      }));

    test('inventory: due steps run once, at their time, whichever handle advances', () =>
      withStore(async (store, clock, reopen) => {
        const u = await store.createUser({ username: 'adm', email: 'a@x', password: 'pw', isSuperuser: true });
        const node = await store.createNode(newNode(1, { status: S.NEW }));
        await store.applyStep(node.systemId, { status: S.NEW }, lifecycle.commission(node, u.id), clock.seconds, 5);
        assert.equal(await store.advanceDue(clock.seconds + 4, 5), 0);
        const other = await reopen();
        try {
          // One after the other: two handles in one process must not interleave SQLite write
          // transactions (better-sqlite3 waits for a lock synchronously); separate processes may.
          const first = await store.advanceDue(clock.seconds + 5, 5);
          const second = await other.advanceDue(clock.seconds + 5, 5);
          assert.equal(first + second, 1);
          assert.equal((await store.findNode(node.systemId))?.status, S.TESTING);
          assert.equal(await other.advanceDue(clock.seconds + 10, 5), 1);
          assert.equal(await store.advanceDue(clock.seconds + 10, 5), 0);
          const done = (await other.findNode(node.systemId))!;
          assert.equal(done.status, S.READY);
          assert.equal(done.ownerId, null);
          assert.deepEqual(await store.pendingTransitions(), []);
        } finally {
          await other.close();
        }
      }));

    test('inventory: a pending step survives closing and reopening the store', () =>
      withStore(async (store, clock, reopen) => {
        const node = await store.createNode(newNode(1, { status: S.ALLOCATED }));
        await store.applyStep(node.systemId, { status: S.ALLOCATED }, lifecycle.deploy(node, 1, { osystem: 'ubuntu', distroSeries: 'jammy', hweKernel: null }), clock.seconds, 5);
        const other = await reopen();
        try {
          assert.equal(await other.advanceDue(clock.seconds + 5, 5), 1);
          assert.equal((await store.findNode(node.systemId))?.status, S.DEPLOYED);
        } finally {
          await other.close();
        }
      }));

    test('inventory: update, names and delete', () =>
      withStore(async (store, clock) => {
        const node = await store.createNode(newNode(1));
        assert.equal(await store.updateNode(node.systemId, { description: 'd', cpuCount: 99 }, clock.seconds), true);
        const got = (await store.findNode(node.systemId))!;
        assert.equal(got.description, 'd');
        assert.equal(got.cpuCount, 99);
        assert.deepEqual([...(await store.inventoryIds('zone', ['default', 'nope'])).entries()], [['default', 1]]);
        assert.deepEqual([...(await store.inventoryIds('pool', ['default'])).entries()], [['default', 0]]);
        assert.equal((await store.macOwners([node.interfaces[0]!.macAddress])).get(node.interfaces[0]!.macAddress), 'node-1');
        assert.equal(await store.deleteNode(node.systemId), true);
        assert.equal(await store.deleteNode(node.systemId), false);
        assert.equal(await store.findNode(node.systemId), undefined);
      }));
  });
}
