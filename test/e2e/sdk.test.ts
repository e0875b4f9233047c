// The SDK (src/client) against a real `maaskit serve` over loopback, and its signatures
// cross-checked with two independent implementations: Debian python3-oauthlib's server-side
// verifier (test/e2e/clients/oauthlib_verify.py, spec/clients.md §2.3) and npm's oauth-1.0a.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OAuth from 'oauth-1.0a';
import { ApiError, AuthError, MaasClient, type MaasClientOptions } from '../../src/client/index.ts';
import { parseAuthorizationHeader } from '../../src/oauth/index.ts';
import { type RunningServer, startServe } from '../helpers/serve.ts';
import { CLIENTS_DIR, clientSkip } from './clients.ts';

let server: RunningServer;
let described: Set<string>;

before(async () => {
  // Machine lifecycle steps complete at the server's next tick, not after 5 s.
  server = await startServe({ args: ['--transition-delay', '0'] });
  const d = (await new MaasClient({ url: server.url }).describe()) as { resources: Array<{ name: string }> };
  described = new Set(d.resources.map((r) => r.name));
});
after(() => server.stop());

function admin(extra: Partial<MaasClientOptions> = {}) {
  return new MaasClient({ url: server.url, apiKey: server.apiKey, ...extra });
}

/** Skips a test until the handler is served (the inventory lands concurrently). */
function requires(t: { skip: (m: string) => void }, ...handlers: string[]): boolean {
  const missing = handlers.filter((h) => !described.has(h));
  if (missing.length > 0) t.skip(`${missing.join(', ')} not served yet`);
  return missing.length === 0;
}

describe('sdk: against maaskit', () => {
  test('sdk: version/ anonymously, with the capabilities', async () => {
    const v = await new MaasClient({ url: server.url.replace(/\/$/, '') }).version.get();
    assert.equal(typeof v.version, 'string');
    assert.ok(v.capabilities.includes('authenticate-api'));
  });

  test('sdk: whoami with PLAINTEXT, HMAC-SHA1 and HMAC-SHA256', async () => {
    for (const signatureMethod of ['PLAINTEXT', 'HMAC-SHA1', 'HMAC-SHA256'] as const) {
      assert.equal((await admin({ signatureMethod }).users.whoami()).username, 'admin', signatureMethod);
    }
  });

  test('sdk: the URL may be given with api/2.0/ already, and the key with quotes and a newline', async () => {
    const c = new MaasClient({ url: `${server.url}api/2.0`, apiKey: `"${server.apiKey}"\n` });
    assert.equal(c.apiUrl, `${server.url}api/2.0/`);
    assert.equal((await c.users.whoami()).username, 'admin');
  });

  test('sdk: users create, get, list and delete', async () => {
    const c = admin();
    const created = await c.users.create({ username: 'sdk-user', email: 'sdk@example.com', password: 'pw-12345', isSuperuser: false });
    assert.equal(created.username, 'sdk-user');
    assert.equal(created.is_superuser, false);
    assert.equal((await c.users.get('sdk-user')).email, 'sdk@example.com');
    assert.ok((await c.users.list()).some((u) => u.username === 'sdk-user'));
    await c.users.delete('sdk-user');
    const error = await c.users.get('sdk-user').catch((e: unknown) => e);
    assert.ok(error instanceof ApiError && error.status === 404, String(error));
    assert.equal(error.body, 'No User matches the given query.');
  });

  test('sdk: keys create (multipart and urlencoded), list, rename, delete; a deleted key is refused', async () => {
    for (const bodyEncoding of ['multipart', 'urlencoded'] as const) {
      const c = admin({ bodyEncoding, signatureMethod: 'HMAC-SHA1' });
      const key = await c.keys.create({ name: `ci ${bodyEncoding} & more` });
      assert.equal(key.name, `ci ${bodyEncoding} & more`);
      assert.match(key.apiKey, /^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
      const fresh = new MaasClient({ url: server.url, apiKey: key.apiKey });
      assert.equal((await fresh.users.whoami()).username, 'admin');
      await c.keys.rename(key.token_key, 'renamed');
      assert.ok((await c.keys.list()).some((k) => k.name === 'renamed' && k.token === key.apiKey));
      await c.keys.delete(key.token_key);
      const error = await fresh.users.whoami().catch((e: unknown) => e);
      assert.ok(error instanceof AuthError, String(error));
      assert.equal(error.code, 'ERR_CLIENT_AUTH');
    }
  });

  test('sdk: a key in the wrong order is an AuthError with the server hint', async () => {
    const [ck, tk, ts] = server.apiKey.split(':');
    const error = await new MaasClient({ url: server.url, apiKey: `${tk}:${ck}:${ts}` })
      .users.whoami()
      .catch((e: unknown) => e);
    assert.ok(error instanceof AuthError);
    assert.equal(error.status, 401);
    assert.match(error.body, /^Authorization Error: Invalid API key\./);
    assert.match(error.hint ?? '', /wrong order/);
    assert.ok(!error.message.includes(ts!));
  });

  test('sdk: unsigned calls to a protected endpoint get 401 Forbidden as an AuthError', async () => {
    const error = await new MaasClient({ url: server.url }).users.whoami().catch((e: unknown) => e);
    assert.ok(error instanceof AuthError);
    assert.match(error.body, /^Forbidden/);
  });

  test('sdk: machines and nodes lists; a missing machine is a 404 ApiError', async () => {
    const c = admin();
    assert.ok(Array.isArray(await c.machines.list()));
    assert.ok(Array.isArray(await c.machines.list({ status: 'ready' })));
    assert.ok(Array.isArray(await c.nodes.list()));
    const error = await c.machines.get('xxxxxx').catch((e: unknown) => e);
    assert.ok(error instanceof ApiError && !(error instanceof AuthError) && error.status === 404, String(error));
    assert.equal(error.body, 'No Machine matches the given query.');
  });

  test('sdk: machines create, allocate, deploy, waitForStatus, release', async (t) => {
    if (!requires(t, 'MachinesHandler')) return;
    const d = (await admin().describe()) as { resources: Array<{ name: string; auth: { actions: Array<{ name: string }> } | null }> };
    const ops = new Set(d.resources.find((r) => r.name === 'MachinesHandler')?.auth?.actions.map((a) => a.name));
    if (!ops.has('allocate') || !ops.has('create')) return t.skip('machines create/allocate not served yet');
    const c = admin();
    const created = await c.machines.create({
      architecture: 'amd64/generic',
      mac_addresses: ['52:54:00:12:34:56'],
      hostname: 'sdk-node',
      power_type: 'manual',
    });
    assert.equal(created.hostname, 'sdk-node');
    const ready = await c.machines.waitForStatus(created.system_id, 'Ready', { intervalMs: 50, timeoutMs: 120_000 });
    assert.equal(ready.status_name, 'Ready');
    const allocated = await c.machines.allocate({ system_id: created.system_id });
    assert.equal(allocated.status_name, 'Allocated');
    const deploying = await c.machines.deploy(created.system_id, { distro_series: 'jammy' });
    assert.ok(['Deploying', 'Deployed'].includes(deploying.status_name));
    assert.equal((await c.machines.waitForStatus(created.system_id, 'Deployed', { intervalMs: 50, timeoutMs: 120_000 })).status_name, 'Deployed');
    await c.machines.release(created.system_id, { comment: 'sdk test' });
    await c.machines.waitForStatus(created.system_id, 'Ready', { intervalMs: 50, timeoutMs: 120_000 });
    const none = await c.machines.allocate({ hostname: 'no-such-host' }).catch((e: unknown) => e);
    assert.ok(none instanceof ApiError && (none.status === 409 || none.status === 400), String(none));
  });

  test('sdk: commission, power, tags on machines, bulk release, nodes, update, other ops, delete', async (t) => {
    if (!requires(t, 'MachinesHandler', 'MachineHandler', 'TagsHandler', 'NodesHandler')) return;
    const c = admin();
    const m = await c.machines.create({ architecture: 'amd64/generic', mac_addresses: ['52:54:00:12:34:57'], hostname: 'sdk-ops', power_type: 'manual' });
    await c.machines.waitForStatus(m.system_id, 'Ready', { intervalMs: 50, timeoutMs: 120_000 });
    assert.equal((await c.machines.commission(m.system_id)).status_name, 'Commissioning');
    await c.machines.waitForStatus(m.system_id, ['Ready'], { intervalMs: 50, timeoutMs: 120_000 });
    const notAllocated = await c.machines.powerOn(m.system_id).catch((e: unknown) => e);
    assert.ok(notAllocated instanceof ApiError && notAllocated.status === 409, String(notAllocated));
    await c.machines.powerOff(m.system_id);
    assert.deepEqual(await c.machines.queryPowerState(m.system_id), { state: 'off' });
    await c.tags.create({ name: 'sdk-ops-tag' });
    assert.deepEqual(await c.tags.updateNodes('sdk-ops-tag', { add: [m.system_id] }), { added: 1, removed: 0 });
    assert.deepEqual((await c.tags.machines('sdk-ops-tag')).map((x) => x.system_id), [m.system_id]);
    assert.deepEqual((await c.machines.list({ tags: 'sdk-ops-tag' })).map((x) => x.system_id), [m.system_id]);
    assert.equal((await c.machines.allocate({ tags: ['sdk-ops-tag'] })).system_id, m.system_id);
    assert.deepEqual(await c.machines.releaseMany([m.system_id], { comment: 'bulk' }), [m.system_id]);
    assert.equal((await c.nodes.get(m.system_id)).system_id, m.system_id);
    assert.ok((await c.nodes.list()).some((n) => n.system_id === m.system_id));
    assert.equal(await c.nodes.isRegistered('52:54:00:12:34:57'), true);
    assert.equal((await c.machines.update(m.system_id, { description: 'updated' })).description, 'updated');
    assert.equal((await c.machines.op(m.system_id, 'mark_broken', { comment: 'sdk' })).status_name, 'Broken');
    await c.machines.delete(m.system_id);
    await assert.rejects(c.machines.get(m.system_id), (e: unknown) => e instanceof ApiError && e.status === 404);
    await assert.rejects(c.nodes.delete(m.system_id), (e: unknown) => e instanceof ApiError && e.status === 404);
    await c.tags.delete('sdk-ops-tag');
  });

  test('sdk: pods create, get, compose, refresh, parameters, update, delete', async (t) => {
    if (!requires(t, 'PodsHandler', 'PodHandler')) return;
    const c = admin();
    const pod = await c.pods.create({ type: 'virsh', power_address: 'qemu+ssh://ubuntu@10.0.0.2/system', name: 'sdk-pod' });
    assert.equal(pod.name, 'sdk-pod');
    assert.equal((await c.pods.get(pod.id)).type, 'virsh');
    const composed = await c.pods.compose(pod.id, { cores: 1, memory: 2048 });
    assert.match(composed.resource_uri, /\/MAAS\/api\/2\.0\/machines\/[a-z0-9]+\/$/);
    assert.equal((await c.pods.refresh(pod.id)).id, pod.id);
    assert.deepEqual(await c.pods.parameters(pod.id), { power_address: 'qemu+ssh://ubuntu@10.0.0.2/system' });
    assert.equal((await c.pods.update(pod.id, { name: 'sdk-pod-2' })).name, 'sdk-pod-2');
    await c.pods.delete(pod.id, { decompose: true });
    await assert.rejects(c.pods.get(pod.id), (e: unknown) => e instanceof ApiError && e.status === 404);
  });

  test('sdk: tags create, get, update, list, delete', async (t) => {
    if (!requires(t, 'TagsHandler', 'TagHandler')) return;
    const c = admin();
    assert.equal((await c.tags.create({ name: 'sdk-tag', comment: 'made by the sdk' })).name, 'sdk-tag');
    assert.equal((await c.tags.get('sdk-tag')).comment, 'made by the sdk');
    assert.equal((await c.tags.update('sdk-tag', { comment: 'changed' })).comment, 'changed');
    assert.ok((await c.tags.list()).some((x) => x.name === 'sdk-tag'));
    assert.deepEqual(await c.tags.machines('sdk-tag'), []);
    await c.tags.delete('sdk-tag');
    await assert.rejects(c.tags.get('sdk-tag'), (e: unknown) => e instanceof ApiError && e.status === 404);
  });

  test('sdk: zones create, get, update, list, delete', async (t) => {
    if (!requires(t, 'ZonesHandler', 'ZoneHandler')) return;
    const c = admin();
    assert.equal((await c.zones.create({ name: 'sdk-zone', description: 'd' })).name, 'sdk-zone');
    assert.equal((await c.zones.get('sdk-zone')).description, 'd');
    assert.equal((await c.zones.update('sdk-zone', { description: 'e' })).description, 'e');
    assert.ok((await c.zones.list()).some((z) => z.name === 'default'));
    await c.zones.delete('sdk-zone');
  });

  test('sdk: resource pools create, get by id and name, update, list, delete', async (t) => {
    if (!requires(t, 'ResourcePoolsHandler', 'ResourcePoolHandler')) return;
    const c = admin();
    const pool = await c.pools.create({ name: 'sdk-pool', description: 'p' });
    assert.equal((await c.pools.get(pool.id)).name, 'sdk-pool');
    assert.equal((await c.pools.get('sdk-pool')).id, pool.id);
    assert.equal((await c.pools.update(pool.id, { description: 'q' })).description, 'q');
    assert.ok((await c.pools.list()).some((p) => p.id === 0 && p.name === 'default'));
    await c.pools.delete(pool.id);
  });

  test('sdk: pods list (and a missing pod is a 404)', async (t) => {
    if (!requires(t, 'PodsHandler', 'PodHandler')) return;
    const c = admin();
    assert.ok(Array.isArray(await c.pods.list()));
    await assert.rejects(c.pods.get(999_999), (e: unknown) => e instanceof ApiError && e.status === 404);
  });
});

// --- cross-checks ------------------------------------------------------------------------------

interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  status: number;
}

/** Runs SDK calls through a recording fetch; answers every captured request and its server status. */
async function capture(run: (options: Partial<MaasClientOptions>) => Promise<unknown>): Promise<Captured[]> {
  const captured: Captured[] = [];
  const fetchAndRecord: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const raw = init?.body;
    const body = raw === undefined || raw === null ? null : typeof raw === 'string' ? raw : new TextDecoder().decode(raw as Uint8Array);
    captured.push({ method: init?.method ?? 'GET', url: String(input), headers, body, status: response.status });
    return response;
  };
  await run({ fetch: fetchAndRecord });
  return captured;
}

async function sampleCalls(options: Partial<MaasClientOptions>): Promise<void> {
  for (const signatureMethod of ['PLAINTEXT', 'HMAC-SHA1'] as const) {
    for (const bodyEncoding of ['multipart', 'urlencoded'] as const) {
      const c = admin({ ...options, signatureMethod, bodyEncoding });
      await c.users.whoami();
      // Whatever the filters mean to the handler (it may answer 400), the signature must pass: not 401.
      await c.send({ method: 'GET', path: 'machines/', params: { hostname: ['a b', "c~d&e!*'()"], id: 'é=%' } });
      const key = await c.keys.create({ name: `cross ${signatureMethod} ${bodyEncoding} é&=` });
      await c.keys.rename(key.token_key, 'a+b c');
      await c.keys.delete(key.token_key);
    }
  }
}

function verifyWithOauthlib(requests: Captured[], key: string): Promise<Array<{ valid: boolean; log: Record<string, boolean> }>> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [join(CLIENTS_DIR, 'oauthlib_verify.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`oauthlib_verify.py exited ${code}: ${err}`));
      else resolve(out.trim().split('\n').map((l) => JSON.parse(l)));
    });
    for (const r of requests) {
      // Only a form-urlencoded body is signed (RFC 5849 §3.4.1.3.1); a multipart one is not given.
      const form = r.headers['content-type'] === 'application/x-www-form-urlencoded';
      child.stdin.write(`${JSON.stringify({ method: r.method, url: r.url, headers: r.headers, body: form ? r.body : null, key })}\n`);
    }
    child.stdin.end();
  });
}

describe('sdk: signatures cross-checked', () => {
  test('sdk: every request the server accepted is valid for python3-oauthlib ResourceEndpoint', { skip: clientSkip('python') }, async () => {
    const requests = await capture(sampleCalls);
    assert.ok(requests.length >= 20);
    for (const r of requests) assert.ok(r.status !== 401 && r.status < 500, `${r.method} ${r.url}: ${r.status}`);
    const verdicts = await verifyWithOauthlib(requests, server.apiKey);
    for (const [i, v] of verdicts.entries()) assert.ok(v.valid, `${requests[i]!.method} ${requests[i]!.url}: ${JSON.stringify(v.log)}`);
  });

  test('sdk: oauthlib refuses a request whose signature was tampered with (the verifier is not a rubber stamp)', { skip: clientSkip('python') }, async () => {
    const requests = await capture(async (o) => {
      await admin({ ...o, signatureMethod: 'HMAC-SHA1' }).users.whoami();
      await admin(o).users.whoami();
    });
    const tampered = requests.map((r) => ({
      ...r,
      headers: { ...r.headers, authorization: r.headers['authorization']!.replace(/oauth_signature="[^"]*"/, 'oauth_signature="%26wrong"') },
    }));
    for (const v of await verifyWithOauthlib(tampered, server.apiKey)) assert.equal(v.valid, false);
  });

  test('sdk: PLAINTEXT and HMAC-SHA1 signatures equal npm oauth-1.0a over the same request', async () => {
    const requests = await capture(sampleCalls);
    const [ck, tk, ts] = server.apiKey.split(':') as [string, string, string];
    let compared = 0;
    for (const r of requests) {
      const ours = parseAuthorizationHeader(r.headers['authorization']!)!;
      const method = ours.get('oauth_signature_method')!;
      const oauth = new OAuth({
        consumer: { key: ck, secret: '' },
        signature_method: method,
        ...(method === 'HMAC-SHA1' ? { hash_function: (base: string, k: string) => createHmac('sha1', k).update(base).digest('base64') } : {}),
      });
      oauth.getNonce = () => ours.get('oauth_nonce')!;
      oauth.getTimeStamp = () => Number(ours.get('oauth_timestamp'));
      const form = r.headers['content-type'] === 'application/x-www-form-urlencoded';
      const data: Record<string, string> = form && r.body ? Object.fromEntries(new URLSearchParams(r.body)) : {};
      const theirs = oauth.authorize({ url: r.url, method: r.method, data }, { key: tk, secret: ts });
      assert.equal(ours.get('oauth_signature'), theirs.oauth_signature, `${method} ${r.method} ${r.url}`);
      compared++;
    }
    assert.ok(compared >= 20);
  });
});
