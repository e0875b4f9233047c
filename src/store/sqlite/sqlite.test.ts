import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { storeContract } from '../contract.ts';
import { loadOrCreateKeyFile } from '../secret-key.ts';
import { openSqliteStore } from './index.ts';

const KEY = Buffer.alloc(32, 1);

storeContract('sqlite', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-sqlite-'));
  const file = join(dir, 'maaskit.db');
  const open = () => openSqliteStore({ file, secretKey: KEY, randomBytes, now: () => clock.seconds });
  return { store: await open(), reopen: open, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

test('sqlite: the database file holds no token secret and no password in the clear', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-sqlite-'));
  const file = join(dir, 'maaskit.db');
  const store = await openSqliteStore({ file, secretKey: KEY, randomBytes, now: () => 1 });
  const user = await store.createUser({ username: 'u', email: 'u@x', password: 'correct horse battery', isSuperuser: true });
  const [key] = await store.listApiKeys(user.id);
  await store.close();
  const bytes = Buffer.concat([readFileSync(file), existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0)]);
  assert.ok(bytes.includes(Buffer.from(key!.tokenKey)), 'the token key is stored (it is not secret)');
  assert.ok(!bytes.includes(Buffer.from(key!.tokenSecret)), 'the token secret must not be stored in the clear');
  assert.ok(!bytes.includes(Buffer.from('correct horse battery')), 'the password must not be stored in the clear');
  rmSync(dir, { recursive: true, force: true });
});

test('sqlite: a store opened with another server key cannot reveal secrets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-sqlite-'));
  const file = join(dir, 'maaskit.db');
  const first = await openSqliteStore({ file, secretKey: KEY, randomBytes, now: () => 1 });
  const user = await first.createUser({ username: 'u', email: 'u@x', password: 'pw', isSuperuser: true });
  const [key] = await first.listApiKeys(user.id);
  await first.close();
  const second = await openSqliteStore({ file, secretKey: Buffer.alloc(32, 2), randomBytes, now: () => 1 });
  const grant = await second.findTokenGrant(key!.tokenKey);
  assert.equal(grant?.secret.matches(key!.tokenSecret), false);
  assert.throws(() => grant?.secret.reveal(), { code: 'ERR_STORE_SECRET_KEY' });
  await second.close();
  rmSync(dir, { recursive: true, force: true });
});

test('secret key: the key file is created once, 0600, and read back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-key-'));
  const path = join(dir, 'secret.key');
  const a = loadOrCreateKeyFile(path, randomBytes);
  const b = loadOrCreateKeyFile(path, randomBytes);
  assert.deepEqual(a, b);
  assert.equal(a.length, 32);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  rmSync(dir, { recursive: true, force: true });
});
