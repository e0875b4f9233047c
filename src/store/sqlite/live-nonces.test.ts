import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/helpers/prng.ts';
import { LiveNonces } from './live-nonces.ts';

const NOW = 1_800_000_000;

test('live nonces: a record blocks through its expiry, and is forgotten once past it', () => {
  const live = new LiveNonces();
  live.add('a', NOW + 10);
  live.add('b', NOW + 20);
  assert.equal(live.has('a', NOW), true);
  assert.equal(live.has('a', NOW + 10), true, 'blocks through its last second');
  assert.equal(live.has('a', NOW + 11), false, 'expired: blocks nothing');
  assert.equal(live.has('c', NOW), false);
  live.forgetExpired(NOW + 10);
  assert.equal(live.size, 2, 'nothing has expired yet');
  live.forgetExpired(NOW + 11);
  assert.equal(live.size, 1);
  assert.equal(live.has('b', NOW + 11), true);
});

test('live nonces: forgetting stops at its limit and goes on from there', () => {
  const live = new LiveNonces();
  for (let i = 0; i < 10_000; i++) live.add(`n${i}`, NOW - 1);
  live.add('kept', NOW + 1);
  assert.equal(live.forgetExpired(NOW, 6000), true, 'stopped at the limit');
  assert.equal(live.size, 4001);
  assert.equal(live.forgetExpired(NOW, 6000), false, 'reached what has not expired');
  assert.equal(live.size, 1);
  assert.equal(live.has('kept', NOW), true);
});

test('live nonces: a re-recorded nonce, an undone add and a clock that steps back', () => {
  const live = new LiveNonces();
  live.add('a', NOW - 5);
  live.add('a', NOW + 600); // its old record had expired
  live.forgetExpired(NOW);
  assert.equal(live.has('a', NOW), true, 'forgetting the old record keeps the new one');
  assert.equal(live.size, 1);
  live.delete('a', NOW + 600);
  assert.equal(live.has('a', NOW), false, 'the undone add no longer blocks');
  assert.equal(live.size, 0);
  live.add('b', NOW + 5);
  live.delete('b', NOW + 6);
  assert.equal(live.has('b', NOW), true, 'deleting another record of it changes nothing');
  live.add('late', NOW + 900);
  live.add('early', NOW + 100); // made after 'late' but expires first
  live.forgetExpired(NOW + 200);
  assert.equal(live.has('early', NOW + 200), false, 'blocks nothing once expired');
  assert.equal(live.has('late', NOW + 200), true);
  live.forgetExpired(NOW + 901);
  assert.equal(live.size, 0, 'forgotten behind the record ahead of it');
});

test('live nonces: agree with a plain map of expiries over a seeded random run', () => {
  const random = prng(2026_12_04);
  const live = new LiveNonces();
  const model = new Map<string, number>();
  let now = NOW;
  for (let step = 0; step < 200_000; step++) {
    now += random() < 0.01 ? 1 : 0;
    const key = `n${Math.floor(random() * 50_000)}`;
    const blocked = (model.get(key) ?? -Infinity) >= now;
    assert.equal(live.has(key, now), blocked, `step ${step}: ${key} at ${now}`);
    if (!blocked) {
      // Mostly in order, as a clock makes them; now and then a little earlier.
      const expiresAt = now + 60 - (random() < 0.05 ? Math.floor(random() * 10) : 0);
      if (random() < 0.02) {
        live.add(key, expiresAt);
        live.delete(key, expiresAt); // a batch that rolled back
      } else {
        live.add(key, expiresAt);
        model.set(key, expiresAt);
      }
    }
    if (random() < 0.01) {
      live.forgetExpired(now);
      for (const [key, until] of model) if (until < now - 10) model.delete(key);
      const unexpired = [...model.values()].filter((until) => until >= now).length;
      assert.ok(live.size >= unexpired, `step ${step}: nothing unexpired is forgotten`);
      assert.ok(live.size <= model.size, `step ${step}: what expired over 10 s ago is forgotten`);
    }
  }
});
