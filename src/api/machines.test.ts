// machines/ and machines/{system_id}/ through the app: the route contracts of machines.ts and
// machine.ts, the simulated lifecycle run by advancing the fake clock (DESIGN D7), visibility
// (spec §4) and the MAAS texts of spec §2.6 and §3.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import type { ApiKeyParts } from '../model/index.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const API = '/MAAS/api/2.0/';
const DELAY = 5;

describe('machines', () => {
  let t: TestApp;
  let alice: { key: ApiKeyParts };
  let bob: { key: ApiKeyParts };
  let macCounter = 0;

  before(async () => {
    t = await createTestApp({ transitionDelay: DELAY });
    alice = await t.addUser('alice');
    bob = await t.addUser('bob');
  });
  after(() => t.close());

  async function call(method: Method, path: string, form: Array<[string, string]> = [], key?: ApiKeyParts) {
    const url = `${API}${path}`;
    const hasBody = method === 'POST' || method === 'PUT';
    const payload = hasBody && form.length > 0 ? new URLSearchParams(form).toString() : undefined;
    const res = await t.app.inject({
      method,
      url,
      headers: {
        authorization: t.sign(method, url, { ...(key ? { key } : {}), ...(payload ? { formParams: form } : {}) }),
        ...(payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.body, type: res.headers['content-type'], json: () => JSON.parse(res.body) };
  }

  /** Lets `steps` simulated steps pass and runs what is due, as the server's timer would. */
  async function advance(steps = 1) {
    for (let i = 0; i < steps; i++) {
      t.clock.advance(DELAY);
      await t.store.advanceDue(t.clock.seconds, DELAY);
    }
  }

  const nextMac = () => `52:54:00:aa:00:${(++macCounter).toString(16).padStart(2, '0')}`;

  /** An admin-created machine, commissioned (COMMISSIONING → TESTING → READY). */
  async function readyMachine(extra: Array<[string, string]> = []): Promise<string> {
    const res = await call('POST', 'machines/?op=', [['architecture', 'amd64/generic'], ['mac_addresses', nextMac()], ['power_type', 'virsh'], ...extra]);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().status_name, 'Commissioning');
    await advance(2);
    const id = res.json().system_id as string;
    assert.equal((await call('GET', `machines/${id}/`)).json().status_name, 'Ready');
    return id;
  }

  beforeEach(async () => {
    // Each test starts from an empty inventory.
    for (const m of (await call('GET', 'machines/')).json()) {
      if (m.locked) await call('POST', `machines/${m.system_id}/?op=unlock`);
      await call('DELETE', `machines/${m.system_id}/`);
    }
  });

  test('machines: create (admin) commissions to Ready through Testing, clearing the owner', async () => {
    const res = await call('POST', 'machines/', [['architecture', 'amd64'], ['mac_addresses', nextMac()], ['power_type', 'virsh']]);
    assert.equal(res.status, 200);
    const m = res.json();
    assert.equal(m.status, 1);
    assert.equal(m.owner, 'admin');
    assert.match(m.system_id, /^[34678abcdefghkmnpqrstwxy]{6}$/);
    assert.equal(m.architecture, 'amd64/generic');
    assert.equal(m.resource_uri, `${API}machines/${m.system_id}/`);
    await advance();
    assert.equal((await call('GET', `machines/${m.system_id}/`)).json().status_name, 'Testing');
    await advance();
    const ready = (await call('GET', `machines/${m.system_id}/`)).json();
    assert.equal(ready.status, 4);
    assert.equal(ready.owner, null);
    assert.equal(ready.power_state, 'off');
  });

  test('machines: JSON types are exact (ints, objects, resource_uri everywhere)', async () => {
    const id = await readyMachine();
    const m = (await call('GET', `machines/${id}/`)).json();
    for (const k of ['cpu_count', 'memory', 'cpu_speed', 'status', 'node_type']) assert.ok(Number.isInteger(m[k]), k);
    assert.equal(typeof m.storage, 'number');
    assert.deepEqual(Object.keys(m.zone).sort(), ['description', 'id', 'name', 'resource_uri']);
    assert.equal(m.zone.name, 'default');
    assert.equal(m.pool.id, 0);
    assert.equal(m.pool.resource_uri, `${API}resourcepool/0/`);
    assert.equal(m.domain.name, 'maas');
    assert.equal(m.fqdn, `${m.hostname}.maas`);
    assert.ok(Array.isArray(m.interface_set) && m.interface_set.length >= 1);
    assert.equal(m.boot_interface.mac_address, m.interface_set[0].mac_address);
    for (const i of m.interface_set) assert.ok(i.resource_uri.startsWith(`${API}nodes/${id}/interfaces/`));
    for (const d of m.blockdevice_set) assert.ok(Number.isInteger(d.size) && d.resource_uri);
    assert.deepEqual(m.ip_addresses, []);
    assert.equal(Object.keys(m.hardware_info).length, 18);
    assert.deepEqual(m.tag_names, []);
    assert.deepEqual(m.owner_data, {});
  });

  test('machines: allocate → deploy → Deployed with an IP and power on → release → Ready', async () => {
    const id = await readyMachine();
    const a = await call('POST', 'machines/?op=allocate', [], alice.key);
    assert.equal(a.status, 200, a.body);
    assert.equal(a.json().system_id, id);
    assert.equal(a.json().status_name, 'Allocated');
    assert.equal(a.json().owner, 'alice');
    assert.deepEqual(a.json().constraints_by_type, {});
    const d = await call('POST', `machines/${id}/?op=deploy`, [['distro_series', 'jammy']], alice.key);
    assert.equal(d.status, 200, d.body);
    assert.equal(d.json().status_name, 'Deploying');
    assert.equal(d.json().distro_series, 'jammy');
    assert.equal(d.json().osystem, 'ubuntu');
    await advance();
    const deployed = (await call('GET', `machines/${id}/`, [], alice.key)).json();
    assert.equal(deployed.status_name, 'Deployed');
    assert.equal(deployed.power_state, 'on');
    assert.match(deployed.ip_addresses[0], /^10\.\d+\.\d+\.\d+$/);
    const r = await call('POST', 'machines/?op=release', [['machines', id], ['comment', 'done']], alice.key);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.json(), [id]);
    assert.equal((await call('GET', `machines/${id}/`)).json().status_name, 'Releasing');
    await advance();
    const released = (await call('GET', `machines/${id}/`)).json();
    assert.equal(released.status_name, 'Ready');
    assert.equal(released.owner, null);
    assert.equal(released.osystem, '');
    assert.deepEqual(released.ip_addresses, []);
  });

  test('machines: allocate answers MAAS 409 texts, without Retry-After', async () => {
    let res = await call('POST', 'machines/?op=allocate');
    assert.equal(res.status, 409);
    assert.equal(res.type, 'text/plain; charset=utf-8');
    assert.equal(res.body, 'No machine available.');
    res = await call('POST', 'machines/?op=allocate', [['system_id', 'abc123']]);
    assert.equal(res.body, 'No machine with system ID abc123 available.');
    res = await call('POST', 'machines/?op=allocate', [['name', 'foo']]);
    assert.equal(res.body, `No available machine matches constraints: [('name', ['foo'])] (resolved to "name=foo")`);
    await readyMachine();
    res = await call('POST', 'machines/?op=allocate', [['cpu_count', '9999'], ['arch', 'amd64']]);
    assert.equal(res.status, 409);
    assert.equal(res.body, `No available machine matches constraints: [('cpu_count', ['9999']), ('arch', ['amd64'])] (resolved to "arch=amd64 cpu_count=9999.0")`);
  });

  test('machines: allocate and read reject unknown constraints and names with field errors', async () => {
    let res = await call('POST', 'machines/?op=allocate', [['bogus', '1'], ['zone', 'nowhere']]);
    assert.equal(res.status, 400);
    assert.equal(res.type, 'application/json; charset=utf-8');
    assert.deepEqual(res.json(), { bogus: ['No such constraint.'], zone: ['No such zone(s): nowhere.'] });
    res = await call('GET', 'machines/?name=x');
    assert.deepEqual(res.json(), { name: ['No such constraint.'] });
    res = await call('GET', 'machines/?mac_address=zz');
    assert.deepEqual(res.json(), { mac_address: ["'zz' is not a valid MAC address."] });
    res = await call('GET', 'machines/?pool=p1&owner=ghost');
    assert.deepEqual(res.json(), { pool: ['No such pool(s): p1.'], owner: ["No such owner: 'ghost'."] });
    res = await call('GET', 'machines/?tags=nope');
    assert.deepEqual(res.json(), { tags: ["No such tag(s): 'nope'."] });
    res = await call('GET', 'machines/?arch=vax');
    assert.deepEqual(res.json(), { arch: ['Architecture not recognised.'] });
  });

  test('machines: read filters by hostname, id, status, mac_address, zone and owner', async () => {
    const a = await readyMachine();
    const b = await readyMachine();
    await call('POST', 'machines/?op=allocate', [['system_id', b]], alice.key);
    const all = (await call('GET', 'machines/')).json();
    assert.deepEqual(all.map((m: { system_id: string }) => m.system_id), [a, b]);
    const host = all[0].hostname;
    assert.deepEqual((await call('GET', `machines/?hostname=${host}`)).json().map((m: { system_id: string }) => m.system_id), [a]);
    assert.deepEqual((await call('GET', `machines/?id=${b}&id=${a}`)).json().length, 2);
    assert.deepEqual((await call('GET', 'machines/?status=allocated')).json().map((m: { system_id: string }) => m.system_id), [b]);
    assert.deepEqual((await call('GET', 'machines/?simple_status=ready')).json().map((m: { system_id: string }) => m.system_id), [a]);
    const mac = all[0].boot_interface.mac_address.toUpperCase();
    assert.deepEqual((await call('GET', `machines/?mac_address=${mac}`)).json().map((m: { system_id: string }) => m.system_id), [a]);
    assert.equal((await call('GET', 'machines/?zone=default')).json().length, 2);
    assert.deepEqual((await call('GET', 'machines/?owner=alice')).json().map((m: { system_id: string }) => m.system_id), [b]);
    assert.equal((await call('GET', 'machines/?op=list')).json().length, 2);
  });

  test('machines: visibility — others see unowned and their own; another user’s machine is 403', async () => {
    const a = await readyMachine();
    const b = await readyMachine();
    await call('POST', 'machines/?op=allocate', [['system_id', b]], alice.key);
    assert.deepEqual((await call('GET', 'machines/', [], bob.key)).json().map((m: { system_id: string }) => m.system_id), [a]);
    assert.equal((await call('GET', 'machines/', [], alice.key)).json().length, 2);
    const res = await call('GET', `machines/${b}/`, [], bob.key);
    assert.equal(res.status, 403);
    assert.equal(res.body, '');
    assert.equal((await call('POST', `machines/${b}/?op=release`, [], bob.key)).status, 403);
    assert.equal((await call('POST', `machines/${b}/?op=deploy`, [], bob.key)).status, 403);
    // Admin-only ops.
    assert.equal((await call('POST', `machines/${a}/?op=commission`, [], bob.key)).status, 403);
    assert.equal((await call('PUT', `machines/${a}/`, [['description', 'x']], bob.key)).status, 403);
    assert.equal((await call('DELETE', `machines/${a}/`, [], bob.key)).status, 403);
    const pp = await call('GET', 'machines/?op=power_parameters', [], bob.key);
    assert.equal(pp.status, 403);
    assert.equal(pp.body, 'This method is reserved for admin users.');
  });

  test('machines/{system_id}/: an unknown id is 404 No Machine matches the given query.', async () => {
    for (const [method, path] of [
      ['GET', 'machines/xxxxxx/'],
      ['POST', 'machines/xxxxxx/?op=deploy'],
      ['DELETE', 'machines/xxxxxx/'],
    ] as const) {
      const res = await call(method, path);
      assert.equal(res.status, 404);
      assert.equal(res.type, 'text/plain');
      assert.equal(res.body, 'No Machine matches the given query.');
    }
  });

  test('machines: twenty concurrent allocations of the last Ready machine — exactly one wins', async () => {
    const id = await readyMachine();
    const results = await Promise.all(Array.from({ length: 20 }, () => call('POST', 'machines/?op=allocate', [], alice.key)));
    const won = results.filter((r) => r.status === 200);
    assert.equal(won.length, 1);
    assert.equal(won[0]!.json().system_id, id);
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 409);
      assert.equal(r.body, 'No machine available.');
    }
  });

  test('machines: power_on on an Allocated machine deploys; unowned is 409', async () => {
    const id = await readyMachine();
    let res = await call('POST', `machines/${id}/?op=power_on`);
    assert.equal(res.status, 409);
    assert.equal(res.body, "Can't start node: it hasn't been allocated.");
    await call('POST', 'machines/?op=allocate', [['system_id', id]]);
    res = await call('POST', `machines/${id}/?op=power_on`);
    assert.equal(res.status, 200);
    assert.equal(res.json().status_name, 'Deploying');
    res = await call('POST', `machines/${id}/?op=power_off`);
    assert.equal(res.json().power_state, 'off');
  });

  test('machines: deploy refuses other states with MAAS texts; Ready is acquired first', async () => {
    const id = await readyMachine();
    let res = await call('POST', `machines/${id}/?op=deploy`, [['distro_series', 'hardy']]);
    assert.equal(res.status, 400);
    assert.match(res.json().distro_series[0], /^'hardy' is not a valid distro_series\. {2}It should be one of: /);
    res = await call('POST', `machines/${id}/?op=deploy`, [], alice.key);
    assert.equal(res.status, 200);
    assert.equal(res.json().owner, 'alice');
    assert.equal(res.json().status_name, 'Deploying');
    res = await call('POST', `machines/${id}/?op=deploy`, [], alice.key);
    assert.equal(res.status, 409);
    assert.equal(res.body, "Can't deploy a machine that is in the 'Deploying' state");
  });

  test('machines: abort answers the old status, then the change follows', async () => {
    const id = await readyMachine();
    await call('POST', 'machines/?op=allocate', [['system_id', id]]);
    await call('POST', `machines/${id}/?op=deploy`);
    const res = await call('POST', `machines/${id}/?op=abort`);
    assert.equal(res.status, 200);
    assert.equal(res.json().status_name, 'Deploying');
    await t.store.advanceDue(t.clock.seconds, DELAY);
    assert.equal((await call('GET', `machines/${id}/`)).json().status_name, 'Allocated');
    const again = await call('POST', `machines/${id}/?op=abort`);
    assert.equal(again.status, 409);
    assert.equal(again.body, `Cannot abort in current state: node ${id} is in state Allocated.`);
  });

  test('machines: release refuses New with the MAAS text; a Ready release is a no-op', async () => {
    const created = await call('POST', 'machines/', [['architecture', 'amd64'], ['mac_addresses', nextMac()], ['commission', 'false']]);
    const id = created.json().system_id;
    assert.equal(created.json().status_name, 'New');
    const res = await call('POST', `machines/${id}/?op=release`);
    assert.equal(res.status, 409);
    assert.equal(res.body, "Machine cannot be released in its current state ('New').");
    const bulk = await call('POST', 'machines/?op=release', [['machines', id]]);
    assert.equal(bulk.status, 409);
    assert.equal(bulk.body, `Machine(s) cannot be released in their current state: ${id} ('New').`);
    const unknown = await call('POST', 'machines/?op=release', [['machines', 'nope12']]);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body, 'Unknown machine(s): nope12.');
    const ready = await readyMachine();
    const noop = await call('POST', `machines/${ready}/?op=release`);
    assert.equal(noop.json().status_name, 'Ready');
  });

  test('machines: mark_broken, mark_fixed, lock and unlock with their 409 texts', async () => {
    const id = await readyMachine();
    let res = await call('POST', `machines/${id}/?op=mark_fixed`);
    assert.equal(res.status, 409);
    assert.equal(res.body, "Can't mark a non-broken node as 'Ready'.");
    res = await call('POST', `machines/${id}/?op=lock`);
    assert.equal(res.body, "Can't lock, node is not deployed or deploying");
    res = await call('POST', `machines/${id}/?op=mark_broken`, [['comment', 'fan died']]);
    assert.equal(res.json().status_name, 'Broken');
    assert.equal(res.json().error_description, 'fan died');
    res = await call('POST', `machines/${id}/?op=mark_fixed`);
    assert.equal(res.json().status_name, 'Ready');
    assert.equal(res.json().error_description, '');
    await call('POST', `machines/${id}/?op=deploy`);
    res = await call('POST', `machines/${id}/?op=lock`);
    assert.equal(res.json().locked, true);
    assert.equal((await call('POST', `machines/${id}/?op=lock`)).body, 'Machine is already locked');
    assert.equal((await call('POST', `machines/${id}/?op=release`)).status, 403);
    await call('POST', `machines/${id}/?op=unlock`);
    assert.equal((await call('POST', `machines/${id}/?op=unlock`)).body, 'Machine is not locked');
  });

  test('machines: set_owner_data needs the owner; an empty value deletes the key', async () => {
    const id = await readyMachine();
    let res = await call('POST', `machines/${id}/?op=set_owner_data`, [['k', 'v']]);
    assert.equal(res.status, 409);
    assert.equal(res.body, "Cannot set workload annotation: it hasn't been acquired.");
    await call('POST', 'machines/?op=allocate', [['system_id', id]]);
    res = await call('POST', `machines/${id}/?op=set_workload_annotations`, [['k', 'v'], ['j', 'w']]);
    assert.deepEqual(res.json().owner_data, { k: 'v', j: 'w' });
    res = await call('POST', `machines/${id}/?op=set_owner_data`, [['k', '']]);
    assert.deepEqual(res.json().workload_annotations, { j: 'w' });
  });

  test('machines: list_allocated lists the caller’s Allocated machines only', async () => {
    const a = await readyMachine();
    await readyMachine();
    await call('POST', 'machines/?op=allocate', [['system_id', a]], alice.key);
    assert.deepEqual((await call('GET', 'machines/?op=list_allocated', [], alice.key)).json().map((m: { system_id: string }) => m.system_id), [a]);
    assert.deepEqual((await call('GET', 'machines/?op=list_allocated', [], bob.key)).json(), []);
  });

  test('machines: anonymous enlistment gives limited fields and NEW; anonymous accept is 401', async () => {
    const mac = nextMac();
    const res = await t.app.inject({
      method: 'POST',
      url: `${API}machines/`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams([['architecture', 'amd64'], ['mac_addresses', mac]]).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    const m = JSON.parse(res.body);
    assert.equal(m.status, 0);
    assert.deepEqual(Object.keys(m).sort(), ['architecture', 'domain', 'fqdn', 'hostname', 'node_type', 'power_state', 'power_type', 'resource_uri', 'status', 'status_action', 'status_message', 'status_name', 'system_id', 'zone']);
    assert.deepEqual(Object.keys(m.zone).sort(), ['description', 'id', 'name']);
    const accept = await t.app.inject({ method: 'POST', url: `${API}machines/?op=accept`, payload: '' });
    assert.equal(accept.statusCode, 401);
    assert.equal(accept.body, 'You must be logged in to accept machines.');
    // Registered for an authenticated caller; not for anonymous ones while NEW.
    assert.equal((await call('GET', `machines/?op=is_registered&mac_address=${mac}`)).body, 'true');
    const anon = await t.app.inject({ method: 'GET', url: `${API}machines/?op=is_registered&mac_address=${mac}` });
    assert.equal(anon.body, 'false');
    // accept (admin) starts commissioning.
    const ok = await call('POST', 'machines/?op=accept', [['machines', m.system_id]]);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json()[0].status_name, 'Commissioning');
    const denied = await call('POST', 'machines/?op=accept', [['machines', m.system_id]], bob.key);
    assert.equal(denied.status, 403);
    assert.equal(denied.body, `You don't have the required permission to accept the following machine(s): ${m.system_id}.`);
  });

  test('machines: create validates MACs and architecture with MAAS field errors', async () => {
    let res = await call('POST', 'machines/', [['architecture', 'amd64'], ['mac_addresses', 'invalid']]);
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), { mac_addresses: ["One or more MAC addresses is invalid. ('invalid' is not a valid MAC address.)"] });
    res = await call('POST', 'machines/', [['architecture', 'vax'], ['mac_addresses', nextMac()]]);
    assert.match(res.json().architecture[0], /^'vax' is not a valid architecture\. {2}It should be one of: 'amd64\/generic'/);
    res = await call('POST', 'machines/', [['architecture', 'hwe-22.04'], ['mac_addresses', nextMac()]]);
    assert.equal(res.body, 'hwe kernel must be specified using the min_hwe_kernel argument.');
    const mac = nextMac();
    await call('POST', 'machines/', [['architecture', 'amd64'], ['mac_addresses', mac], ['hostname', 'taken']]);
    res = await call('POST', 'machines/', [['architecture', 'amd64'], ['mac_addresses', mac]]);
    assert.deepEqual(res.json(), { mac_addresses: [`MAC address ${mac} already in use on taken.`] });
    res = await call('POST', 'machines/', [['architecture', 'amd64'], ['mac_addresses', nextMac()], ['hostname', 'taken']]);
    assert.deepEqual(res.json(), { hostname: ['Node with this Hostname already exists.'] });
  });

  test('machines: PUT updates only the fields given; bad zone is a field error', async () => {
    const id = await readyMachine();
    let res = await call('PUT', `machines/${id}/`, [['description', 'rack 4'], ['cpu_count', '12']]);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json().description, 'rack 4');
    assert.equal(res.json().cpu_count, 12);
    res = await call('PUT', `machines/${id}/`, [['zone', 'mars']]);
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.json()), ['zone']);
    res = await call('PUT', `machines/${id}/`, [['disable_ipv4', 'true']]);
    assert.deepEqual(res.json(), { disable_ipv4: ['If specified, disable_ipv4 must be False.'] });
  });

  test('machines: commission from Allocated is 400 __all__; rescue mode enters and exits', async () => {
    const id = await readyMachine();
    await call('POST', 'machines/?op=allocate', [['system_id', id]]);
    const res = await call('POST', `machines/${id}/?op=commission`);
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), { __all__: ['Commission is not available because of the current state of the node.'] });
    let r = await call('POST', `machines/${id}/?op=rescue_mode`);
    assert.equal(r.json().status_name, 'Entering rescue mode');
    await advance();
    assert.equal((await call('GET', `machines/${id}/`)).json().status_name, 'Rescue mode');
    r = await call('POST', `machines/${id}/?op=exit_rescue_mode`);
    assert.equal(r.json().status_name, 'Exiting rescue mode');
    await advance();
    assert.equal((await call('GET', `machines/${id}/`)).json().status_name, 'Allocated');
    const bad = await call('POST', `machines/${id}/?op=exit_rescue_mode`);
    assert.equal(bad.status, 409);
    assert.equal(bad.body, 'Invalid transition: Allocated -> Exiting rescue mode.');
  });

  test('machines: query_power_state, details, get_curtin_config and set_zone', async () => {
    const id = await readyMachine();
    assert.deepEqual((await call('GET', `machines/${id}/?op=query_power_state`)).json(), { state: 'off' });
    const details = await call('GET', `machines/${id}/?op=details`);
    assert.equal(details.type, 'application/bson');
    const curtin = await call('GET', `machines/${id}/?op=get_curtin_config`);
    assert.equal(curtin.status, 400);
    assert.match(curtin.body, /is not in a deployment state\.$/);
    const sz = await call('POST', 'machines/?op=set_zone', [['zone', 'default'], ['nodes', id]]);
    assert.equal(sz.status, 200);
    assert.equal(sz.body, 'null');
    const none = await call('POST', 'nodes/?op=set_zone', [['zone', 'default']]);
    assert.deepEqual(none.json(), { system_id: ['No node selected.'] });
  });

  test('machines: a list answered from the render cache still shows every change, within the same second', async () => {
    const id = await readyMachine();
    const list = async () => (await call('GET', 'machines/')).json()[0];
    assert.deepEqual((await list()).owner_data, {});
    await call('POST', 'machines/?op=allocate', [['system_id', id]]);
    assert.equal((await list()).status_name, 'Allocated');
    await call('POST', `machines/${id}/?op=set_owner_data`, [['k', 'v']]);
    assert.deepEqual((await list()).owner_data, { k: 'v' });
    const tag = await t.store.createTag({ name: 'gpu', definition: '', comment: '', kernelOpts: '' });
    const node = (await t.store.findNode(id))!;
    await t.store.tagNodes(tag.id, [node.id]);
    assert.deepEqual((await list()).tag_names, ['gpu']);
    assert.deepEqual((await call('GET', 'machines/?tags=gpu')).json().length, 1);
    const zone = (await t.store.findZone('default'))!;
    await t.store.updateZone(zone.id, { description: 'the first zone' });
    assert.equal((await list()).zone.description, 'the first zone');
    await t.store.updateZone(zone.id, { description: '' });
    await t.store.deleteTag(tag.id);
  });

  test('machines: storage constraint matches the root (boot) disk first, then the smallest other disks (spec §2.6.3)', async () => {
    const GB = 1_000_000_000;
    const disk = (name: string, size: number, tags: string[], isBoot = false) => ({
      name, model: 'QEMU HARDDISK', serial: `serial-${name}`, idPath: null, size: size * GB, blockSize: 512, tags, firmwareVersion: null, isBoot,
    });
    const make = (hostname: string, blockDevices: ReturnType<typeof disk>[]) =>
      t.store.createNode({ hostname, architecture: 'amd64/generic', status: 4, cpuCount: 2, memory: 4096, powerType: 'manual', blockDevices });
    const a = await make('disk-a', [disk('sda', 100, ['ssd'], true), disk('sdb', 500, ['rotary']), disk('sdc', 200, ['rotary'])]);
    const b = await make('disk-b', [disk('sda', 50, [], true)]);
    const c = await make('disk-c', [disk('sda', 100, []), disk('sdb', 1000, ['ssd'])]);
    const mine = [a.systemId, b.systemId, c.systemId];
    const read = async (storage: string) => {
      const res = await call('GET', `machines/?storage=${encodeURIComponent(storage)}`);
      assert.equal(res.status, 200, res.body);
      return (res.json() as Array<{ hostname: string; system_id: string }>).filter((m) => mine.includes(m.system_id)).map((m) => m.hostname);
    };
    assert.deepEqual(await read('80'), ['disk-a', 'disk-c'], 'the root disk must hold 80 GB');
    assert.deepEqual(await read('root:80(ssd)'), ['disk-a'], 'the root disk must carry every tag');
    assert.deepEqual(await read('10,10'), ['disk-a', 'disk-c'], 'a second disk besides the root one');
    assert.deepEqual(await read('10,600'), ['disk-c']);
    assert.deepEqual(await read('10,150(rotary),150(rotary)'), ['disk-a']);
    assert.deepEqual(await read('10,150(rotary),150(rotary),1'), [], 'each disk is used once');
    assert.deepEqual(await read('root:10(partition)'), [], 'simulated disks have no partitions');
    assert.deepEqual(await read('0.5'), ['disk-a', 'disk-b', 'disk-c']);
    for (const bad of ['root:lots', '10, 20', 'root:10()', ':10']) {
      const res = await call('GET', `machines/?storage=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, bad);
      assert.deepEqual(res.json(), { storage: [`Malformed storage constraint, "${bad}".`] });
    }

    // allocate answers which disks met the labelled constraints; unlabelled ones are left out.
    const ids = Object.fromEntries(a.blockDevices.map((d) => [d.name, d.id]));
    const res = await call('POST', 'machines/?op=allocate', [['name', 'disk-a'], ['storage', 'root:10,data:150(rotary),300'], ['dry_run', 'true']]);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json().constraints_by_type, { storage: { root: [ids['sda']], data: [ids['sdc']] } });
    assert.deepEqual((await call('POST', 'machines/?op=allocate', [['name', 'disk-a'], ['dry_run', 'true']])).json().constraints_by_type, {});
    const none = await call('POST', 'machines/?op=allocate', [['name', 'disk-b'], ['storage', '10,10']]);
    assert.equal(none.status, 409);
    assert.equal(none.body, 'No available machine matches constraints: [(\'name\', [\'disk-b\']), (\'storage\', [\'10,10\'])] (resolved to "name=disk-b storage=10,10")');
    for (const id of mine) await t.store.deleteNode(id);
  });

  test('nodes/{system_id}/: details is BSON, power_parameters and DELETE are admin-only (403 empty)', async () => {
    const id = await readyMachine([['power_parameters_power_address', 'qemu+ssh://h/system']]);
    const details = await call('GET', `nodes/${id}/?op=details`, [], bob.key);
    assert.equal(details.status, 200);
    assert.equal(details.type, 'application/bson');
    assert.deepEqual((await call('GET', `nodes/${id}/?op=power_parameters`)).json(), { power_address: 'qemu+ssh://h/system' });
    for (const [method, path] of [
      ['GET', `nodes/${id}/?op=power_parameters`],
      ['DELETE', `nodes/${id}/`],
    ] as const) {
      const res = await call(method, path, [], bob.key);
      assert.equal(res.status, 403);
      assert.equal(res.body, '');
    }
    const bulk = (await call('GET', `machines/?op=power_parameters&id=${id}`)).json();
    assert.deepEqual(bulk, { [id]: { power_address: 'qemu+ssh://h/system' } });
  });

  test('nodes: read lists machines with their machine URIs; nodes/{id}/ 404 text names Node', async () => {
    const id = await readyMachine();
    const list = (await call('GET', 'nodes/?op=list')).json();
    assert.equal(list[0].resource_uri, `${API}machines/${id}/`);
    assert.equal((await call('GET', `nodes/${id}/`)).json().system_id, id);
    const missing = await call('GET', 'nodes/xxxxxx/');
    assert.equal(missing.status, 404);
    assert.equal(missing.body, 'No Node matches the given query.');
    assert.equal((await call('DELETE', `nodes/${id}/`)).status, 204);
  });
});
