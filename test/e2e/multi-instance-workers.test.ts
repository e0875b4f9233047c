// `maaskit serve --workers N`: N processes on one port over PostgreSQL; the URL printed once;
// SIGTERM stops them all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { splitApiKey } from '../../src/model/index.ts';
import { signRequest } from '../../src/oauth/index.ts';
import { createTestDatabase, withPostgres } from '../helpers/postgres.ts';
import { MAASKIT_BIN, startServe } from '../helpers/serve.ts';

test('workers: --workers 2 without --database-url is refused with a clear error', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'maaskit-test-'));
  try {
    const env = { ...process.env };
    delete env['MAASKIT_DATABASE_URL'];
    const result = spawnSync(process.execPath, [MAASKIT_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--workers', '2'], {
      encoding: 'utf8',
      timeout: 60_000,
      env,
    });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /^--workers needs PostgreSQL \(--database-url\)/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('cli: a --database-url (or MAASKIT_DATABASE_URL) that is not postgres:// is refused, without echoing it', async () => {
  const { main } = await import('../../src/cli/main.ts');
  for (const [argv, env] of [
    [['apikey', '--username', 'admin', '--database-url', 'mysql://u:hunter2@db/maas'], {}],
    [['createadmin', '--username', 'a', '--password', 'p', '--email', 'a@x'], { MAASKIT_DATABASE_URL: 'mysql://u:hunter2@db/maas' }],
    [['serve', '--database-url', 'sqlite:///tmp/x.db'], {}],
  ] as const) {
    let stderr = '';
    const code = await main([...argv], { stdout: () => {}, stderr: (t) => (stderr += t), env: { ...env } });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^--database-url \(or MAASKIT_DATABASE_URL\) must be a postgres:\/\/ URL/);
    assert.ok(!stderr.includes('hunter2'));
  }
});

withPostgres('workers', () => {
  test('multi-instance: three servers started at once on an empty database all start; one creates the admin', async () => {
    const db = await createTestDatabase();
    const env = { MAASKIT_SECRET_KEY: randomBytes(32).toString('hex') };
    const started = await Promise.allSettled(Array.from({ length: 3 }, () => startServe({ args: ['--database-url', db.url], env })));
    try {
      const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failures = started.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      assert.deepEqual(failures, []);
      assert.equal(servers.filter((s) => /created user admin/.test(s.output())).length, 1);
    } finally {
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
      await db.drop();
    }
  });

  test('workers: two workers share one port, the URL is printed once, SIGTERM stops them all', async () => {
    const db = await createTestDatabase();
    const server = await startServe({
      args: ['--database-url', db.url, '--workers', '2'],
      env: { MAASKIT_SECRET_KEY: randomBytes(32).toString('hex') },
    });
    try {
      assert.equal(server.output().match(/listening on /g)?.length, 1, server.output());
      const pids = /2 workers \(pids (\d+), (\d+)\)/.exec(server.output())?.slice(1).map(Number) ?? [];
      assert.equal(pids.length, 2, server.output());
      assert.equal(server.output().match(/created user admin/g)?.length, 1, 'one admin, made by the primary');
      const key = splitApiKey(server.apiKey)!;
      const url = `${server.url}api/2.0/users/?op=whoami`;
      const statuses = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const authorization = signRequest({
            method: 'GET',
            url,
            ...key,
            signatureMethod: 'PLAINTEXT',
            timestamp: Math.floor(Date.now() / 1000),
            nonce: `workers-${i}`,
          });
          return (await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(60_000) })).status;
        }),
      );
      assert.deepEqual(
        statuses.filter((s) => s !== 200),
        [],
      );
      assert.equal(await server.stop(), 0, server.output());
      for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `worker ${pid} is still running`);
    } finally {
      await server.stop();
      await db.drop();
    }
  });
});
