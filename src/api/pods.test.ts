// vm-hosts/ and pods/ through the app: one test per status of the route contract
// (src/api/pods.ts; spec/maas-resources.md §1.3, §2.7, §4). The lifecycle is driven by the
// fake clock and the store's advanceDue, never by waiting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { caller } from '../../test/helpers/calls.ts';
import type { ApiKeyParts } from '../model/index.ts';
import type { PodJson } from '../model/pods.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const ADMIN_ONLY = 'This method is reserved for admin users.';
const GB = 1_000_000_000;

describe('pods / vm-hosts', () => {
  let t: TestApp;
  let user: ApiKeyParts;
  let call: ReturnType<typeof caller>;
  let virsh: PodJson;
  before(async () => {
    t = await createTestApp({ transitionDelay: 10 });
    user = (await t.addUser('operator')).key;
    call = caller(t);
  });
  after(() => t.close());

  /** Runs the simulated lifecycle until nothing is due (at most `steps` delays). */
  async function settle(steps = 5) {
    for (let i = 0; i < steps; i++) {
      t.clock.advance(10);
      await t.store.advanceDue(t.clock.seconds, 10);
    }
  }

  test('pods: create virsh (admin) answers 200 with the discovered host and MAAS\'s shape', async () => {
    const res = await call('POST', 'vm-hosts/?op=', {
      form: { type: 'virsh', power_address: 'qemu+ssh://ubuntu@10.0.0.2/system', power_pass: 's3cret', name: 'kvm-1', tags: 'big, fast' },
    });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.type, JSON_TYPE);
    virsh = res.json as PodJson;
    assert.equal(typeof virsh.id, 'number');
    assert.equal(virsh.name, 'kvm-1');
    assert.equal(virsh.type, 'virsh');
    assert.deepEqual(virsh.tags, ['big', 'fast', 'pod-console-logging']);
    assert.deepEqual(virsh.architectures, ['amd64/generic']);
    assert.ok(virsh.capabilities.includes('composable'));
    assert.deepEqual(virsh.total, { cores: 16, memory: 32768, local_storage: 500 * GB });
    assert.deepEqual(virsh.used, { cores: 0, memory: 0, local_storage: 0 });
    assert.deepEqual(virsh.available, virsh.total);
    assert.deepEqual(virsh.zone, { id: 1, name: 'default', description: '', resource_uri: '/MAAS/api/2.0/zones/default/' });
    assert.deepEqual(virsh.pool, { id: 0, name: 'default', description: 'Default pool', resource_uri: '/MAAS/api/2.0/resourcepool/0/' });
    assert.equal(virsh.cpu_over_commit_ratio, 1);
    assert.equal(virsh.storage_pools.length, 1);
    assert.equal(virsh.storage_pools[0]?.default, true);
    assert.equal(virsh.storage_pools[0]?.total, 500 * GB);
    assert.deepEqual(virsh.host, { system_id: null, __incomplete__: true });
    assert.equal(virsh.default_macvlan_mode, null);
    assert.equal(virsh.resource_uri, `/MAAS/api/2.0/vm-hosts/${virsh.id}/`);
    assert.ok(!res.body.includes('s3cret'), 'the pod JSON must not carry the power password');
    // MAAS creates the pod-console-logging tag with console kernel options.
    assert.equal(((await call('GET', 'tags/pod-console-logging/')).json as { kernel_opts: string }).kernel_opts, 'console=tty1 console=ttyS0');
  });

  test('pods: create lxd in a zone and pool, with a generated name and over-commit', async () => {
    await call('POST', 'zones/', { form: { name: 'edge' } });
    await call('POST', 'resourcepools/', { form: { name: 'vms' } });
    const res = await call('POST', 'pods/', {
      form: { type: 'lxd', power_address: '10.0.0.3:8443', zone: 'edge', pool: 'vms', cpu_over_commit_ratio: '2', default_macvlan_mode: 'bridge' },
    });
    assert.equal(res.status, 200, res.body);
    const pod = res.json as PodJson;
    assert.match(pod.name, /^[a-z]+-[a-z]+$/);
    assert.equal(pod.zone.name, 'edge');
    assert.equal(pod.pool.name, 'vms');
    assert.equal(pod.available.cores, 32);
    assert.equal(pod.default_macvlan_mode, 'bridge');
    assert.equal(pod.resource_uri, `/MAAS/api/2.0/vm-hosts/${pod.id}/`, 'vm-hosts URI even via pods/');
    assert.deepEqual((await call('GET', `pods/${pod.id}/?op=parameters`)).json, { power_address: '10.0.0.3:8443', project: 'default' });
  });

  test('pods: create errors are 400 JSON (required, choices, ranges, same host twice)', async () => {
    assert.deepEqual((await call('POST', 'vm-hosts/', { form: {} })).json, { type: ['This field is required.'] });
    assert.deepEqual((await call('POST', 'vm-hosts/', { form: { type: 'vmware', power_address: 'x' } })).json, {
      type: ['Select a valid choice. vmware is not one of the available choices.'],
    });
    assert.deepEqual((await call('POST', 'vm-hosts/', { form: { type: 'virsh' } })).json, { power_address: ['This field is required.'] });
    const bad = await call('POST', 'vm-hosts/', {
      form: { type: 'virsh', power_address: 'qemu+ssh://a/system', zone: 'nowhere', cpu_over_commit_ratio: '11', memory_over_commit_ratio: 'x' },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, {
      zone: ['Select a valid choice. That choice is not one of the available choices.'],
      cpu_over_commit_ratio: ['Ensure this value is less than or equal to 10.'],
      memory_over_commit_ratio: ['Enter a number.'],
    });
    const dup = await call('POST', 'vm-hosts/', { form: { type: 'virsh', power_address: 'qemu+ssh://ubuntu@10.0.0.2/system' } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.json, { __all__: ['Pod kvm-1 with type and parameters already exist.'] });
  });

  test('pods: every mutation is admin only (403 admin_method); reads are open', async () => {
    assert.equal((await call('GET', 'vm-hosts/', { key: user })).status, 200);
    assert.equal((await call('GET', `pods/${virsh.id}/`, { key: user })).status, 200);
    const attempts: Array<[Parameters<typeof call>[0], string]> = [
      ['POST', 'vm-hosts/'],
      ['PUT', `vm-hosts/${virsh.id}/`],
      ['DELETE', `vm-hosts/${virsh.id}/`],
      ['POST', `vm-hosts/${virsh.id}/?op=refresh`],
      ['GET', `vm-hosts/${virsh.id}/?op=parameters`],
      ['POST', `vm-hosts/${virsh.id}/?op=compose`],
      ['POST', `pods/${virsh.id}/?op=add_tag`],
      ['POST', `pods/${virsh.id}/?op=remove_tag`],
    ];
    for (const [method, path] of attempts) {
      const res = await call(method, path, { key: user });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body, ADMIN_ONLY);
    }
  });

  test('pods: list is ordered by id and identical under both prefixes', async () => {
    const a = await call('GET', 'vm-hosts/');
    const b = await call('GET', 'pods/');
    assert.equal(a.status, 200);
    assert.equal(a.body, b.body);
    const ids = (a.json as PodJson[]).map((p) => p.id);
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
  });

  test('pods: read of an unknown pod is piston\'s 404 Not Found; other ops say No Pod matches', async () => {
    const res = await call('GET', 'vm-hosts/9999/');
    assert.equal(res.status, 404);
    assert.equal(res.type, 'text/plain');
    assert.equal(res.body, 'Not Found');
    for (const [method, path] of [
      ['PUT', 'pods/9999/'],
      ['DELETE', 'pods/9999/'],
      ['POST', 'pods/9999/?op=refresh'],
      ['GET', 'pods/abc/?op=parameters'],
      ['POST', 'pods/9999/?op=compose'],
    ] as const) {
      const miss = await call(method, path);
      assert.equal(miss.status, 404, `${method} ${path}`);
      assert.equal(miss.body, 'No Pod matches the given query.');
    }
  });

  test('pods: parameters returns the power parameters, secrets included', async () => {
    const res = await call('GET', `vm-hosts/${virsh.id}/?op=parameters`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { power_address: 'qemu+ssh://ubuntu@10.0.0.2/system', power_pass: 's3cret' });
  });

  test('pods: update is partial; the type cannot change (400)', async () => {
    const res = await call('PUT', `pods/${virsh.id}/`, { form: { memory_over_commit_ratio: '1.5', tags: 'fast' } });
    assert.equal(res.status, 200, res.body);
    const pod = res.json as PodJson;
    assert.equal(pod.name, 'kvm-1');
    assert.equal(pod.memory_over_commit_ratio, 1.5);
    assert.equal(pod.available.memory, 49152);
    assert.deepEqual(pod.tags, ['fast', 'pod-console-logging']);
    assert.equal(pod.resource_uri, `/MAAS/api/2.0/vm-hosts/${virsh.id}/`);
    const type = await call('PUT', `pods/${virsh.id}/`, { form: { type: 'lxd' } });
    assert.equal(type.status, 400);
    assert.deepEqual(type.json, { type: ['Cannot change the type of a pod. Delete and re-create the pod with a different type.'] });
    await call('PUT', `pods/${virsh.id}/`, { form: { memory_over_commit_ratio: '1' } });
  });

  test('pods: add_tag and remove_tag answer the pod; a missing or comma tag is 400', async () => {
    const added = await call('POST', `vm-hosts/${virsh.id}/?op=add_tag`, { form: { tag: 'ssd' } });
    assert.equal(added.status, 200);
    assert.ok((added.json as PodJson).tags.includes('ssd'));
    const removed = await call('POST', `vm-hosts/${virsh.id}/?op=remove_tag`, { form: { tag: 'ssd' } });
    assert.ok(!(removed.json as PodJson).tags.includes('ssd'));
    const missing = await call('POST', `vm-hosts/${virsh.id}/?op=add_tag`);
    assert.equal(missing.status, 400);
    assert.equal(missing.body, 'No provided tag!');
    const comma = await call('POST', `vm-hosts/${virsh.id}/?op=add_tag`, { form: { tag: 'a,b' } });
    assert.equal(comma.status, 400);
    assert.equal(comma.body, 'Tag may not contain a ",".');
  });

  test('pods: compose makes a NEW machine that commissions to Ready; used resources follow', async () => {
    const res = await call('POST', `vm-hosts/${virsh.id}/?op=compose`, { form: { cores: '4', memory: '8192', storage: 'root:20,data:30', hostname: 'vm-one' } });
    assert.equal(res.status, 200, res.body);
    const { system_id: systemId, resource_uri: uri } = res.json as { system_id: string; resource_uri: string };
    assert.equal(uri, `/MAAS/api/2.0/machines/${systemId}/`);
    const composed = await t.store.findNode(systemId);
    assert.equal(composed?.status, 1, 'commissioning');
    assert.equal(composed?.hostname, 'vm-one');
    assert.equal(composed?.cpuCount, 4);
    assert.equal(composed?.memory, 8192);
    assert.equal(composed?.powerType, 'virsh');
    assert.equal(composed?.podId, virsh.id);
    assert.deepEqual(composed?.blockDevices.map((d) => d.size), [20 * GB, 30 * GB]);
    assert.deepEqual(composed?.tagNames, ['pod-console-logging']);
    await settle();
    assert.equal((await t.store.findNode(systemId))?.status, 4, 'ready');
    const pod = (await call('GET', `vm-hosts/${virsh.id}/`)).json as PodJson;
    assert.deepEqual(pod.used, { cores: 4, memory: 8192, local_storage: 50 * GB });
    assert.deepEqual(pod.available, { cores: 12, memory: 24576, local_storage: 450 * GB });
    assert.equal(pod.storage_pools[0]?.used, 50 * GB);
    // Deleting the machine gives its resources back.
    await t.store.deleteNode(systemId);
    assert.deepEqual(((await call('GET', `vm-hosts/${virsh.id}/`)).json as PodJson).used, { cores: 0, memory: 0, local_storage: 0 });
  });

  test('pods: compose with defaults and skip_commissioning is Ready at once', async () => {
    const res = await call('POST', `pods/${virsh.id}/?op=compose`, { form: { skip_commissioning: 'true' } });
    assert.equal(res.status, 200, res.body);
    const node = await t.store.findNode((res.json as { system_id: string }).system_id);
    assert.equal(node?.status, 4);
    assert.equal(node?.cpuCount, 1);
    assert.equal(node?.memory, 2048);
    assert.deepEqual(node?.blockDevices.map((d) => d.size), [8 * GB]);
  });

  test('pods: compose beyond what is available, or malformed, is 400 JSON', async () => {
    const res = await call('POST', `vm-hosts/${virsh.id}/?op=compose`, { form: { cores: '99', memory: '512', storage: 'root:10000', architecture: 'arm64/generic' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, {
      cores: ['Ensure this value is less than or equal to 15.'],
      memory: ['Ensure this value is greater than or equal to 1024.'],
      architecture: ['Select a valid choice. arm64/generic is not one of the available choices.'],
      storage: ['Not enough space in storage pool "default" of the VM host.'],
    });
    assert.deepEqual((await call('POST', `vm-hosts/${virsh.id}/?op=compose`, { form: { storage: 'root:lots' } })).json, {
      storage: ['Malformed storage constraint, "root:lots".'],
    });
    await call('POST', `vm-hosts/${virsh.id}/?op=compose`, { form: { hostname: 'taken-name', skip_commissioning: '1' } });
    assert.deepEqual((await call('POST', `vm-hosts/${virsh.id}/?op=compose`, { form: { hostname: 'taken-name' } })).json, {
      hostname: ['Node with this Hostname already exists.'],
    });
  });

  test('pods: two concurrent composes for the last cores: exactly one wins, the other is 400', async () => {
    const pod = (await call('POST', 'vm-hosts/', { form: { type: 'virsh', power_address: 'qemu+ssh://race/system' } })).json as PodJson;
    const results = await Promise.all(
      [1, 2, 3].map(() => call('POST', `vm-hosts/${pod.id}/?op=compose`, { form: { cores: '10', skip_commissioning: '1' } })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400, 400]);
    const refused = results.find((r) => r.status === 400);
    assert.ok(refused?.body.includes('less than or equal to') || refused?.body.includes('not have enough resources'), refused?.body);
    assert.equal(((await call('GET', `vm-hosts/${pod.id}/`)).json as PodJson).used.cores, 10);
    assert.equal((await call('DELETE', `vm-hosts/${pod.id}/?decompose=1`)).status, 204);
  });

  test('pods: refresh answers the pod with its totals rediscovered', async () => {
    const res = await call('POST', `vm-hosts/${virsh.id}/?op=refresh`);
    assert.equal(res.status, 200);
    const pod = res.json as PodJson;
    assert.equal(pod.total.cores, 16);
    assert.equal(pod.storage_pools[0]?.id, virsh.storage_pools[0]?.id, 'storage pool ids survive a refresh');
  });

  test('pods: a machine\'s pod is {id, name, resource_uri} with the real name, renamed with the pod (render cache too)', async () => {
    const pod = (await call('POST', 'vm-hosts/', { form: { type: 'virsh', power_address: 'qemu+ssh://named/system', name: 'named-host' } })).json as PodJson;
    const id = ((await call('POST', `vm-hosts/${pod.id}/?op=compose`, { form: { skip_commissioning: '1' } })).json as { system_id: string }).system_id;
    const expected = { id: pod.id, name: 'named-host', resource_uri: `/MAAS/api/2.0/pods/${pod.id}/` };
    assert.deepEqual(((await call('GET', `machines/${id}/`)).json as { pod: unknown }).pod, expected);
    const listed = () => call('GET', 'machines/').then((r) => (r.json as Array<{ system_id: string; pod: unknown }>).find((m) => m.system_id === id)?.pod);
    assert.deepEqual(await listed(), expected);
    assert.equal((await call('PUT', `vm-hosts/${pod.id}/`, { form: { name: 'renamed-host' } })).status, 200);
    assert.deepEqual(await listed(), { ...expected, name: 'renamed-host' });
    assert.deepEqual(((await call('GET', `machines/${id}/`)).json as { pod: unknown }).pod, { ...expected, name: 'renamed-host' });
    assert.equal((await call('DELETE', `vm-hosts/${pod.id}/?decompose=true`)).status, 204);
  });

  test('pods: machines/ read and allocate filter by pod, not_pod, pod_type, not_pod_type (MAAS semantics)', async () => {
    const v = (await call('POST', 'vm-hosts/', { form: { type: 'virsh', power_address: 'qemu+ssh://filter-v/system', name: 'filter-v' } })).json as PodJson;
    const l = (await call('POST', 'vm-hosts/', { form: { type: 'lxd', power_address: '10.9.9.9:8443', name: 'filter-l' } })).json as PodJson;
    const compose = async (pod: PodJson) =>
      ((await call('POST', `vm-hosts/${pod.id}/?op=compose`, { form: { skip_commissioning: '1' } })).json as { system_id: string }).system_id;
    const onV = await compose(v);
    const onL = await compose(l);
    const plain = ((await call('POST', 'machines/', { form: { architecture: 'amd64/generic', mac_addresses: '52:54:00:f1:17:e4', power_type: 'manual' } })).json as { system_id: string }).system_id;
    const mine = [onV, onL, plain];
    const read = async (query: string) => {
      const res = await call('GET', `machines/?${query}`);
      assert.equal(res.status, 200, res.body);
      return (res.json as Array<{ system_id: string }>).map((m) => m.system_id).filter((s) => mine.includes(s));
    };
    assert.deepEqual(await read('pod=filter-v'), [onV]);
    assert.deepEqual(await read('pod_type=lxd'), [onL]);
    assert.deepEqual(await read('pod=filter-v&pod_type=lxd'), [], 'pod and pod_type are ANDed');
    // Any pod key keeps composed machines only: not_pod drops the plain machine too.
    assert.deepEqual(await read('not_pod=filter-v'), [onL]);
    assert.deepEqual(await read('not_pod_type=lxd'), [onV]);
    assert.deepEqual(await read('pod=filter-l&not_pod=filter-l'), [onL], 'MAAS ignores not_pod when pod is given');
    assert.deepEqual(await read('pod=filter-v&pod=filter-l'), [onL], 'single-valued: the last value counts');
    // Unknown names are not validated: they match nothing.
    assert.deepEqual(((await call('GET', 'machines/?pod=no-such-pod')).json as unknown[]).length, 0);
    assert.deepEqual(((await call('GET', 'machines/?pod_type=no-such-type')).json as unknown[]).length, 0);

    const allocated = await call('POST', 'machines/?op=allocate', { form: { pod: 'filter-l' } });
    assert.equal(allocated.status, 200, allocated.body);
    assert.equal((allocated.json as { system_id: string }).system_id, onL);
    const none = await call('POST', 'machines/?op=allocate', { form: { pod: 'no-such-pod' } });
    assert.equal(none.status, 409);
    assert.equal(none.body, 'No available machine matches constraints: [(\'pod\', [\'no-such-pod\'])] (resolved to "pod=no-such-pod")');
    const virshOnly = await call('POST', 'machines/?op=allocate', { form: { pod_type: 'virsh', not_pod: 'filter-v', system_id: onV } });
    assert.equal(virshOnly.status, 409);
    for (const pod of [v, l]) assert.equal((await call('DELETE', `vm-hosts/${pod.id}/?decompose=true`)).status, 204);
    await t.store.deleteNode(plain);
  });

  test('pods: delete answers 204; decompose=true deletes the composed machines, else they stay', async () => {
    const keep = (await call('POST', 'vm-hosts/', { form: { type: 'virsh', power_address: 'qemu+ssh://keep/system' } })).json as PodJson;
    const kept = ((await call('POST', `vm-hosts/${keep.id}/?op=compose`, { form: { skip_commissioning: '1' } })).json as { system_id: string }).system_id;
    const res = await call('DELETE', `vm-hosts/${keep.id}/`);
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
    assert.equal((await t.store.findNode(kept))?.podId, null);

    const gone = (await call('POST', 'vm-hosts/', { form: { type: 'virsh', power_address: 'qemu+ssh://gone/system' } })).json as PodJson;
    const composed = ((await call('POST', `vm-hosts/${gone.id}/?op=compose`, { form: { skip_commissioning: '1' } })).json as { system_id: string }).system_id;
    assert.equal((await call('DELETE', `pods/${gone.id}/?decompose=true`)).status, 204);
    assert.equal(await t.store.findNode(composed), undefined);
    assert.equal((await call('GET', `pods/${gone.id}/`)).status, 404);
    assert.equal((await call('DELETE', `pods/${virsh.id}/?decompose=maybe`)).status, 400);
  });

  test('pods: stored pods carry no power password in the clear (sealed, DESIGN D2)', async () => {
    const rows = await t.store.listPods();
    assert.ok(rows.length > 0);
    assert.ok(!JSON.stringify(rows).includes('s3cret'));
  });
});
