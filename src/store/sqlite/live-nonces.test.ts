import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/helpers/prng.ts';
import { LiveNonces } from './live-nonces.ts';

const NOW = 1_800_000_000;

test('live nonces: a record blocks until its expiry, and is forgotten once its five minutes have passed', () => {
  const live = new LiveNonces();
  live.add('a', NOW + 10);
  assert.equal(live.has('a', NOW), true);
  assert.equal(live.has('a', NOW + 10), true, 'blocks through its last second');
  assert.equal(live.has('a', NOW + 11), false, 'expired: blocks nothing, though still counted');
  assert.equal(live.has('b', NOW), false);
  live.forgetExpired(NOW + 299);
  assert.equal(live.size, 1, 'its five minutes have not passed');
  live.forgetExpired(NOW + 300);
  assert.equal(live.size, 0);
});

test('live nonces: a re-recorded nonce, an undone add and expiries out of order', () => {
  const live = new LiveNonces();
  live.add('a', NOW - 5);
  live.add('a', NOW + 600); // its old record had expired
  assert.equal(live.size, 2);
  assert.equal(live.has('a', NOW), true);
  live.delete('a', NOW + 600);
  assert.equal(live.has('a', NOW), false, 'the undone add no longer blocks');
  assert.equal(live.size, 1);
  live.delete('never', NOW + 600);
  assert.equal(live.size, 1, 'deleting what is not there changes nothing');
  live.add('late', NOW + 900);
  live.add('early', NOW + 100); // a clock stepped back: an older group after a newer one
  live.forgetExpired(NOW + 300);
  assert.equal(live.has('late', NOW + 300), true);
  assert.equal(live.has('early', NOW + 100), false, 'forgotten with its group');
  assert.equal(live.size, 1);
});

test('live nonces: agree with a plain map of expiries over a seeded random run', () => {
  const random = prng(2026_12_04);
  const live = new LiveNonces();
  const model = new Map<string, number>();
  /** Every record added, by key and group: what `size` counts until the group's span passes. */
  const records = new Set<string>();
  let now = NOW;
  for (let step = 0; step < 20_000; step++) {
    now += Math.floor(random() * 3);
    const key = `n${Math.floor(random() * 3000)}`;
    const blocked = (model.get(key) ?? -Infinity) >= now;
    assert.equal(live.has(key, now), blocked, `step ${step}: ${key} at ${now}`);
    if (!blocked && random() < 0.9) {
      const expiresAt = now + Math.floor(random() * 600) - 30;
      live.add(key, expiresAt);
      model.set(key, expiresAt);
      records.add(`${key} ${Math.floor(expiresAt / 300)}`);
    }
    if (random() < 0.05) {
      live.forgetExpired(now);
      for (const record of records) if ((Number(record.split(' ')[1]) + 1) * 300 <= now) records.delete(record);
      assert.equal(live.size, records.size, `step ${step}: exactly the records whose group has not passed`);
    }
  }
});
