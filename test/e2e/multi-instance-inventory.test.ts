// The machine inventory across two real servers on one PostgreSQL database: `seed` reaches it
// through --database-url, an allocation race has one winner per machine, and a deploy started
// on a server that is then killed (-9) is finished by the other (DESIGN D6, D7; issue 5).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type ApiKeyParts, splitApiKey } from '../../src/model/index.ts';
import { signRequest } from '../../src/oauth/index.ts';
import { createTestDatabase, type TestDatabase, withPostgres } from '../helpers/postgres.ts';
import { MAASKIT_BIN, type RunningServer, startServe } from '../helpers/serve.ts';

const SECRET_KEY = randomBytes(32).toString('hex');
let nonces = 0;
const noncePrefix = randomBytes(4).toString('hex');

interface MachineJson {
  system_id: string;
  status_name: string;
}

async function call(server: RunningServer, method: string, path: string, key: ApiKeyParts, form: Record<string, string> = {}) {
  const url = `${server.url}api/2.0/${path}`;
  const entries = Object.entries(form);
  const authorization = signRequest({
    method,
    url,
    ...key,
    signatureMethod: 'PLAINTEXT',
    timestamp: Math.floor(Date.now() / 1000),
    nonce: `${noncePrefix}-${++nonces}`,
    ...(entries.length > 0 ? { formParams: entries } : {}),
  });
  const body = method === 'POST' ? new URLSearchParams(form).toString() : undefined;
  const response = await fetch(url, {
    method,
    headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, text: await response.text() };
}

withPostgres('multi-instance inventory', () => {
  describe('the machine inventory across two servers on one PostgreSQL database', () => {
    let db: TestDatabase;
    let a: RunningServer;
    let b: RunningServer;
    let admin: ApiKeyParts;
    const allocated: string[] = [];

    before(async () => {
      db = await createTestDatabase();
      const env = { MAASKIT_SECRET_KEY: SECRET_KEY };
      const args = ['--database-url', db.url, '--transition-delay', '2'];
      a = await startServe({ args, env });
      b = await startServe({ args, env });
      admin = splitApiKey(a.apiKey)!;
    });

    after(async () => {
      await a?.stop();
      await b?.stop();
      await db?.drop();
    });

    test('multi-instance: `maaskit seed --database-url` fills the shared inventory; both servers list it', async () => {
      const seeded = spawnSync(process.execPath, [MAASKIT_BIN, 'seed', '--machines', '12', '--data-dir', a.dataDir, '--database-url', db.url], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, MAASKIT_SECRET_KEY: SECRET_KEY },
      });
      assert.equal(seeded.status, 0, seeded.stdout + seeded.stderr);
      const onA = await call(a, 'GET', 'machines/', admin);
      const onB = await call(b, 'GET', 'machines/', admin);
      assert.equal(onA.status, 200, onA.text);
      const ids = (text: string) => (JSON.parse(text) as MachineJson[]).map((m) => m.system_id).sort();
      assert.equal(ids(onA.text).length, 12);
      assert.deepEqual(ids(onB.text), ids(onA.text));
    });

    test('multi-instance: an allocation race across A and B gives each Ready machine to exactly one caller', async () => {
      const machines = JSON.parse((await call(a, 'GET', 'machines/', admin)).text) as MachineJson[];
      const ready = machines.filter((m) => m.status_name === 'Ready').length;
      assert.ok(ready > 0, 'the seed makes some machines Ready');
      const results = await Promise.all(
        Array.from({ length: ready + 6 }, (_, i) => call(i % 2 === 0 ? a : b, 'POST', 'machines/?op=allocate', admin)),
      );
      const won = results.filter((r) => r.status === 200).map((r) => (JSON.parse(r.text) as MachineJson).system_id);
      const others = results.filter((r) => r.status !== 200);
      assert.equal(won.length, ready, JSON.stringify(others.slice(0, 3)));
      assert.equal(new Set(won).size, ready, 'no machine is allocated twice');
      assert.deepEqual(new Set(others.map((r) => r.status)), new Set([409]));
      allocated.push(...won);
    });

    test('multi-instance: a deploy started on A, then A killed -9, is finished by B', async () => {
      const systemId = allocated[0];
      assert.ok(systemId, 'an allocated machine from the race');
      const started = await call(a, 'POST', `machines/${systemId}/?op=deploy`, admin);
      assert.equal(started.status, 200, started.text);
      assert.equal((JSON.parse(started.text) as MachineJson).status_name, 'Deploying');
      a.process.kill('SIGKILL');
      await a.stop();
      // Bounded polling (the step is due 2 s after the deploy; B looks every second).
      let status = '';
      for (let tries = 0; tries < 120 && status !== 'Deployed'; tries++) {
        if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 500));
        const got = await call(b, 'GET', `machines/${systemId}/`, admin);
        assert.equal(got.status, 200, got.text);
        status = (JSON.parse(got.text) as MachineJson).status_name;
      }
      assert.equal(status, 'Deployed');
    });
  });
});
