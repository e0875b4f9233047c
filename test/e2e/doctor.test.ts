// `maaskit doctor URL KEY` end to end, one test per mistake it names, against a real
// `maaskit serve` (and tiny node:http servers for the URL mistakes). Clock skew is played by
// shifting the doctor's injected clock.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { doctor } from '../../src/cli/doctor.ts';
import { MaasClient } from '../../src/client/index.ts';
import { MAASKIT_BIN, type RunningServer, startServe } from '../helpers/serve.ts';

let server: RunningServer;
let ck: string;
let tk: string;
let ts: string;

before(async () => {
  server = await startServe();
  [ck, tk, ts] = server.apiKey.split(':') as [string, string, string];
});
after(() => server.stop());

function run(url: string, key: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAASKIT_BIN, 'doctor', url, key], {
      env: { ...process.env, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The check names, in order, with their level: "ok URL reachable", "FAIL order", … */
function checks(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^(ok|FAIL|warn|skip|info) /.test(l))
    .map((l) => {
      const m = /^(\S+)\s+([^:]+):/.exec(l);
      return `${m?.[1]} ${m?.[2]}`;
    });
}

function assertNoSecret(text: string): void {
  assert.ok(!text.includes(ts), 'the token secret is never printed');
}

describe('doctor', () => {
  test('doctor: a working key passes every check, in order, and exits 0', async () => {
    const r = await run(server.url, server.apiKey);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(checks(r.stdout), [
      'ok URL reachable',
      'ok API',
      'ok version/',
      'ok key',
      'ok whoami (PLAINTEXT)',
      'ok order',
      'ok HMAC-SHA1',
      'ok clock',
    ]);
    assertNoSecret(r.stdout);
  });

  test('doctor: parts in the wrong order: names the order that works, with the server hint', async () => {
    const r = await run(server.url, `${tk}:${ck}:${ts}`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL {2}whoami \(PLAINTEXT\): refused with 401 Authorization Error: Invalid API key\.$/m);
    assert.match(r.stdout, /^ {6}server hint: the parts of the API key are in the wrong order/m);
    assert.match(r.stdout, /^FAIL {2}order: the parts are in the wrong order: the key works taken as part 2:part 1:part 3 \(user admin, an administrator\)\. Reorder it as consumer_key:token_key:token_secret\.$/m);
    assert.match(r.stdout, /^ok {4}HMAC-SHA1/m);
    assertNoSecret(r.stdout);
  });

  test('doctor: the whole key inside more text (a label, or pasted twice) is found and named', async () => {
    const r = await run(server.url, `admin:${server.apiKey}`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL {2}key: The API key has 4 colon-separated parts \(5:18:18:32 characters\)/m);
    assert.match(r.stdout, /parts 2 to 4 have the shape of a MAAS key/);
    assert.match(r.stdout, /^FAIL {2}key: the server accepts the 3 parts found inside what was given/m);
    const twice = await run(server.url, `${server.apiKey}:${server.apiKey}`);
    assert.equal(twice.code, 1);
    assert.match(twice.stdout, /6 colon-separated parts/);
    assert.match(twice.stdout, /parts 1 to 3 have the shape of a MAAS key/);
    assertNoSecret(r.stdout + twice.stdout);
  });

  test('doctor: quotes and whitespace around the key are named, trimmed, and the key still works', async () => {
    const r = await run(server.url, ` "${server.apiKey}"\n`);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^warn {2}key: the key had whitespace \(a space or a line break\) around it/m);
    assert.match(r.stdout, /^warn {2}key: the key had quotes around it/m);
    assert.match(r.stdout, /^ok {4}whoami \(PLAINTEXT\): the key is accepted/m);
  });

  test('doctor: a wrong token secret is told apart from an unknown key', async () => {
    const wrong = `${ck}:${tk}:${ts.slice(0, -1)}${ts.endsWith('A') ? 'B' : 'A'}`;
    const r = await run(server.url, wrong);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL {2}whoami \(PLAINTEXT\): refused with 401 Authorization Error: 'Invalid signature\.'$/m);
    assert.match(r.stdout, /^FAIL {2}order: parts 1 and 2 are in place .* but the token secret \(part 3\) does not match/m);
    assert.match(r.stdout, /^skip {2}HMAC-SHA1/m);
    assertNoSecret(r.stdout);
    const key = await new MaasClient({ url: server.url, apiKey: server.apiKey }).keys.create({ name: 'doomed' });
    await new MaasClient({ url: server.url, apiKey: server.apiKey }).keys.delete(key.token_key);
    const gone = await run(server.url, key.apiKey);
    assert.equal(gone.code, 1);
    assert.match(gone.stdout, /^FAIL {2}order: no order of the parts is accepted either\. The key is not known to this server/m);
  });

  test('doctor: a URL without /MAAS is corrected, and the remaining checks run on the corrected URL', async () => {
    const r = await run(server.origin, server.apiKey);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^FAIL  API: ${server.origin}/api/2\\.0/version/ answered 404 .*; the MAAS API is at ${server.origin}/MAAS/api/2\\.0/\\. Use the URL ${server.origin}/MAAS/$`, 'm'));
    assert.match(r.stdout, /^ok {4}whoami \(PLAINTEXT\): the key is accepted/m);
  });

  test('doctor: a URL serving HTML is named as such', async () => {
    const html = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Welcome</title>');
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    const { port } = html.address() as AddressInfo;
    try {
      const r = await run(`http://127.0.0.1:${port}/MAAS/`, server.apiKey);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^ok {4}URL reachable/m);
      assert.match(r.stdout, /^FAIL {2}API: .*version\/ answered an HTML page where the MAAS API answers JSON\. This is not the MAAS API/m);
      assert.deepEqual(checks(r.stdout), ['ok URL reachable', 'FAIL API', 'ok key', 'skip whoami, order, HMAC-SHA1, clock']);
    } finally {
      await new Promise<void>((resolve) => html.close(() => resolve()));
    }
  });

  test('doctor: an unreachable port fails the first check and stops', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const r = await run(`http://127.0.0.1:${port}/MAAS/`, server.apiKey);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAIL {2}URL reachable: Could not reach 127\.0\.0\.1:\d+ .*ECONNREFUSED/m);
    assert.deepEqual(checks(r.stdout), ['FAIL URL reachable', 'ok key', 'skip whoami, order, HMAC-SHA1, clock']);
  });

  test('doctor: clock skew (an injected clock 20 minutes behind) is found from the Date header', async () => {
    let out = '';
    const result = await doctor(
      { url: server.url, key: server.apiKey },
      {
        stdout: (t) => {
          out += t;
        },
        now: () => Date.now() - 20 * 60_000 },
    );
    assert.equal(result.ok, false);
    assert.match(out, /^FAIL {2}whoami \(PLAINTEXT\): refused with 401 Authorization Error: 'Expired timestamp/m);
    assert.match(out, /^ {6}server hint: your clock is \d+ seconds behind the server's/m);
    assert.match(out, /^FAIL {2}order: the key works when signed with the server's time/m);
    assert.match(out, /^ok {4}HMAC-SHA1/m);
    assert.match(out, /^FAIL {2}clock: this computer's clock is 1[12]\d\d s behind the server's/m);
    assertNoSecret(out);
  });
});
