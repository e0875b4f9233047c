// The machine inventory against a real `maaskit serve`: real clients' flows (gomaasapi as Juju
// drives it, the docs' Python list_allocated, Ruby nodes/?op=list, curl, a Terraform-shaped
// allocate → deploy → poll → release → poll) and a kill -9 in the middle of transitions.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type RunningServer, startServe } from '../helpers/serve.ts';
import { buildGomaasapi, clientSkip, runCurl, runGomaasapi, runPythonPlaintext, runRuby } from './clients.ts';

/** A PLAINTEXT-signed fetch, as the SDK-less Terraform-style flow does it. */
async function api(server: { origin: string }, key: string, method: string, path: string, form?: Array<[string, string]>) {
  const [ck, tk, ts] = key.split(':');
  const authorization =
    `OAuth oauth_consumer_key="${ck}", oauth_token="${tk}", oauth_signature_method="PLAINTEXT", ` +
    `oauth_signature="%26${ts}", oauth_nonce="${randomUUID()}", oauth_timestamp="${Math.floor(Date.now() / 1000)}", oauth_version="1.0"`;
  const res = await fetch(`${server.origin}/MAAS/api/2.0/${path}`, {
    method,
    headers: { authorization, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  const body = await res.text();
  return { status: res.status, body, json: () => JSON.parse(body) };
}

/** Polls GET machines/{id}/ until status_name is `want` (real time: the server's timer runs it). */
async function waitFor(server: { origin: string }, key: string, id: string, want: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(server, key, 'GET', `machines/${id}/`);
    assert.equal(r.status, 200, r.body);
    const m = r.json();
    if (m.status_name === want) return m;
    if (Date.now() > deadline) assert.fail(`machine ${id} is still ${m.status_name}, wanted ${want}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let macs = 0;
async function enlistReady(server: RunningServer, key: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const mac = `52:54:00:e2:00:${(++macs).toString(16).padStart(2, '0')}`;
    const r = await api(server, key, 'POST', 'machines/', [['architecture', 'amd64/generic'], ['mac_addresses', mac], ['power_type', 'virsh']]);
    assert.equal(r.status, 200, r.body);
    ids.push(r.json().system_id);
  }
  for (const id of ids) await waitFor(server, key, id, 'Ready');
  return ids;
}

describe('e2e: machine inventory', () => {
  let server: RunningServer;
  let url: string;
  before(async () => {
    server = await startServe({ args: ['--transition-delay', '1'] });
    url = server.url.replace(/\/$/, '');
    await enlistReady(server, server.apiKey, 3);
  });
  after(() => server.stop());

  test('gomaasapi (Juju): Machines, AllocateMachine, Start, poll to Deployed, ReleaseMachines', { skip: clientSkip('gomaasapi') }, async () => {
    const bin = await buildGomaasapi();
    const result = await runGomaasapi(bin, url, server.apiKey, 'lifecycle');
    assert.equal(result.ok, true, JSON.stringify(result));
    if (!result.ok || !('mode' in result)) return;
    assert.ok(result.machines >= 3);
    assert.deepEqual(result.statuses, ['Allocated', 'Deploying', 'Deployed']);
    assert.equal(result.zone, 'default');
    assert.equal(result.ipAddresses.length, 1);
    assert.ok(result.interfaces >= 1 && result.disks >= 1);
    await waitFor(server, server.apiKey, result.systemId, 'Ready');
  });

  test("python (the docs' example): machines/?op=list_allocated", { skip: clientSkip('python') }, async () => {
    const a = await api(server, server.apiKey, 'POST', 'machines/?op=allocate', [['agent_name', 'python']]);
    assert.equal(a.status, 200, a.body);
    const id = a.json().system_id;
    const r = await runPythonPlaintext(url, server.apiKey, 'machines/?op=list_allocated');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body).map((m: { system_id: string }) => m.system_id), [id]);
    assert.equal((await api(server, server.apiKey, 'POST', `machines/${id}/?op=release`, [])).status, 200);
    await waitFor(server, server.apiKey, id, 'Ready');
  });

  test("ruby (the docs' example): nodes/?op=list lists the machines", { skip: clientSkip('ruby') }, async () => {
    const r = await runRuby(url, server.apiKey, 'nodes/?op=list');
    assert.equal(r.status, 200, r.body);
    const nodes = JSON.parse(r.body);
    assert.ok(nodes.length >= 3);
    assert.ok(nodes.every((n: { resource_uri: string }) => n.resource_uri.startsWith('/MAAS/api/2.0/machines/')));
  });

  test('curl: machines/ with a filter', { skip: clientSkip('curl') }, async () => {
    const r = await runCurl(url, server.apiKey, 'machines/?status=ready&zone=default');
    assert.equal(r.status, 200, r.body);
    assert.ok(JSON.parse(r.body).length >= 1);
  });

  test('terraform-shaped: allocate → deploy → poll to Deployed → release → poll to Ready', async () => {
    const a = await api(server, server.apiKey, 'POST', 'machines/?op=allocate', [['cpu_count', '1'], ['mem', '1024'], ['zone', 'default'], ['pool', 'default']]);
    assert.equal(a.status, 200, a.body);
    const id = a.json().system_id;
    const d = await api(server, server.apiKey, 'POST', `machines/${id}/?op=deploy`, [['distro_series', 'jammy']]);
    assert.equal(d.status, 200, d.body);
    assert.equal(d.json().status_name, 'Deploying');
    const deployed = await waitFor(server, server.apiKey, id, 'Deployed');
    assert.equal((deployed['ip_addresses'] as string[]).length, 1);
    // Terraform finds its machine by listing all of them.
    const all = (await api(server, server.apiKey, 'GET', 'machines/')).json();
    assert.ok(all.some((m: { system_id: string }) => m.system_id === id));
    const r = await api(server, server.apiKey, 'POST', 'machines/?op=release', [['machines', id], ['comment', 'Released by Terraform']]);
    assert.equal(r.status, 200, r.body);
    await waitFor(server, server.apiKey, id, 'Ready');
  });

  test('bad input: 20 concurrent allocations of the last Ready machine — one wins, 19 get 409', async () => {
    const ready = (await api(server, server.apiKey, 'GET', 'machines/?status=ready')).json() as Array<{ system_id: string }>;
    // Leave exactly one Ready machine.
    for (const m of ready.slice(1)) assert.equal((await api(server, server.apiKey, 'POST', 'machines/?op=allocate', [['system_id', m.system_id]])).status, 200);
    const results = await Promise.all(Array.from({ length: 20 }, () => api(server, server.apiKey, 'POST', 'machines/?op=allocate', [])));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 409);
      assert.equal(r.body, 'No machine available.');
    }
    const held = (await api(server, server.apiKey, 'GET', 'machines/?op=list_allocated')).json() as Array<{ system_id: string }>;
    await api(server, server.apiKey, 'POST', 'machines/?op=release', held.map((m) => ['machines', m.system_id] as [string, string]));
  });
});

describe('e2e: kill -9 during transitions loses nothing', () => {
  test('a machine commissioning and one deploying when the server is killed finish after a restart', async () => {
    const first = await startServe({ args: ['--transition-delay', '2'], keepDataDir: true });
    const key = first.apiKey;
    let second: RunningServer | undefined;
    try {
      const [deployId] = await enlistReady(first, key, 1);
      const c = await api(first, key, 'POST', 'machines/', [['architecture', 'amd64'], ['mac_addresses', '52:54:00:99:00:01'], ['power_type', 'virsh']]);
      const commissionId = c.json().system_id;
      await api(first, key, 'POST', 'machines/?op=allocate', [['system_id', deployId!]]);
      const d = await api(first, key, 'POST', `machines/${deployId}/?op=deploy`, []);
      assert.equal(d.json().status_name, 'Deploying');
      first.process.kill('SIGKILL');
      await first.stop();
      second = await startServe({ dataDir: first.dataDir, args: ['--transition-delay', '2'] });
      const machines = (await api(second, key, 'GET', 'machines/')).json() as Array<{ system_id: string }>;
      assert.deepEqual(machines.map((m) => m.system_id).sort(), [commissionId, deployId].sort());
      await waitFor(second, key, deployId!, 'Deployed');
      await waitFor(second, key, commissionId, 'Ready');
    } finally {
      await second?.stop();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
