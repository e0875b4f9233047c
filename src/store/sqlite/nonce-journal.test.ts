import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrate } from '../migrations.ts';
import { exclusiveWith, openSqliteStore } from './index.ts';
import { openNonceJournal } from './nonce-journal.ts';

const NOW = 1_800_000_000;

/** A migrated database file, opened raw, and a journal over it. */
async function journalOn(maxLive?: number, now: () => number = () => NOW) {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-journal-'));
  const file = join(dir, 'maaskit.db');
  await (await openSqliteStore({ file, secretKey: Buffer.alloc(32, 1), randomBytes, now: () => NOW })).close();
  const database = new BetterSqlite3(file);
  const journal = openNonceJournal(database, {
    now,
    exclusive: async (work) => work(),
    ...(maxLive === undefined ? {} : { maxLive }),
  });
  const rows = () => (database.prepare('SELECT count(*) FROM nonce_journal').pluck().get() as number);
  return {
    database,
    journal,
    rows,
    close: () => {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('nonce journal: a batch that fails to commit records nothing, and its nonces stay usable', async () => {
  const { database, journal, rows, close } = await journalOn();
  try {
    database.exec(`CREATE TRIGGER refuse BEFORE INSERT ON nonce_journal WHEN NEW.nonce = 'boom'
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const batch = [journal.use('ck', 'tk', 'ok', NOW + 600), journal.use('ck', 'tk', 'boom', NOW + 600)];
    for (const outcome of await Promise.allSettled(batch)) assert.equal(outcome.status, 'rejected');
    assert.equal(rows(), 0, 'rolled back');
    database.exec('DROP TRIGGER refuse');
    assert.equal(await journal.use('ck', 'tk', 'ok', NOW + 600), true, 'not remembered by the failed batch');
    assert.equal(await journal.use('ck', 'tk', 'ok', NOW + 600), false);
    assert.equal(rows(), 1);
  } finally {
    close();
  }
});

test('nonce journal: past its limit it answers ERR_STORE_BUSY instead of growing, and recovers as nonces expire', async () => {
  const { journal, close } = await journalOn(3);
  try {
    for (const nonce of ['a', 'b', 'c']) assert.equal(await journal.use('ck', 'tk', nonce, NOW + (nonce === 'a' ? -1 : 600)), true);
    // 'a' has already expired: forgotten, so there is room for one more.
    assert.equal(await journal.use('ck', 'tk', 'd', NOW + 600), true);
    await assert.rejects(journal.use('ck', 'tk', 'e', NOW + 600), { code: 'ERR_STORE_BUSY' });
    assert.equal(await journal.use('ck', 'tk', 'b', NOW + 600).catch((e: { code: string }) => e.code), 'ERR_STORE_BUSY');
  } finally {
    close();
  }
});

test('nonce journal: prune deletes expired rows and keeps the rest', async () => {
  const { journal, rows, close } = await journalOn();
  try {
    await Promise.all([journal.use('ck', 'tk', 'old', NOW - 1), journal.use('ck', 'tk', 'new', NOW + 600)]);
    assert.equal(rows(), 2);
    assert.equal(await journal.prune(NOW), 1);
    assert.equal(rows(), 1);
    assert.equal(await journal.use('ck', 'tk', 'new', NOW + 600), false);
  } finally {
    close();
  }
});

test('nonce journal: the upgrade to the journal carries recorded nonces over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-journal-'));
  const file = join(dir, 'maaskit.db');
  try {
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    await migrate(old, 'sqlite', '0004_nodes_version');
    await old
      .insertInto('nonces' as never)
      .values({ consumer_key: 'ck', token_key: 'tk', nonce: 'from-0004', expires_at: NOW + 600 } as never)
      .execute();
    await old.destroy();
    const store = await openSqliteStore({ file, secretKey: Buffer.alloc(32, 1), randomBytes, now: () => NOW });
    try {
      assert.equal(await store.useNonce('ck', 'tk', 'from-0004', NOW + 600), false);
      assert.equal(await store.useNonce('ck', 'tk', 'after-upgrade', NOW + 600), true);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nonce journal: a batch due while a Kysely transaction is open waits for it, then commits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-journal-'));
  const file = join(dir, 'maaskit.db');
  await (await openSqliteStore({ file, secretKey: Buffer.alloc(32, 1), randomBytes, now: () => NOW })).close();
  const database = new BetterSqlite3(file);
  const db = new Kysely<import('../schema.ts').Database>({ dialect: new SqliteDialect({ database }) });
  try {
    const journal = openNonceJournal(database, { now: () => NOW, exclusive: exclusiveWith(database, db) });
    const order: string[] = [];
    let used: Promise<boolean> | undefined;
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ email: 'x' }).where('id', '=', -1).execute();
      used = journal.use('ck', 'tk', 'during', NOW + 600).then((fresh) => {
        order.push('nonce');
        return fresh;
      });
      // Across a turn of the event loop: the journal's flush comes due inside the transaction.
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(database.inTransaction, true);
      order.push('transaction');
    });
    assert.equal(await used, true);
    assert.deepEqual(order, ['transaction', 'nonce']);
    assert.equal(await journal.use('ck', 'tk', 'during', NOW + 600), false);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nonce journal: a large prune goes in chunks, lets other work run between them, and keeps the last row', async () => {
  let now = NOW;
  const { journal, rows, close } = await journalOn(undefined, () => now);
  try {
    for (let i = 0; i < 25_000; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => journal.use('ck', 'tk', `n${i + j}`, NOW + 600)));
    }
    now = NOW + 601;
    let interleaved = false;
    const pruning = journal.prune(now);
    setImmediate(() => {
      interleaved = true;
    });
    assert.equal(await pruning, 24_999);
    assert.ok(interleaved, 'the event loop ran during the prune');
    assert.equal(rows(), 1, 'the last row stays, so ids keep increasing');
    assert.equal(await journal.use('ck', 'tk', 'n0', now + 600), true, 'expired nonces are usable again');
    assert.equal(await journal.prune(now), 1);
  } finally {
    close();
  }
});
