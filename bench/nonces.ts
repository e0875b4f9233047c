// npm run bench:nonces — Store.useNonce on SQLite in the steady state of a busy server: many
// nonces remembered, old ones expiring as fast as new ones come. bench:auth and bench:auth-path
// run for seconds, so nothing expires in them; this simulates the clock instead. It preloads
// BENCH_LIVE nonces (default 1,000,000) with expiries spread over the 600 s a nonce is held,
// then records BENCH_ROUNDS more (default 200,000), BENCH_CONCURRENCY at a time (default 5,
// one group commit each), the clock advancing so that as many expire as are added. Prints µs
// per nonce for each tenth of the run, the slowest batch and the process's RSS. Exits 0
// whatever the numbers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/index.ts';
import { envNumber, nonceSource } from './lib/env.ts';

const LIVE = Math.round(envNumber('BENCH_LIVE', 1_000_000));
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 200_000));
const CONCURRENCY = Math.max(1, Math.round(envNumber('BENCH_CONCURRENCY', 5)));
const HELD_SECONDS = 600;
const START = 1_800_000_000;
const nonces = nonceSource();

/** Simulated time, in seconds (fractional: the store sees it floored). */
let clock = START;
const perSecond = LIVE / HELD_SECONDS;
const dir = mkdtempSync(join(tmpdir(), 'maaskit-bench-nonces-'));
const store = await openSqliteStore({
  file: join(dir, 'maaskit.db'),
  secretKey: randomBytes(32),
  randomBytes,
  now: () => Math.floor(clock),
});
/** Records the given nonces at once (one group commit), the clock advancing for each. */
const record = (batch: string[]) =>
  Promise.all(
    batch.map((nonce) => {
      clock += 1 / perSecond;
      return store.useNonce('ck', 'tk', nonce, Math.floor(clock) + HELD_SECONDS);
    }),
  );
const makeNonces = (count: number) => Array.from({ length: count }, () => nonces.next());

console.log(
  `bench:nonces — ${LIVE.toLocaleString('en')} remembered, ${ROUNDS.toLocaleString('en')} recorded ${CONCURRENCY} at a time, ${nonces.kind} nonces, Node ${process.version}`,
);
const loadStart = performance.now();
for (let done = 0; done < LIVE; done += 1000) await record(makeNonces(Math.min(1000, LIVE - done)));
// Made before the clock starts: generating a random nonce costs ~3 µs, the client's cost.
const batches = Array.from({ length: Math.ceil(ROUNDS / CONCURRENCY) }, () => makeNonces(CONCURRENCY));
const rss = process.memoryUsage().rss / 2 ** 20;
console.log(`preloaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s, RSS ${rss.toFixed(0)} MiB; the first of them now expire`);

const tenth = Math.max(1, Math.floor(batches.length / 10));
let sliceStart = performance.now();
let slowest = 0;
for (let i = 0; i < batches.length; i++) {
  const t0 = performance.now();
  const fresh = await record(batches[i]!);
  if (!fresh.every(Boolean)) throw new Error('a fresh nonce was refused');
  slowest = Math.max(slowest, performance.now() - t0);
  if ((i + 1) % tenth === 0) {
    const us = ((performance.now() - sliceStart) * 1000) / (tenth * CONCURRENCY);
    console.log(`  ${String((i + 1) * CONCURRENCY).padStart(9)} recorded: ${us.toFixed(2).padStart(7)} µs per nonce`);
    sliceStart = performance.now();
  }
}
console.log(`slowest batch: ${slowest.toFixed(1)} ms`);
await store.close();
rmSync(dir, { recursive: true, force: true });
