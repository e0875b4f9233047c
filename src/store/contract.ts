// The Store contract: one suite, run against every implementation (STYLE 8). Each
// implementation's test file calls storeContract() with a factory for fresh stores.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_KEY_NAME } from '../model/index.ts';
import { groupsContract } from './contract-groups.ts';
import { onFreshStore, type StoreFactory } from './contract-support.ts';
import { inventoryContract } from './contract-machines.ts';

export type { ContractClock, StoreFactory } from './contract-support.ts';

export function storeContract(name: string, factory: StoreFactory): void {
  groupsContract(name, factory);
  inventoryContract(name, factory);
  describe(`store contract: ${name}`, () => {
    const withStore = onFreshStore(factory);

    test('store: a new user gets one key named "MAAS consumer"', () =>
      withStore(async (store) => {
        const user = await store.createUser({ username: 'alice', email: 'a@x', password: 'pw', isSuperuser: false });
        assert.equal(user.username, 'alice');
        assert.equal(user.isSuperuser, false);
        assert.equal(user.isActive, true);
        const keys = await store.listApiKeys(user.id);
        assert.equal(keys.length, 1);
        assert.equal(keys[0]?.name, DEFAULT_KEY_NAME);
        assert.match(keys[0]?.consumerKey ?? '', /^[A-Za-z0-9]{18}$/);
        assert.match(keys[0]?.tokenKey ?? '', /^[A-Za-z0-9]{18}$/);
        assert.match(keys[0]?.tokenSecret ?? '', /^[A-Za-z0-9]{32}$/);
      }));

    test('store: a duplicate username is ERR_STORE_DUPLICATE and leaves nothing behind', () =>
      withStore(async (store) => {
        await store.createUser({ username: 'bob', email: 'b@x', password: 'pw', isSuperuser: true });
        await assert.rejects(store.createUser({ username: 'bob', email: 'c@x', password: 'pw', isSuperuser: false }), {
          code: 'ERR_STORE_DUPLICATE',
        });
        assert.equal(await store.countUsers(), 1);
      }));

    test('store: users are listed by username and deleted with their keys', () =>
      withStore(async (store) => {
        const zed = await store.createUser({ username: 'zed', email: 'z@x', password: 'pw', isSuperuser: false });
        await store.createUser({ username: 'amy', email: 'a@x', password: 'pw', isSuperuser: false });
        assert.deepEqual((await store.listUsers()).map((u) => u.username), ['amy', 'zed']);
        const [key] = await store.listApiKeys(zed.id);
        assert.equal(await store.deleteUser('zed'), true);
        assert.equal(await store.deleteUser('zed'), false);
        assert.equal(await store.findUser('zed'), undefined);
        assert.equal(await store.findTokenGrant(key!.tokenKey), undefined);
        assert.equal(await store.consumerExists(key!.consumerKey), false);
      }));

    test('store: checkPassword accepts the right password only', () =>
      withStore(async (store) => {
        await store.createUser({ username: 'carol', email: 'c@x', password: 's3cret', isSuperuser: false });
        assert.equal((await store.checkPassword('carol', 's3cret'))?.username, 'carol');
        assert.equal(await store.checkPassword('carol', 'wrong'), undefined);
        assert.equal(await store.checkPassword('nobody', 's3cret'), undefined);
      }));

    test('store: setUserActive deactivates and reactivates a user, seen by another handle at once', () =>
      withStore(async (store, _clock, reopen) => {
        const u = await store.createUser({ username: 'gus', email: 'g@x', password: 'pw', isSuperuser: false });
        const [key] = await store.listApiKeys(u.id);
        const other = await reopen();
        try {
          assert.equal(await other.setUserActive('gus', false), true);
          assert.equal((await store.findUser('gus'))?.isActive, false);
          assert.equal((await store.findTokenGrant(key!.tokenKey))?.user.isActive, false);
          assert.equal(await store.checkPassword('gus', 'pw'), undefined, 'an inactive user cannot log in');
          assert.equal((await store.listApiKeys(u.id)).length, 1, 'the keys are kept');
          assert.equal(await other.setUserActive('gus', true), true);
          assert.equal((await store.findTokenGrant(key!.tokenKey))?.user.isActive, true);
          assert.equal((await store.checkPassword('gus', 'pw'))?.username, 'gus');
          assert.equal(await store.setUserActive('nobody', false), false);
          assert.equal(await store.setUserActive('gus\u0000', false), false);
        } finally {
          await other.close();
        }
      }));

    test('store: keys are created, listed in order, renamed and deleted per user', () =>
      withStore(async (store) => {
        const a = await store.createUser({ username: 'a', email: 'a@x', password: 'pw', isSuperuser: false });
        const b = await store.createUser({ username: 'b', email: 'b@x', password: 'pw', isSuperuser: false });
        const made = await store.createApiKey(a.id, 'ci');
        assert.deepEqual((await store.listApiKeys(a.id)).map((k) => k.name), [DEFAULT_KEY_NAME, 'ci']);
        assert.equal(made.expiresAt, null);
        assert.equal(made.lastUsedAt, null);
        // Another user cannot touch a's key.
        assert.equal(await store.renameApiKey(b.id, made.tokenKey, 'stolen'), false);
        assert.equal(await store.deleteApiKey(b.id, made.tokenKey), false);
        assert.equal(await store.renameApiKey(a.id, made.tokenKey, 'deploys'), true);
        assert.equal((await store.listApiKeys(a.id))[1]?.name, 'deploys');
        assert.equal(await store.deleteApiKey(a.id, made.tokenKey), true);
        assert.equal(await store.findTokenGrant(made.tokenKey), undefined);
      }));

    test('store: a token grant carries its consumer, user and a checkable secret', () =>
      withStore(async (store) => {
        const u = await store.createUser({ username: 'dan', email: 'd@x', password: 'pw', isSuperuser: true });
        const [key] = await store.listApiKeys(u.id);
        const grant = await store.findTokenGrant(key!.tokenKey);
        assert.equal(grant?.consumerKey, key!.consumerKey);
        assert.equal(grant?.user.username, 'dan');
        assert.equal(grant?.user.isSuperuser, true);
        assert.equal(grant?.secret.matches(key!.tokenSecret), true);
        assert.equal(grant?.secret.matches(`${key!.tokenSecret}x`), false);
        assert.equal(grant?.secret.reveal(), key!.tokenSecret);
        assert.equal(await store.consumerExists(key!.consumerKey), true);
        assert.equal(await store.keyPartKind(key!.consumerKey), 'consumer_key');
        assert.equal(await store.keyPartKind(key!.tokenKey), 'token_key');
        assert.equal(await store.keyPartKind(key!.tokenSecret), undefined);
      }));

    test('store: a nonce is accepted once per consumer and token, until it expires', () =>
      withStore(async (store, clock) => {
        assert.equal(await store.useNonce('ck', 'tk', 'n1', clock.seconds + 600), true);
        assert.equal(await store.useNonce('ck', 'tk', 'n1', clock.seconds + 600), false);
        assert.equal(await store.useNonce('ck', 'tk2', 'n1', clock.seconds + 600), true);
        assert.equal(await store.useNonce('ck2', 'tk', 'n1', clock.seconds + 600), true);
        clock.seconds += 601;
        // Expired but not yet pruned: usable again.
        assert.equal(await store.useNonce('ck', 'tk', 'n1', clock.seconds + 600), true);
        clock.seconds += 601;
        assert.ok((await store.pruneNonces(clock.seconds)) >= 3, 'every expired record is pruned');
        assert.equal(await store.pruneNonces(clock.seconds), 0);
        assert.equal(await store.useNonce('ck', 'tk', 'n1', clock.seconds + 600), true, 'usable again once pruned');
        await store.pruneNonces(clock.seconds);
        assert.equal(await store.useNonce('ck', 'tk', 'n1', clock.seconds + 600), false, 'pruning keeps an unexpired record');
      }));

    test('store: a recorded nonce is refused by a handle opened later (a restart)', () =>
      withStore(async (store, clock, reopen) => {
        assert.equal(await store.useNonce('ck', 'tk', 'before-restart', clock.seconds + 600), true);
        const later = await reopen();
        try {
          assert.equal(await later.useNonce('ck', 'tk', 'before-restart', clock.seconds + 600), false);
          assert.equal(await later.useNonce('ck', 'tk', 'after-restart', clock.seconds + 600), true);
          assert.equal(await store.useNonce('ck', 'tk', 'after-restart', clock.seconds + 600), false, 'and back');
        } finally {
          await later.close();
        }
      }));

    test('store: twenty concurrent uses of one nonce let exactly one through', () =>
      withStore(async (store, clock) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.useNonce('ck', 'tk', 'race', clock.seconds + 600)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      }));

    test('store: sessions are found by id until they expire', () =>
      withStore(async (store, clock) => {
        const u = await store.createUser({ username: 'eve', email: 'e@x', password: 'pw', isSuperuser: false });
        await store.createSession('sid-1', { userId: u.id, csrfToken: 'csrf', expiresAt: clock.seconds + 10 });
        assert.deepEqual(await store.findSession('sid-1', clock.seconds), {
          userId: u.id,
          csrfToken: 'csrf',
          expiresAt: clock.seconds + 10,
        });
        assert.equal(await store.findSession('sid-2', clock.seconds), undefined);
        assert.equal(await store.findSession('sid-1', clock.seconds + 10), undefined);
        await store.deleteSession('sid-1');
        await store.createSession('sid-3', { userId: u.id, csrfToken: 'c', expiresAt: clock.seconds + 1 });
        assert.equal(await store.pruneSessions(clock.seconds + 5), 1);
      }));

    test('store: lookups by a string holding NUL find nothing, and such a nonce is refused (PostgreSQL text cannot hold NUL)', () =>
      withStore(async (store, clock) => {
        const u = await store.createUser({ username: 'nul', email: 'n@x', password: 'pw', isSuperuser: false });
        const [key] = await store.listApiKeys(u.id);
        assert.equal(await store.findUser('nul\u0000'), undefined);
        assert.equal(await store.checkPassword('nul\u0000', 'pw'), undefined);
        assert.equal(await store.findTokenGrant(`${key!.tokenKey}\u0000`), undefined);
        assert.equal(await store.consumerExists(`\u0000${key!.consumerKey}`), false);
        assert.equal(await store.keyPartKind('\u0000'), undefined);
        assert.equal(await store.deleteApiKey(u.id, `${key!.tokenKey}\u0000`), false);
        assert.equal(await store.useNonce(key!.consumerKey, key!.tokenKey, 'n\u0000', clock.seconds + 600), false);
        assert.equal(await store.deleteUser('nul\u0000'), false);
        assert.equal((await store.findUser('nul'))?.id, u.id);
      }));

    test('store: a grant already looked up reflects every later change, from this handle or another', () =>
      withStore(async (store, _clock, reopen) => {
        const other = await reopen();
        try {
          const u = await store.createUser({ username: 'hal', email: 'h@x', password: 'pw', isSuperuser: false });
          const keys = [await store.createApiKey(u.id, 'one'), await store.createApiKey(u.id, 'two')];
          const look = (i: number) => store.findTokenGrant(keys[i]!.tokenKey);
          for (const i of [0, 1]) assert.equal((await look(i))?.user.isActive, true);
          for (const handle of [store, other]) {
            assert.equal(await handle.setUserActive('hal', false), true);
            assert.equal((await look(0))?.user.isActive, false, 'deactivation is seen');
            assert.equal(await handle.setUserActive('hal', true), true);
            assert.equal((await look(0))?.user.isActive, true, 'reactivation is seen');
          }
          assert.equal(await other.deleteApiKey(u.id, keys[0]!.tokenKey), true);
          assert.equal(await look(0), undefined, 'a key deleted by another handle is gone');
          assert.equal((await look(1))?.user.username, 'hal');
          assert.equal(await store.deleteUser('hal'), true);
          assert.equal(await look(1), undefined, 'a deleted user has no grant');
        } finally {
          await other.close();
        }
      }));

    test('store: a grant recalled before another handle\'s change is not confirmed once a nonce is recorded', () =>
      withStore(async (store, clock, reopen) => {
        const other = await reopen();
        try {
          const u = await store.createUser({ username: 'rex', email: 'r@x', password: 'pw', isSuperuser: false });
          const [key] = await store.listApiKeys(u.id);
          const recallThenSpend = async (nonce: string) => {
            const grant = await store.recallTokenGrant(key!.tokenKey);
            assert.equal(await store.useNonce(key!.consumerKey, key!.tokenKey, nonce, clock.seconds + 600), true);
            return grant;
          };
          const unchanged = await recallThenSpend('r1');
          assert.equal(unchanged?.user.username, 'rex');
          assert.equal(store.isCurrentGrant(unchanged!), true, 'nothing changed: confirmed');
          assert.equal(await other.setUserActive('rex', false), true);
          const stale = await recallThenSpend('r2');
          assert.ok(stale === undefined || !stale.user.isActive || !store.isCurrentGrant(stale), 'deactivation');
          assert.equal((await store.findTokenGrant(key!.tokenKey))?.user.isActive, false);
          const recalled = await store.recallTokenGrant(key!.tokenKey);
          assert.equal(recalled?.user.isActive, false, 'what findTokenGrant saw is what is recalled next');
          assert.equal(await other.deleteApiKey(u.id, key!.tokenKey), true);
          const deleted = await recallThenSpend('r3');
          assert.ok(deleted === undefined || !store.isCurrentGrant(deleted), 'deletion');
          assert.equal(await store.recallTokenGrant(key!.tokenKey), undefined);
          assert.equal(await store.recallTokenGrant('no\u0000such'), undefined);
        } finally {
          await other.close();
        }
      }));

    test('store: once a secret has matched, only that exact secret matches', () =>
      withStore(async (store) => {
        const u = await store.createUser({ username: 'ivy', email: 'i@x', password: 'pw', isSuperuser: false });
        const [key] = await store.listApiKeys(u.id);
        const secret = key!.tokenSecret;
        const sameLength = `${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
        for (let round = 0; round < 2; round++) {
          const grant = await store.findTokenGrant(key!.tokenKey);
          assert.equal(grant?.secret.matches(sameLength), false);
          assert.equal(grant?.secret.matches(secret), true);
          assert.equal(grant?.secret.matches(sameLength), false, 'after a match');
          assert.equal(grant?.secret.matches(secret.slice(1)), false);
          assert.equal(grant?.secret.matches(''), false);
          assert.equal(grant?.secret.reveal(), secret);
          assert.equal(grant?.secret.matches(`${secret}x`), false, 'after a reveal');
          assert.equal(grant?.secret.matches(secret), true);
        }
      }));

    test('store: a second handle on the same database sees writes at once (CLI beside serve)', () =>
      withStore(async (store, clock, reopen) => {
        const other = await reopen();
        try {
          const u = await store.createUser({ username: 'fay', email: 'f@x', password: 'pw', isSuperuser: false });
          const key = await other.createApiKey(u.id, 'from the CLI');
          assert.equal((await store.findTokenGrant(key.tokenKey))?.user.username, 'fay');
          assert.equal(await other.deleteApiKey(u.id, key.tokenKey), true);
          assert.equal(await store.findTokenGrant(key.tokenKey), undefined);
          assert.equal(await store.useNonce('ck', 'tk', 'shared', clock.seconds + 600), true);
          assert.equal(await other.useNonce('ck', 'tk', 'shared', clock.seconds + 600), false);
          // Taking turns after their first batches: each still sees what the other recorded.
          for (let round = 0; round < 3; round++) {
            const [first, second] = round % 2 === 0 ? [store, other] : [other, store];
            assert.equal(await first.useNonce('ck', 'tk', `turn-${round}`, clock.seconds + 600), true);
            assert.equal(await second.useNonce('ck', 'tk', `turn-${round}`, clock.seconds + 600), false, `round ${round}`);
          }
        } finally {
          await other.close();
        }
      }));
  });
}
