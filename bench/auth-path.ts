// npm run bench:auth-path — the server's OAuth check alone, in-process, without HTTP: what each
// step costs per request, in µs, on a real SQLite store in a temporary data dir. It explains
// bench:auth's (c)/(b): everything here is added to a signed request's cost on the event loop.
// Requests are checked CONCURRENCY at a time (as bench:auth's 10 connections make them arrive),
// so nonces are group-committed as in the server. Environment: BENCH_ROUNDS (default 40000),
// BENCH_CONCURRENCY (default 5), BENCH_PASSES (default 5), BENCH_NONCES (random: 32 hex characters, as gomaasapi and
// python-libmaas send, the default; sequential: a counter, which SQLite indexes far more
// cheaply). Exits 0 whatever the numbers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectParams, parseAuthorizationHeader, signRequest } from '../src/oauth/index.ts';
import { authenticateOAuth } from '../src/server/auth.ts';
import { openSqliteStore } from '../src/store/index.ts';
import { envNumber, nonceSource } from './lib/env.ts';

const ROUNDS = envNumber('BENCH_ROUNDS', 40_000);
const CONCURRENCY = Math.max(1, Math.round(envNumber('BENCH_CONCURRENCY', 5)));
const PASSES = Math.max(1, Math.round(envNumber('BENCH_PASSES', 5)));
const nonces = nonceSource();
const URL_ = 'http://127.0.0.1:5240/MAAS/api/2.0/users/?op=whoami';

const dir = mkdtempSync(join(tmpdir(), 'maaskit-bench-auth-path-'));
const store = await openSqliteStore({
  file: join(dir, 'maaskit.db'),
  secretKey: randomBytes(32),
  randomBytes,
  now: () => Math.floor(Date.now() / 1000),
});
const user = await store.createUser({ username: 'admin', email: 'a@x', password: 'pw', isSuperuser: true });
const [key] = await store.listApiKeys(user.id);
if (!key) throw new Error('no key');
const clock = { nowSeconds: () => Math.floor(Date.now() / 1000) };
const settings = { store, clock, timestampWindow: 300, authHints: true };

const header = (signatureMethod: 'PLAINTEXT' | 'HMAC-SHA1') =>
  signRequest({
    method: 'GET',
    url: URL_,
    consumerKey: key.consumerKey,
    tokenKey: key.tokenKey,
    tokenSecret: key.tokenSecret,
    signatureMethod,
    timestamp: clock.nowSeconds(),
    nonce: nonces.next(),
  });

const results = new Map<string, number[]>();

async function time(label: string, rounds: number, run: (headers: string[]) => Promise<unknown>, method: 'PLAINTEXT' | 'HMAC-SHA1' = 'PLAINTEXT') {
  // Headers are made before the clock starts: signing is the client's cost.
  const batches = Array.from({ length: Math.ceil(rounds / CONCURRENCY) }, () =>
    Array.from({ length: CONCURRENCY }, () => header(method)),
  );
  const t0 = performance.now();
  for (const batch of batches) await run(batch);
  const us = ((performance.now() - t0) * 1000) / (batches.length * CONCURRENCY);
  results.set(label, [...(results.get(label) ?? []), us]);
}

const parse = async (headers: string[]) => {
  for (const h of headers) parseAuthorizationHeader(h);
};
const collect = async (headers: string[]) => {
  for (const h of headers) collectParams({ method: 'GET', url: URL_, authorization: h, body: undefined });
};
const authenticate = (headers: string[]) =>
  Promise.all(
    headers.map(async (authorization) => {
      const outcome = await authenticateOAuth(settings, { method: 'GET', url: URL_, authorization, body: undefined });
      if (!outcome.user) throw new Error('not authenticated');
    }),
  );
const lookupOnly = (headers: string[]) => Promise.all(headers.map(() => store.findTokenGrant(key.tokenKey)));
const recallOnly = (headers: string[]) => Promise.all(headers.map(() => store.recallTokenGrant(key.tokenKey)));
const nonceOf = (header: string) => /oauth_nonce="([^"]*)"/.exec(header)?.[1] ?? '';
const nonceOnly = (headers: string[]) =>
  Promise.all(headers.map((h) => store.useNonce(key.consumerKey, key.tokenKey, nonceOf(h), clock.nowSeconds() + 600)));

console.log(
  `bench:auth-path — ${ROUNDS} requests per line, ${CONCURRENCY} at a time, ${nonces.kind} nonces, SQLite in ${dir}, Node ${process.version}`,
);
// A warm-up pass, then PASSES measured ones: the median says what a request costs, the
// spread how noisy the machine was (a shared VM's speed drifts by tens of percent).
for (let pass = 0; pass <= PASSES; pass++) {
  if (pass === 1) results.clear();
  await time('parseAuthorizationHeader', ROUNDS, parse);
  await time('collectParams (header + query)', ROUNDS, collect);
  await time('store.findTokenGrant (asks data_version first)', ROUNDS, lookupOnly);
  await time("store.recallTokenGrant (the auth check's lookup)", ROUNDS, recallOnly);
  await time('store.useNonce (group-committed)', ROUNDS, nonceOnly);
  await time('authenticateOAuth, PLAINTEXT (all of the above + verify)', ROUNDS, authenticate);
  await time('authenticateOAuth, HMAC-SHA1', ROUNDS, authenticate, 'HMAC-SHA1');
}
console.log(`${'µs per request'.padEnd(58)}  median     min     max  (${PASSES} passes)`);
for (const [label, values] of results) {
  const sorted = [...values].sort((x, y) => x - y);
  const cell = (v: number) => v.toFixed(2).padStart(7);
  console.log(`${label.padEnd(58)} ${cell(sorted[Math.floor(sorted.length / 2)]!)} ${cell(sorted[0]!)} ${cell(sorted.at(-1)!)}`);
}
await store.close();
rmSync(dir, { recursive: true, force: true });
