// The Store contract for tags, zones, pools and VM hosts (spec/maas-resources.md §2.7–§2.10),
// run by storeContract() against every implementation (STYLE 8).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onFreshStore, type StoreFactory } from './contract-support.ts';
import type { NewPod } from './pods.ts';

const NODE = { architecture: 'amd64/generic', status: 4, cpuCount: 2, memory: 2048, interfaces: [], blockDevices: [] };

const POD: NewPod = {
  name: 'kvm',
  type: 'virsh',
  powerParameters: { power_address: 'qemu+ssh://h/system', power_pass: 'pod-secret' },
  tags: ['a'],
  zoneId: 1,
  poolId: 0,
  cpuOverCommitRatio: 1.5,
  memoryOverCommitRatio: 1,
  defaultStoragePool: 'p1',
  defaultMacvlanMode: null,
  cores: 8,
  memory: 16384,
  cpuSpeed: 2000,
  architectures: ['amd64/generic'],
  capabilities: ['composable'],
  storagePools: [{ id: 'p1', name: 'default', type: 'dir', path: '/var/lib/libvirt/images', total: 100_000_000_000 }],
  version: '8.0.0',
};

export function groupsContract(name: string, factory: StoreFactory): void {
  describe(`store contract (tags, zones, pools, pods): ${name}`, () => {
    const withStore = onFreshStore(factory);

    test('store: the default zone (id 1) and pool (id 0) exist; zones and pools list by name', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.listZones(), [{ id: 1, name: 'default', description: '' }]);
        assert.deepEqual(await store.listPools(), [{ id: 0, name: 'default', description: 'Default pool' }]);
        await store.createZone({ name: 'b', description: '' });
        await store.createZone({ name: 'a', description: 'first' });
        assert.deepEqual((await store.listZones()).map((z) => z.name), ['a', 'b', 'default']);
        const pool = await store.createPool({ name: 'web', description: 'x' });
        assert.ok(pool.id > 0, 'a sequence never hands out the default pool id 0');
        assert.deepEqual(await store.findPoolByName('web'), pool);
      }));

    test('store: duplicate zone, pool, tag and pod names are ERR_STORE_DUPLICATE', () =>
      withStore(async (store) => {
        await store.createZone({ name: 'z', description: '' });
        await assert.rejects(store.createZone({ name: 'z', description: '' }), { code: 'ERR_STORE_DUPLICATE' });
        await assert.rejects(store.createPool({ name: 'default', description: '' }), { code: 'ERR_STORE_DUPLICATE' });
        await store.createTag({ name: 't', definition: '', comment: '', kernelOpts: '' });
        await assert.rejects(store.createTag({ name: 't', definition: '', comment: '', kernelOpts: '' }), { code: 'ERR_STORE_DUPLICATE' });
        await store.createPod(POD);
        await assert.rejects(store.createPod(POD), { code: 'ERR_STORE_DUPLICATE' });
        const other = await store.createZone({ name: 'other', description: '' });
        await assert.rejects(store.updateZone(other.id, { name: 'z' }), { code: 'ERR_STORE_DUPLICATE' });
      }));

    test('store: deleting a zone moves its nodes and pods to the default zone', () =>
      withStore(async (store) => {
        const zone = await store.createZone({ name: 'gone', description: '' });
        const node = await store.createNode({ ...NODE, hostname: 'n1', zoneId: zone.id });
        const pod = await store.createPod({ ...POD, zoneId: zone.id });
        assert.equal(await store.deleteZone(zone.id), true);
        assert.equal((await store.findNode(node.systemId))?.zone.id, 1);
        assert.equal((await store.findPod(pod.id))?.zoneId, 1);
        assert.equal(await store.deleteZone(1), false, 'the default zone stays');
      }));

    test('store: pools count their machines; deleting one moves its pods to the default pool', () =>
      withStore(async (store) => {
        const pool = await store.createPool({ name: 'p', description: '' });
        await store.createNode({ ...NODE, hostname: 'n1', poolId: pool.id });
        assert.equal(await store.countPoolMachines(pool.id), 1);
        const empty = await store.createPool({ name: 'e', description: '' });
        const pod = await store.createPod({ ...POD, poolId: empty.id });
        assert.equal(await store.deletePool(empty.id), true);
        assert.equal((await store.findPod(pod.id))?.poolId, 0);
        assert.equal(await store.deletePool(0), false);
      }));

    test('store: tags link to nodes by system id, counted as MAAS counts them, and go with the node', () =>
      withStore(async (store) => {
        const tag = await store.createTag({ name: 'gpu', definition: '', comment: 'c', kernelOpts: 'k' });
        const a = await store.createNode({ ...NODE, hostname: 'a' });
        const b = await store.createNode({ ...NODE, hostname: 'b' });
        assert.deepEqual(await store.updateTagNodes(tag.id, [a.systemId, b.systemId, 'nosuch'], []), { added: 2, removed: 0 });
        assert.deepEqual(await store.updateTagNodes(tag.id, [a.systemId], []), { added: 1, removed: 0 }, 'relinking is harmless');
        assert.deepEqual(await store.nodeIdsWithTag(tag.id), [a.id, b.id]);
        assert.deepEqual((await store.tagNamesOfNodes([a.id])).get(a.id), ['gpu']);
        assert.deepEqual((await store.listNodes({ tags: ['gpu'] })).map((n) => n.hostname), ['a', 'b']);
        await store.deleteNode(a.systemId);
        assert.deepEqual(await store.nodeIdsWithTag(tag.id), [b.id]);
        const renamed = await store.updateTag(tag.id, { name: 'gpu2' });
        assert.equal(renamed?.kernelOpts, 'k');
        assert.deepEqual((await store.findNode(b.systemId))?.tagNames, ['gpu2']);
        assert.equal(await store.deleteTag(tag.id), true);
        assert.deepEqual((await store.findNode(b.systemId))?.tagNames, []);
        assert.equal(await store.deleteTag(tag.id), false);
      }));

    test('store: a pod keeps its settings, seals its power parameters, and sums what its machines use', () =>
      withStore(async (store) => {
        const pod = await store.createPod(POD);
        assert.equal(pod.cpuOverCommitRatio, 1.5);
        assert.deepEqual(pod.storagePools, POD.storagePools);
        assert.deepEqual(await store.podPowerParameters(pod.id), POD.powerParameters);
        assert.ok(!JSON.stringify(await store.listPods()).includes('pod-secret'));
        assert.equal((await store.findPodByAddress('virsh', 'qemu+ssh://h/system'))?.id, pod.id);
        const vm = await store.createNode({ ...NODE, hostname: 'vm', cpuCount: 3, memory: 4096, podId: pod.id });
        await store.attachComposed(pod.id, vm.id, [{ storagePool: 'p1', size: 10_000_000_000 }]);
        const usage = (await store.podUsage([pod.id])).get(pod.id);
        assert.equal(usage?.cores, 3);
        assert.equal(usage?.memory, 4096);
        assert.equal(usage?.storage, 10_000_000_000);
        assert.equal(usage?.byPool.get('p1'), 10_000_000_000);
        assert.deepEqual((await store.podsOfNodes([vm.id])).get(vm.id), { id: pod.id, name: 'kvm' });
        const updated = await store.updatePod(pod.id, { tags: ['b'], powerParameters: { power_address: 'qemu+ssh://h2/system' } });
        assert.deepEqual(updated?.tags, ['b']);
        assert.equal(updated?.powerAddress, 'qemu+ssh://h2/system');
        assert.equal(await store.deletePod(pod.id, { decompose: true }), true);
        assert.equal(await store.findNode(vm.systemId), undefined);
        assert.equal(await store.findPod(pod.id), undefined);
      }));

    test('store: deleting a pod without decompose keeps its machines, unlinked', () =>
      withStore(async (store) => {
        const pod = await store.createPod(POD);
        const vm = await store.createNode({ ...NODE, hostname: 'vm', podId: pod.id });
        await store.attachComposed(pod.id, vm.id, [{ storagePool: 'p1', size: 1 }]);
        assert.equal(await store.deletePod(pod.id, { decompose: false }), true);
        assert.equal((await store.findNode(vm.systemId))?.podId, null);
      }));
  });
}
