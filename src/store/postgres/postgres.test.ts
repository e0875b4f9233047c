import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase, testPostgres, withPostgres } from '../../../test/helpers/postgres.ts';
import { lifecycle, NODE_STATUS } from '../../model/index.ts';
import { storeContract } from '../contract.ts';
import type { Store } from '../types.ts';
import { isConnectionFailure, openPostgresStore, type PostgresStoreOptions, redactDatabaseUrl } from './index.ts';

const KEY = Buffer.alloc(32, 1);

// A database per store: Kysely's Migrator looks for its tables in every schema, so schemas of
// one database cannot stand in for separate stores. Each is dropped when the file ends.
const databases: TestDatabase[] = [];
after(async () => {
  for (const db of databases) await db.drop();
});

/** The URL of a fresh database: an empty store. */
async function freshUrl(): Promise<string> {
  const db = await createTestDatabase();
  databases.push(db);
  return db.url;
}

const open = (url: string, now: () => number, extra: Partial<PostgresStoreOptions> = {}) =>
  openPostgresStore({ url, secretKey: KEY, randomBytes, now, ...extra });

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

test('postgres: connection failures are recognised, other errors are not', () => {
  assert.equal(isConnectionFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), true);
  assert.equal(isConnectionFailure(Object.assign(new Error('terminating connection'), { code: '57P01' })), true);
  assert.equal(isConnectionFailure(Object.assign(new Error('the database system is starting up'), { code: '57P03' })), true);
  assert.equal(isConnectionFailure(Object.assign(new Error('connection failure'), { code: '08006' })), true);
  assert.equal(isConnectionFailure(new Error('timeout exceeded when trying to connect')), true);
  assert.equal(isConnectionFailure(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isConnectionFailure(Object.assign(new Error('connect ENOENT /tmp/.s.PGSQL.5432'), { code: 'ENOENT', syscall: 'connect' })), true);
  assert.equal(isConnectionFailure(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
  assert.equal(isConnectionFailure(Object.assign(new Error('syntax error'), { code: '42601' })), false);
  assert.equal(isConnectionFailure(new Error('something else')), false);
});

test('postgres: a database URL is shown without its password', () => {
  assert.equal(redactDatabaseUrl('postgres://maas:hunter2@db.example:5432/maas'), 'postgres://maas:***@db.example:5432/maas');
  assert.equal(redactDatabaseUrl('postgres://db.example/maas'), 'postgres://db.example/maas');
});

test('postgres: a server that is not there is ERR_STORE_UNAVAILABLE, promptly, without the password', async () => {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  await assert.rejects(open('postgres://maas:hunter2@127.0.0.1:1/maas', () => 1, { pool: { connectionTimeoutMs: 2000 } }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_STORE_UNAVAILABLE');
    assert.match(error.message, /^Cannot reach the database at postgres:\/\/maas:\*\*\*@127\.0\.0\.1:1\/maas/);
    assert.ok(!error.message.includes('hunter2'));
    return true;
  });
});

withPostgres('postgres', () => {
  storeContract('postgres', async (clock) => {
    const url = await freshUrl();
    const reopen = () => open(url, () => clock.seconds);
    return { store: await reopen(), reopen, cleanup: async () => {} };
  });

  describe('postgres backend', () => {
    test('postgres: several servers migrating an empty database at once all start, and migrate once', async () => {
      const url = await freshUrl();
      const stores: Store[] = await Promise.all(Array.from({ length: 6 }, () => open(url, () => 1)));
      try {
        const rows = await query<{ name: string }>(url, 'select name from kysely_migration order by name');
        assert.ok(rows.length > 0);
        assert.equal(new Set(rows.map((r) => r.name)).size, rows.length);
        const user = await stores[0]!.createUser({ username: 'u', email: 'u@x', password: 'pw', isSuperuser: false });
        assert.equal((await stores[5]!.findUser('u'))?.id, user.id);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test('postgres: numbers come back as numbers (bigint columns and counts)', async () => {
      const store = await open(await freshUrl(), () => 1_800_000_123);
      try {
        const user = await store.createUser({ username: 'n', email: 'n@x', password: 'pw', isSuperuser: false });
        assert.equal(typeof user.id, 'number');
        assert.equal(user.createdAt, 1_800_000_123);
        assert.equal((await store.findUser('n'))?.createdAt, 1_800_000_123);
        assert.equal(await store.countUsers(), 1);
        const [key] = await store.listApiKeys(user.id);
        assert.equal(key?.createdAt, 1_800_000_123);
        assert.equal(typeof (await store.findTokenGrant(key!.tokenKey))?.user.createdAt, 'number');
      } finally {
        await store.close();
      }
    });

    test('postgres: text with NUL, which PostgreSQL cannot hold, is ERR_STORE_INVALID_TEXT (and leaves nothing behind)', async () => {
      const store = await open(await freshUrl(), () => 1);
      try {
        await assert.rejects(store.createUser({ username: 'a\u0000b', email: 'a@x', password: 'pw', isSuperuser: false }), {
          name: 'StoreError',
          code: 'ERR_STORE_INVALID_TEXT',
        });
        assert.equal(await store.countUsers(), 0);
        const user = await store.createUser({ username: 'a', email: 'a@x', password: 'pw', isSuperuser: false });
        await assert.rejects(store.createApiKey(user.id, 'k\u0000'), { code: 'ERR_STORE_INVALID_TEXT' });
      } finally {
        await store.close();
      }
    });

    test('postgres: several servers advancing the same due transitions apply each exactly once', async () => {
      const url = await freshUrl();
      let now = 1_800_000_000;
      const stores = await Promise.all(Array.from({ length: 3 }, () => open(url, () => now)));
      try {
        const [first] = stores;
        const user = await first!.createUser({ username: 'ops', email: 'o@x', password: 'pw', isSuperuser: true });
        const count = 30;
        for (let i = 0; i < count; i++) {
          const node = await first!.createNode({ hostname: `m${i}`, architecture: 'amd64/generic', status: NODE_STATUS.READY, cpuCount: 1, memory: 1024, interfaces: [], blockDevices: [] });
          const step = lifecycle.deploy(node, user.id, { osystem: 'ubuntu', distroSeries: 'jammy', hweKernel: null });
          assert.equal(await first!.applyStep(node.systemId, { status: NODE_STATUS.READY }, step, now, 5), true);
        }
        now += 10;
        const ran = await Promise.all(stores.map((store) => store.advanceDue(now, 5)));
        assert.equal(ran.reduce((a, b) => a + b, 0), count, `each due step once in all, got ${ran.join(' + ')}`);
        const nodes = await first!.listNodes({});
        assert.deepEqual(new Set(nodes.map((n) => n.status)), new Set([NODE_STATUS.DEPLOYED]));
        assert.deepEqual(await first!.pendingTransitions(), []);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test('postgres: an allocation race across servers gives each machine to one caller', async () => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: 3 }, () => open(url, () => 1)));
      try {
        const [first] = stores;
        const user = await first!.createUser({ username: 'ops', email: 'o@x', password: 'pw', isSuperuser: true });
        const machines = 8;
        for (let i = 0; i < machines; i++) {
          await first!.createNode({ hostname: `m${i}`, architecture: 'amd64/generic', status: NODE_STATUS.READY, cpuCount: 1, memory: 1024, interfaces: [], blockDevices: [] });
        }
        const callers = 24;
        const got = await Promise.all(
          Array.from({ length: callers }, (_, i) =>
            stores[i % stores.length]!.allocateNode({}, lifecycle.allocation(user.id, `agent-${i}`), 1),
          ),
        );
        const winners = got.filter((n) => n !== undefined).map((n) => n.systemId);
        assert.equal(winners.length, machines, 'every machine is allocated, none twice');
        assert.equal(new Set(winners).size, machines);
        assert.equal(await first!.countNodes({ statuses: [NODE_STATUS.READY] }), 0);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test('postgres: the database holds no token secret and no password in the clear', async () => {
      const url = await freshUrl();
      const store = await open(url, () => 1);
      try {
        const user = await store.createUser({ username: 'u', email: 'u@x', password: 'correct horse battery', isSuperuser: true });
        const [key] = await store.listApiKeys(user.id);
        const [dump] = await query<{ text: string }>(
          url,
          "select (select string_agg(t::text, ' ') from users t) || (select string_agg(t::text, ' ') from api_keys t) as text",
        );
        assert.ok(dump?.text.includes(key!.tokenKey), 'the token key is stored (it is not secret)');
        assert.ok(!dump?.text.includes(key!.tokenSecret), 'the token secret must not be stored in the clear');
        assert.ok(!dump?.text.includes('correct horse battery'), 'the password must not be stored in the clear');
      } finally {
        await store.close();
      }
    });

    test('postgres: while the server is down every call is ERR_STORE_UNAVAILABLE; it recovers by itself', async (t) => {
      const server = await testPostgres();
      if (!server.owned) {
        t.skip('MAASKIT_TEST_DATABASE_URL names a server this test cannot stop');
        return;
      }
      const store = await open(await freshUrl(), () => 1, { pool: { connectionTimeoutMs: 2000 } });
      try {
        const user = await store.createUser({ username: 'u', email: 'u@x', password: 'pw', isSuperuser: false });
        const [key] = await store.listApiKeys(user.id);
        server.stop();
        for (const call of [
          () => store.findTokenGrant(key!.tokenKey),
          () => store.useNonce('ck', 'tk', 'n', 10),
          () => store.createUser({ username: 'v', email: 'v@x', password: 'pw', isSuperuser: false }),
        ]) {
          await assert.rejects(call(), { name: 'StoreError', code: 'ERR_STORE_UNAVAILABLE' });
        }
        server.start();
        // Connections the pool held died with the server; new ones are made on demand.
        assert.equal((await store.findTokenGrant(key!.tokenKey))?.user.username, 'u');
        assert.equal(await store.useNonce('ck', 'tk', 'n', 10), true);
      } finally {
        server.start();
        await store.close();
      }
    });
  });
});
