// A database that goes away under a running server: requests get 503 with a clear text, in
// bounded time (no hang, no 500), and the server recovers by itself when the database returns.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { splitApiKey } from '../../src/model/index.ts';
import { signRequest } from '../../src/oauth/index.ts';
import { createTestDatabase, type TestDatabase, type TestPostgres, testPostgres, withPostgres } from '../helpers/postgres.ts';
import { MAASKIT_BIN, type RunningServer, startServe } from '../helpers/serve.ts';

const WHOAMI = 'api/2.0/users/?op=whoami';
let nonces = 0;

async function whoami(server: RunningServer): Promise<{ status: number; text: string; retryAfter: string | null }> {
  const url = `${server.url}${WHOAMI}`;
  const key = splitApiKey(server.apiKey)!;
  const authorization = signRequest({
    method: 'GET',
    url,
    ...key,
    signatureMethod: 'PLAINTEXT',
    timestamp: Math.floor(Date.now() / 1000),
    nonce: `outage-${++nonces}`,
  });
  // A bound on the wait, not a timing assertion: a hang fails here instead of stalling the suite.
  const response = await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(60_000) });
  return { status: response.status, text: await response.text(), retryAfter: response.headers.get('retry-after') };
}

withPostgres('database outage', () => {
  test('outage: serve exits 1 with a clear message when the database cannot be reached at start', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'maaskit-test-'));
    try {
      const result = spawnSync(
        process.execPath,
        [MAASKIT_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--database-url', 'postgres://maas:hunter2@127.0.0.1:1/maas'],
        { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MAASKIT_LOG_LEVEL: 'warn' } },
      );
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /^maaskit: Cannot reach the database at postgres:\/\/maas:\*\*\*@127\.0\.0\.1:1\/maas: /);
      assert.ok(!`${result.stdout}${result.stderr}`.includes('hunter2'), 'the password must not be printed');
      assert.ok(!result.stderr.includes('    at '), 'no stack trace');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('a running server whose database stops and starts again', () => {
    let pg: TestPostgres;
    let db: TestDatabase;
    let server: RunningServer;

    before(async () => {
      pg = await testPostgres();
      db = await createTestDatabase();
      server = await startServe({
        args: ['--database-url', db.url],
        env: { MAASKIT_SECRET_KEY: randomBytes(32).toString('hex') },
      });
    });

    after(async () => {
      if (pg?.owned) pg.start();
      await server?.stop();
      await db?.drop();
    });

    test('outage: 503 "The database is unavailable" while it is down, then 200 again by itself', async (t) => {
      if (!pg.owned) {
        t.skip('MAASKIT_TEST_DATABASE_URL names a server this test cannot stop');
        return;
      }
      assert.equal((await whoami(server)).status, 200);
      pg.stop();
      for (let i = 0; i < 3; i++) {
        const down = await whoami(server);
        assert.equal(down.status, 503, down.text);
        assert.equal(down.text, 'The database is unavailable; try again shortly.');
        assert.equal(down.retryAfter, '5');
      }
      assert.equal(server.process.exitCode, null, 'the server keeps running');
      pg.start();
      // Bounded polling: the pool makes new connections on demand, so the first request after
      // the restart normally succeeds; a few tries allow for the server still starting up.
      let up = await whoami(server);
      for (let tries = 0; up.status !== 200 && tries < 60; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        up = await whoami(server);
      }
      assert.equal(up.status, 200, up.text);
      assert.ok(!/"level":50/.test(server.output()), `no error-level log lines:\n${server.output()}`);
    });
  });
});
