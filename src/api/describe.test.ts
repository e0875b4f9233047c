// describe/ through the app: the description clients bind to (spec/maas-resources.md §2.2,
// DESIGN D1, D8).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';

const DESCRIBE = '/MAAS/api/2.0/describe/';

interface ActionDescription {
  method: string;
  name: string;
  op: string | null;
  restful: boolean;
  doc: string | null;
}

interface HandlerDescription {
  name: string;
  doc: string;
  params: string[];
  path: string;
  uri: string;
  actions: ActionDescription[];
}

interface ResourceDescription {
  name: string;
  anon: HandlerDescription | null;
  auth: HandlerDescription | null;
}

interface Description {
  doc: string;
  hash: string;
  resources: ResourceDescription[];
  handlers: HandlerDescription[];
}


/** Tags, zones, pools and VM hosts (src/api/tags.ts, zones.ts, resourcepools.ts, pods.ts): authenticated only. */
const INVENTORY_HANDLERS = ['PodHandler', 'PodsHandler', 'ResourcePoolHandler', 'ResourcePoolsHandler', 'TagHandler', 'TagsHandler', 'VmHostHandler', 'VmHostsHandler', 'ZoneHandler', 'ZonesHandler'];
describe('describe/', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function fetchDescription(host?: string): Promise<{ body: Description; hash: string; raw: string }> {
    const res = await t.app.inject({ method: 'GET', url: DESCRIBE, headers: host ? { host } : {} });
    assert.equal(res.statusCode, 200);
    return { body: JSON.parse(res.body) as Description, hash: String(res.headers['x-maas-api-hash']), raw: res.body };
  }

  function resource(d: Description, name: string): ResourceDescription {
    const found = d.resources.find((r) => r.name === name);
    assert.ok(found, `resource ${name} is described`);
    return found;
  }

  test('describe: answers 200 with content type exactly application/json', async () => {
    const res = await t.app.inject({ method: 'GET', url: DESCRIBE });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
  });

  test('describe: top-level keys are exactly doc, handlers, hash, resources, serialised sorted', async () => {
    const { body, raw } = await fetchDescription();
    assert.deepEqual(Object.keys(body), ['doc', 'handlers', 'hash', 'resources']);
    assert.equal(body.doc, 'MAAS API');
    assert.match(body.hash, /^[0-9a-f]{40}$/);
    // json.dumps(sort_keys=True): Python's separators.
    assert.ok(raw.startsWith('{"doc": "MAAS API", "handlers": ['), raw.slice(0, 60));
  });

  test('describe: the hash equals the X-MAAS-API-Hash header of describe/ itself', async () => {
    const { body, hash } = await fetchDescription();
    assert.equal(body.hash, hash);
  });

  test('describe: the hash equals X-MAAS-API-Hash on every API response, errors included', async () => {
    const { body } = await fetchDescription();
    const users = '/MAAS/api/2.0/users/';
    const requests = [
      { method: 'GET' as const, url: '/MAAS/api/2.0/version/' },
      { method: 'GET' as const, url: users, headers: { authorization: t.sign('GET', users) } },
      { method: 'GET' as const, url: users }, // 401 Forbidden
      {
        method: 'GET' as const,
        url: users,
        headers: {
          authorization:
            'OAuth oauth_consumer_key="unknown", oauth_token="unknown", oauth_signature="&x", oauth_signature_method="PLAINTEXT", oauth_timestamp="1800000000", oauth_nonce="n1"',
        },
      }, // 401 Invalid API key
      { method: 'GET' as const, url: '/MAAS/api/2.0/foo/' }, // 404 Unknown API endpoint
      { method: 'GET' as const, url: '/MAAS/api/2.0/machines/' }, // 400 anonymous quirk
      { method: 'POST' as const, url: '/MAAS/api/2.0/version/' }, // 405
      { method: 'GET' as const, url: '/MAAS/api/2.0/users/nobody/', headers: { authorization: t.sign('GET', '/MAAS/api/2.0/users/nobody/') } }, // 404
    ];
    for (const request of requests) {
      const res = await t.app.inject(request);
      assert.equal(res.headers['x-maas-api-hash'], body.hash, `${request.method} ${request.url} → ${res.statusCode}`);
    }
  });

  test('describe: the hash does not depend on the Host the client used', async () => {
    const a = await fetchDescription('maas.example:5240');
    const b = await fetchDescription('10.0.0.1');
    assert.equal(a.body.hash, b.body.hash);
  });

  test('describe: the hash is the same in every app instance (D6: several servers, one hash)', async () => {
    const other = await createTestApp();
    try {
      const res = await other.app.inject({ method: 'GET', url: DESCRIBE });
      const { body } = await fetchDescription();
      assert.equal(JSON.parse(res.body).hash, body.hash);
    } finally {
      await other.close();
    }
  });

  test('describe: resources are sorted by name and carry MAAS handler names', async () => {
    const { body } = await fetchDescription();
    const names = body.resources.map((r) => r.name);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(names, [
      'AccountHandler',
      'MachineHandler',
      'MachinesHandler',
      'NodeHandler',
      'NodesHandler',
      'PodHandler',
      'PodsHandler',
      'ResourcePoolHandler',
      'ResourcePoolsHandler',
      'TagHandler',
      'TagsHandler',
      'UserHandler',
      'UsersHandler',
      'VersionHandler',
      'VmHostHandler',
      'VmHostsHandler',
      'ZoneHandler',
      'ZonesHandler',
    ]);
  });

  test('describe: anonymous twins are AnonNodesHandler and AnonMachinesHandler; VersionHandler is anon only', async () => {
    const { body } = await fetchDescription();
    const anon = Object.fromEntries(body.resources.map((r) => [r.name, r.anon?.name ?? null]));
    const auth = Object.fromEntries(body.resources.map((r) => [r.name, r.auth?.name ?? null]));
    assert.deepEqual(anon, {
      AccountHandler: null,
      MachineHandler: null,
      MachinesHandler: 'AnonMachinesHandler',
      NodeHandler: null,
      NodesHandler: 'AnonNodesHandler',
      UserHandler: null,
      UsersHandler: null,
      VersionHandler: 'VersionHandler',
      ...Object.fromEntries(INVENTORY_HANDLERS.map((name) => [name, null])),
    });
    assert.deepEqual(auth, {
      AccountHandler: 'AccountHandler',
      MachineHandler: 'MachineHandler',
      MachinesHandler: 'MachinesHandler',
      NodeHandler: 'NodeHandler',
      NodesHandler: 'NodesHandler',
      UserHandler: 'UserHandler',
      UsersHandler: 'UsersHandler',
      VersionHandler: null,
      ...Object.fromEntries(INVENTORY_HANDLERS.map((name) => [name, name])),
    });
  });

  test('describe: handlers lists every anon handler, then every auth handler', async () => {
    const { body } = await fetchDescription();
    const anon = body.resources.flatMap((r) => (r.anon ? [r.anon.name] : []));
    const auth = body.resources.flatMap((r) => (r.auth ? [r.auth.name] : []));
    assert.deepEqual(
      body.handlers.map((h) => h.name),
      [...anon, ...auth],
    );
  });

  test('describe: actions are sorted by name, with method, op and restful', async () => {
    const { body } = await fetchDescription();
    for (const r of body.resources) {
      for (const h of [r.anon, r.auth]) {
        if (!h) continue;
        const names = h.actions.map((a) => a.name);
        assert.deepEqual(names, [...names].sort(), h.name);
        for (const a of h.actions) {
          assert.equal(a.restful, a.op === null, `${h.name}.${a.name}`);
          assert.deepEqual(Object.keys(a), ['doc', 'method', 'name', 'op', 'restful']);
        }
      }
    }
    const account = resource(body, 'AccountHandler').auth!;
    assert.deepEqual(
      account.actions.map((a) => [a.name, a.method, a.op]),
      [
        ['create_authorisation_token', 'POST', 'create_authorisation_token'],
        ['delete_authorisation_token', 'POST', 'delete_authorisation_token'],
        ['list_authorisation_tokens', 'GET', 'list_authorisation_tokens'],
        ['update_token_name', 'POST', 'update_token_name'],
      ],
    );
    const users = resource(body, 'UsersHandler').auth!;
    assert.deepEqual(
      users.actions.map((a) => [a.name, a.method, a.op, a.restful]),
      [
        ['create', 'POST', null, true],
        ['read', 'GET', null, true],
        ['whoami', 'GET', 'whoami', false],
      ],
    );
    const user = resource(body, 'UserHandler').auth!;
    assert.deepEqual(
      user.actions.map((a) => [a.name, a.method]),
      [
        ['delete', 'DELETE'],
        ['read', 'GET'],
      ],
    );
  });

  test('describe: the hidden op=list is not listed', async () => {
    const { body } = await fetchDescription();
    for (const name of ['NodesHandler', 'MachinesHandler']) {
      const r = resource(body, name);
      const names = r.auth!.actions.map((a) => a.name);
      assert.ok(!names.includes('list'), name);
      assert.ok(names.includes('read') && names.includes('is_registered'), name);
      // spec §2.6.0: anonymous machines/ also enlists (create) and refuses accept with a 401.
      assert.deepEqual(
        r.anon!.actions.map((a) => a.name),
        name === 'MachinesHandler' ? ['accept', 'create', 'is_action_in_progress', 'is_registered'] : ['is_action_in_progress', 'is_registered'],
        name,
      );
    }
  });

  test('describe: params and path are the URI template, uri is absolute from the Host header', async () => {
    const { body } = await fetchDescription('maas.example:5240');
    const user = resource(body, 'UserHandler').auth!;
    assert.deepEqual(user.params, ['username']);
    assert.equal(user.path, '/MAAS/api/2.0/users/{username}/');
    assert.equal(user.uri, 'http://maas.example:5240/MAAS/api/2.0/users/{username}/');
    const machine = resource(body, 'MachineHandler').auth!;
    assert.deepEqual(machine.params, ['system_id']);
    assert.equal(machine.uri, 'http://maas.example:5240/MAAS/api/2.0/machines/{system_id}/');
    const users = resource(body, 'UsersHandler').auth!;
    assert.deepEqual(users.params, []);
    assert.equal(users.uri, 'http://maas.example:5240/MAAS/api/2.0/users/');
    const version = resource(body, 'VersionHandler').anon!;
    assert.equal(version.uri, 'http://maas.example:5240/MAAS/api/2.0/version/');
  });

  test('describe: with --public-url, uri uses the public URL instead of Host', async () => {
    const other = await createTestApp({ publicUrl: 'https://maas.example.com:5443/MAAS/' });
    try {
      const res = await other.app.inject({ method: 'GET', url: DESCRIBE, headers: { host: 'internal:5240' } });
      const body = JSON.parse(res.body) as Description;
      assert.equal(resource(body, 'UsersHandler').auth!.uri, 'https://maas.example.com:5443/MAAS/api/2.0/users/');
    } finally {
      await other.close();
    }
  });

  test('describe: every handler has a doc string and every action a doc', async () => {
    const { body } = await fetchDescription();
    for (const h of body.handlers) {
      assert.equal(typeof h.doc, 'string', h.name);
      assert.ok(h.doc.length > 0, h.name);
      for (const a of h.actions) assert.equal(typeof a.doc, 'string', `${h.name}.${a.name}`);
    }
  });

  test('describe: answers any method, anonymously, ignoring a broken OAuth header (a plain view)', async () => {
    for (const method of ['POST', 'PUT', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: DESCRIBE, headers: { authorization: 'OAuth broken' } });
      assert.equal(res.statusCode, 200, method);
      assert.equal(res.headers['content-type'], 'application/json');
    }
  });
});
