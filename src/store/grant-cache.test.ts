import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueryId, RootOperationNode } from 'kysely';
import { createGrantCache } from './grant-cache.ts';
import type { TokenGrant } from './types.ts';

function grant(tokenKey: string, username: string): TokenGrant {
  return {
    tokenKey,
    consumerKey: 'ck',
    secret: { matches: () => false, reveal: () => '' },
    user: { id: 1, username, email: '', isSuperuser: false, isActive: true, isLocal: true, createdAt: 0 },
  };
}

/** A loader that counts its calls and answers the current state of a fake table. */
function table() {
  const rows = new Map<string, string>([['tk', 'ann']]);
  let loads = 0;
  return {
    rows,
    loads: () => loads,
    load: async (tokenKey: string) => {
      loads++;
      const username = rows.get(tokenKey);
      return username === undefined ? undefined : grant(tokenKey, username);
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Runs a statement of `kind` through the plugin, as Kysely does. */
async function statement(cache: ReturnType<typeof createGrantCache>, kind: string) {
  const queryId = { queryId: Math.random().toString() } as QueryId;
  cache.plugin.transformQuery({ node: { kind } as unknown as RootOperationNode, queryId });
  await cache.plugin.transformResult({ result: { rows: [] }, queryId });
}

test('grant cache: hits until a write statement, then loads again; SELECTs keep it', async () => {
  const t = table();
  const cache = createGrantCache(() => false);
  assert.equal((await cache.find('tk', t.load))?.user.username, 'ann');
  assert.equal((await cache.find('tk', t.load))?.user.username, 'ann');
  assert.equal(t.loads(), 1);
  await statement(cache, 'SelectQueryNode');
  await cache.find('tk', t.load);
  assert.equal(t.loads(), 1);
  for (const kind of ['UpdateQueryNode', 'DeleteQueryNode', 'InsertQueryNode', 'RawNode']) {
    t.rows.set('tk', kind);
    await statement(cache, kind);
    assert.equal((await cache.find('tk', t.load))?.user.username, kind);
  }
  assert.equal(t.loads(), 5);
});

test('grant cache: another connection’s commit drops it; misses are not cached', async () => {
  const t = table();
  let changed = false;
  const cache = createGrantCache(() => {
    const was = changed;
    changed = false;
    return was;
  });
  await cache.find('tk', t.load);
  t.rows.delete('tk');
  changed = true;
  assert.equal(await cache.find('tk', t.load), undefined);
  t.rows.set('tk', 'back');
  assert.equal((await cache.find('tk', t.load))?.user.username, 'back', 'a miss is not remembered');
});

test('grant cache: a lookup that raced a write is answered but not kept', async () => {
  const t = table();
  const cache = createGrantCache(() => false);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow = async (tokenKey: string) => {
    const read = await t.load(tokenKey); // read before the write…
    await gate;
    return read;
  };
  const pending = cache.find('tk', slow);
  await nextTurn();
  t.rows.set('tk', 'renamed');
  await statement(cache, 'UpdateQueryNode'); // …which finishes before the lookup returns
  release();
  assert.equal((await pending)?.user.username, 'ann');
  assert.equal((await cache.find('tk', t.load))?.user.username, 'renamed', 'the stale read was not kept');
});

test('grant cache: recall answers a hit without asking; lookElsewhere drops it and isCurrent says so', async () => {
  const t = table();
  let asked = 0;
  let changed = false;
  const cache = createGrantCache(() => {
    asked++;
    const was = changed;
    changed = false;
    return was;
  });
  const first = await cache.recall('tk', t.load);
  assert.equal(first?.user.username, 'ann');
  assert.equal(asked, 2, 'a miss is a find: asked before and after loading');
  t.rows.set('tk', 'changed elsewhere');
  changed = true;
  const hit = await cache.recall('tk', t.load);
  assert.equal(hit, first, 'a hit is answered as known');
  assert.equal(asked, 2, 'without asking');
  assert.equal(cache.isCurrent(first!), true, 'nothing seen yet');
  cache.lookElsewhere();
  assert.equal(cache.isCurrent(first!), false, 'the change is seen');
  assert.equal((await cache.recall('tk', t.load))?.user.username, 'changed elsewhere');
  const again = await cache.recall('tk', t.load);
  await statement(cache, 'UpdateQueryNode');
  assert.equal(cache.isCurrent(again!), false, 'a write of this store also ends it');
});
