// Nonces on the SQLite default, with real `maaskit serve` processes: a nonce that got an answer
// is refused after kill -9 and a restart, and by a second server on the same data dir.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import { splitApiKey } from '../../src/model/index.ts';
import { signRequest } from '../../src/oauth/index.ts';
import { type RunningServer, startServe } from '../helpers/serve.ts';

const WHOAMI = '/MAAS/api/2.0/users/?op=whoami';

/** A PLAINTEXT header with a random nonce, as real clients send (the URL does not matter to PLAINTEXT). */
function header(apiKey: string): string {
  const key = splitApiKey(apiKey);
  if (!key) throw new Error(`no usable key: ${apiKey.length} characters`);
  return signRequest({
    method: 'GET',
    url: `http://127.0.0.1${WHOAMI}`,
    ...key,
    signatureMethod: 'PLAINTEXT',
    timestamp: Math.floor(Date.now() / 1000),
    nonce: randomBytes(16).toString('hex'),
  });
}

async function whoami(server: RunningServer, authorization: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.origin}${WHOAMI}`, { headers: { authorization } });
  return { status: response.status, body: await response.text() };
}

describe('e2e: nonces on SQLite', () => {
  test('nonces answered just before kill -9 are refused after a restart', async () => {
    const first = await startServe({ keepDataDir: true });
    let second: RunningServer | undefined;
    try {
      const headers = Array.from({ length: 200 }, () => header(first.apiKey));
      const answers = await Promise.all(headers.map((h) => whoami(first, h)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      first.process.kill('SIGKILL');
      await first.stop();
      second = await startServe({ dataDir: first.dataDir });
      const replays = await Promise.all(headers.map((h) => whoami(second!, h)));
      for (const replay of replays) {
        assert.equal(replay.status, 401);
        assert.match(replay.body, /^Authorization Error: 'Nonce already used: [0-9a-f]{32}'/);
      }
      assert.equal((await whoami(second, header(first.apiKey))).status, 200, 'fresh nonces still work');
    } finally {
      await second?.stop();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });

  test('two servers on one data dir refuse each other’s nonces, also under concurrent replays', async () => {
    const a = await startServe({ keepDataDir: true });
    const b = await startServe({ dataDir: a.dataDir });
    try {
      const h = header(a.apiKey);
      assert.equal((await whoami(a, h)).status, 200);
      assert.equal((await whoami(b, h)).status, 401);
      // The same fresh headers sent to both at once: each is accepted exactly once.
      const headers = Array.from({ length: 50 }, () => header(a.apiKey));
      const answers = await Promise.all(headers.flatMap((x) => [whoami(a, x), whoami(b, x)]));
      for (let i = 0; i < headers.length; i++) {
        const statuses = [answers[2 * i]!.status, answers[2 * i + 1]!.status].sort();
        assert.deepEqual(statuses, [200, 401], `header ${i}`);
      }
    } finally {
      await b.stop();
      await a.stop();
      rmSync(a.dataDir, { recursive: true, force: true });
    }
  });
});
