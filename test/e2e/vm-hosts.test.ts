// Tags, zones, resource pools and a VM host that composes a machine, driven by a real client
// (python requests_oauthlib: HMAC-SHA1 form POSTs, PLAINTEXT GETs) against a real
// `maaskit serve` on loopback; the composed machine is polled until it is Ready.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RunningServer, startServe } from '../helpers/serve.ts';
import { clientSkip, runPythonHmac, runPythonPlaintext } from './clients.ts';

describe('e2e: tags, zones, pools and a VM host with python', { skip: clientSkip('python') }, () => {
  let server: RunningServer;
  let url: string;
  before(async () => {
    server = await startServe({ args: ['--transition-delay', '0'] });
    url = server.url.replace(/\/$/, '');
  });
  after(() => server.stop());

  const post = (path: string, params: Record<string, string> = {}) => runPythonHmac(url, server.apiKey, 'POST', path, params);
  const get = (path: string) => runPythonPlaintext(url, server.apiKey, path);

  test('create a tag, a zone, a pool and a virsh VM host; compose a machine; poll it to Ready', async () => {
    const tag = await post('tags/?op=', { name: 'e2e-vms', comment: 'made by python' });
    assert.equal(tag.status, 200, tag.body);
    assert.equal(JSON.parse(tag.body).resource_uri, '/MAAS/api/2.0/tags/e2e-vms/');

    const zone = await post('zones/', { name: 'e2e-zone', description: 'rack 9' });
    assert.equal(zone.status, 200, zone.body);
    const pool = await post('resourcepools/', { name: 'e2e-pool' });
    assert.equal(pool.status, 200, pool.body);
    const poolId = JSON.parse(pool.body).id as number;
    assert.equal((await get(`resourcepool/${poolId}/`)).status, 200);

    const pod = await post('pods/', {
      type: 'virsh',
      power_address: 'qemu+ssh://ubuntu@192.0.2.10/system',
      name: 'e2e-kvm',
      zone: 'e2e-zone',
      pool: 'e2e-pool',
    });
    assert.equal(pod.status, 200, pod.body);
    const podJson = JSON.parse(pod.body);
    assert.equal(podJson.resource_uri, `/MAAS/api/2.0/vm-hosts/${podJson.id}/`);
    assert.equal(podJson.zone.name, 'e2e-zone');

    const composed = await post(`pods/${podJson.id}/?op=compose`, { cores: '2', memory: '4096', storage: 'root:16' });
    assert.equal(composed.status, 200, composed.body);
    const { system_id: systemId } = JSON.parse(composed.body) as { system_id: string };

    const tagged = await post('tags/e2e-vms/?op=update_nodes', { add: systemId });
    assert.deepEqual(JSON.parse(tagged.body), { added: 1, removed: 0 });

    // Poll as a client would: at most 60 s, whatever the machine's speed.
    const deadline = Date.now() + 60_000;
    let machine: { status_name: string; zone: { name: string }; pool: { name: string }; tag_names: string[]; cpu_count: number };
    for (;;) {
      const r = await get(`machines/${systemId}/`);
      assert.equal(r.status, 200, r.body);
      machine = JSON.parse(r.body);
      if (machine.status_name === 'Ready' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(machine.status_name, 'Ready');
    assert.equal(machine.zone.name, 'e2e-zone');
    assert.equal(machine.pool.name, 'e2e-pool');
    assert.equal(machine.cpu_count, 2);
    assert.ok(machine.tag_names.includes('e2e-vms'));

    const host = JSON.parse((await get(`vm-hosts/${podJson.id}/`)).body);
    assert.deepEqual(host.used, { cores: 2, memory: 4096, local_storage: 16_000_000_000 });
    const listed = JSON.parse((await get('tags/e2e-vms/?op=machines')).body) as Array<{ system_id: string }>;
    assert.deepEqual(listed.map((m) => m.system_id), [systemId]);
  });
});
