// The SDK against a fake fetch: request encoding, signing with the injected clock and
// randomness, retries, timeouts, typed errors and waits. The real server is in test/e2e/sdk.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAuthorizationHeader } from '../oauth/index.ts';
import { MaasClient, type MaasClientOptions } from './client.ts';
import { ApiError, AuthError, NetworkError, ResponseError, TimeoutError, WaitError } from './errors.ts';

const KEY = 'AAAAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBB:SecretSecretSecretSecretSecret12';
const URL_ = 'http://maas.test:5240/MAAS/';

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

type Answer = { status?: number; body?: string; headers?: Record<string, string> };

function fakeFetch(answers: Answer[] | ((seen: Seen, n: number) => Answer)) {
  const seen: Seen[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    const text = body === undefined || body === null ? '' : typeof body === 'string' ? body : new TextDecoder().decode(body as Uint8Array);
    const s: Seen = { method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers), body: text };
    seen.push(s);
    const a = typeof answers === 'function' ? answers(s, seen.length) : (answers[seen.length - 1] ?? answers.at(-1) ?? {});
    return new Response(a.status === 204 ? null : (a.body ?? '{}'), {
      status: a.status ?? 200,
      headers: { 'content-type': 'application/json; charset=utf-8', ...a.headers },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

function client(fetch: typeof globalThis.fetch, extra: Partial<MaasClientOptions> = {}) {
  let n = 0;
  return new MaasClient({
    url: URL_,
    apiKey: KEY,
    fetch,
    now: () => 1_796_364_918_500,
    randomBytes: (size) => new Uint8Array(size).fill(++n),
    sleep: async () => {},
    ...extra,
  });
}

describe('client: requests', () => {
  test('client: signs PLAINTEXT with the injected clock and nonce, no realm, as the maas CLI', async () => {
    const { fetch, seen } = fakeFetch([{ body: '{"username":"admin"}' }]);
    await client(fetch).users.whoami();
    const s = seen[0]!;
    assert.equal(s.url, 'http://maas.test:5240/MAAS/api/2.0/users/?op=whoami');
    const auth = s.headers.get('authorization')!;
    assert.ok(!auth.includes('realm'));
    const p = parseAuthorizationHeader(auth)!;
    assert.equal(p.get('oauth_consumer_key'), 'AAAAAAAAAAAAAAAAAA');
    assert.equal(p.get('oauth_token'), 'BBBBBBBBBBBBBBBBBB');
    assert.equal(p.get('oauth_signature_method'), 'PLAINTEXT');
    assert.equal(p.get('oauth_signature'), '&SecretSecretSecretSecretSecret12');
    assert.equal(p.get('oauth_timestamp'), '1796364918');
    assert.equal(p.get('oauth_nonce'), '01'.repeat(16));
    assert.equal(p.get('oauth_version'), '1.0');
  });

  test('client: GET filters go in the query, arrays as repeated keys, booleans as true/false', async () => {
    const { fetch, seen } = fakeFetch([{ body: '[]' }]);
    await client(fetch).machines.list({ tags: ['gpu', 'ssd'], zone: 'my zone', cpu_count: 4, dry: false, skip: undefined });
    assert.equal(seen[0]!.url, 'http://maas.test:5240/MAAS/api/2.0/machines/?tags=gpu&tags=ssd&zone=my%20zone&cpu_count=4&dry=false');
    assert.equal(seen[0]!.body, '');
  });

  test('client: POST puts op in the query and parameters in a multipart body', async () => {
    const { fetch, seen } = fakeFetch([{ body: '{"system_id":"abc123","status":9}' }]);
    await client(fetch).machines.deploy('abc123', { distro_series: 'jammy', user_data: 'I2Nsb3VkLWNvbmZpZw==' });
    const s = seen[0]!;
    assert.equal(s.method, 'POST');
    assert.equal(s.url, 'http://maas.test:5240/MAAS/api/2.0/machines/abc123/?op=deploy');
    const type = s.headers.get('content-type')!;
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type)?.[1];
    assert.ok(boundary, type);
    assert.ok(s.body.includes(`--${boundary}\r\nContent-Disposition: form-data; name="distro_series"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\njammy\r\n`));
    assert.ok(s.body.endsWith(`--${boundary}--\r\n`));
  });

  test('client: a POST without parameters sends no body and no Content-Type (maascli)', async () => {
    const { fetch, seen } = fakeFetch([{ body: '{}' }]);
    await client(fetch).machines.powerOn('abc123');
    assert.equal(seen[0]!.body, '');
    assert.equal(seen[0]!.headers.get('content-type'), null);
  });

  test('client: urlencoded bodies when asked, and HMAC-SHA1 signs their fields', async () => {
    const { fetch, seen } = fakeFetch([{ body: '{"token_key":"t","token_secret":"s","consumer_key":"c","name":"a b"}' }]);
    const created = await client(fetch, { bodyEncoding: 'urlencoded', signatureMethod: 'HMAC-SHA1' }).keys.create({ name: 'a b&c' });
    assert.equal(created.apiKey, 'c:t:s');
    assert.equal(seen[0]!.headers.get('content-type'), 'application/x-www-form-urlencoded');
    assert.equal(seen[0]!.body, 'name=a+b%26c');
    assert.equal(parseAuthorizationHeader(seen[0]!.headers.get('authorization')!)!.get('oauth_signature_method'), 'HMAC-SHA1');
  });

  test('client: version/ and describe/ are fetched anonymously', async () => {
    const { fetch, seen } = fakeFetch([{ body: '{"version":"3.7.0","subversion":"","capabilities":[]}' }, { body: '{"resources":[]}' }]);
    const c = client(fetch);
    await c.version.get();
    await c.describe();
    assert.equal(seen[0]!.headers.get('authorization'), null);
    assert.equal(seen[1]!.headers.get('authorization'), null);
  });

  test('client: files go as multipart file parts; a file in a GET is refused', async () => {
    const { fetch, seen } = fakeFetch([{ body: '{}' }]);
    const c = client(fetch);
    await c.call({ method: 'POST', path: 'files/', op: 'add', params: { file: { filename: 'a.txt', content: 'hello' } } });
    assert.match(seen[0]!.body, /name="file"; filename="a.txt"\r\nContent-Type: application\/octet-stream\r\n\r\nhello\r\n/);
    await assert.rejects(c.call({ method: 'GET', path: 'files/', params: { file: { filename: 'a', content: 'x' } } }), TypeError);
  });

  test('client: resource paths of every typed resource', async () => {
    const { fetch, seen } = fakeFetch(() => ({ body: '{}' }));
    const c = client(fetch);
    await c.users.get('a b');
    await c.users.delete('bob', { transferResourcesTo: 'admin' });
    await c.nodes.get('n1');
    await c.tags.machines('gpu');
    await c.zones.update('z1', { description: 'd' });
    await c.pools.get(0);
    await c.pools.create({ name: 'p' });
    await c.pods.compose(3, { cores: 2 });
    await c.machines.releaseMany(['a', 'b'], { comment: 'bye' });
    await c.keys.rename('tk', 'new');
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url.replace('http://maas.test:5240/MAAS/api/2.0/', '')}`),
      [
        'GET users/a%20b/',
        'DELETE users/bob/?transfer_resources_to=admin',
        'GET nodes/n1/',
        'GET tags/gpu/?op=machines',
        'PUT zones/z1/',
        'GET resourcepool/0/',
        'POST resourcepools/',
        'POST pods/3/?op=compose',
        'POST machines/?op=release',
        'POST account/?op=update_token_name',
      ],
    );
  });
});

describe('client: errors', () => {
  test('client: 401 is an AuthError carrying the server hint, and never the secret', async () => {
    const { fetch } = fakeFetch([
      { status: 401, body: 'Authorization Error: Invalid API key.\nHint: the parts of the API key are in the wrong order.', headers: { 'content-type': 'text/html; charset=utf-8' } },
    ]);
    const error = await client(fetch).users.whoami().catch((e: unknown) => e);
    assert.ok(error instanceof AuthError);
    assert.equal(error.code, 'ERR_CLIENT_AUTH');
    assert.equal(error.status, 401);
    assert.equal(error.hint, 'the parts of the API key are in the wrong order.');
    assert.match(error.message, /Invalid API key\..*Hint: the parts/);
    assert.ok(!error.message.includes('SecretSecret'));
  });

  test('client: other statuses are ApiErrors with MAAS text', async () => {
    const { fetch } = fakeFetch([{ status: 404, body: 'No Machine matches the given query.', headers: { 'content-type': 'text/plain' } }]);
    const error = await client(fetch).machines.get('nope').catch((e: unknown) => e);
    assert.ok(error instanceof ApiError && !(error instanceof AuthError));
    assert.equal(error.code, 'ERR_CLIENT_HTTP');
    assert.equal(error.status, 404);
    assert.equal(error.body, 'No Machine matches the given query.');
    assert.match(error.message, /404 to GET http:\/\/maas.test:5240\/MAAS\/api\/2.0\/machines\/nope\/: No Machine/);
  });

  test('client: HTML where JSON belongs is a ResponseError naming the likely URL mistake', async () => {
    const { fetch } = fakeFetch([{ body: '<html>MAAS UI</html>', headers: { 'content-type': 'text/html' } }]);
    const error = await client(fetch).users.list().catch((e: unknown) => e);
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, 'ERR_CLIENT_RESPONSE_INVALID');
    assert.match(error.message, /HTML page .* \/MAAS\//);
  });

  test('client: a refused connection is a NetworkError', async () => {
    const fetch = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as typeof globalThis.fetch;
    const error = await client(fetch).users.list().catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
    assert.equal(error.code, 'ERR_CLIENT_NETWORK');
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('client: no answer within timeoutMs is a TimeoutError', async () => {
    const fetch = ((_: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof globalThis.fetch;
    const error = await client(fetch, { timeoutMs: 5 }).users.list().catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.code, 'ERR_CLIENT_TIMEOUT');
  });

  test('client: a malformed key fails at construction with KeyFormatError', () => {
    assert.throws(() => new MaasClient({ url: URL_, apiKey: 'a:b' }), { code: 'ERR_CLIENT_KEY_FORMAT' });
    assert.throws(() => new MaasClient({ url: 'nope', apiKey: KEY }), { code: 'ERR_CLIENT_URL_INVALID' });
  });
});

describe('client: retries (gomaasapi)', () => {
  test('client: retries 503 and 409 with Retry-After, re-signed with a fresh nonce, sleeping as told', async () => {
    const { fetch, seen } = fakeFetch([
      { status: 503, body: 'busy', headers: { 'retry-after': '2' } },
      { status: 409, body: 'conflict', headers: { 'retry-after': '1' } },
      { body: '{"username":"admin"}' },
    ]);
    const sleeps: number[] = [];
    const user = await client(fetch, { sleep: async (ms) => void sleeps.push(ms) }).users.whoami();
    assert.equal(user.username, 'admin');
    assert.deepEqual(sleeps, [2000, 1000]);
    const nonces = seen.map((s) => parseAuthorizationHeader(s.headers.get('authorization')!)!.get('oauth_nonce'));
    assert.equal(new Set(nonces).size, 3);
  });

  test('client: no retry without Retry-After, or with a non-integer one, or on other statuses', async () => {
    for (const answer of [
      { status: 503, body: 'x' },
      { status: 409, body: 'No machine available.' },
      { status: 503, body: 'x', headers: { 'retry-after': 'Fri, 04 Dec 2026 10:00:00 GMT' } },
      { status: 500, body: 'x', headers: { 'retry-after': '1' } },
    ]) {
      const { fetch, seen } = fakeFetch([answer]);
      await assert.rejects(client(fetch).users.list(), ApiError);
      assert.equal(seen.length, 1);
    }
  });

  test('client: retries are bounded (retries option)', async () => {
    const { fetch, seen } = fakeFetch(() => ({ status: 503, body: 'busy', headers: { 'retry-after': '1' } }));
    const error = await client(fetch, { retries: 2 }).users.list().catch((e: unknown) => e);
    assert.ok(error instanceof ApiError && error.status === 503);
    assert.equal(seen.length, 3);
    const { fetch: f0, seen: s0 } = fakeFetch(() => ({ status: 503, body: 'busy', headers: { 'retry-after': '1' } }));
    await assert.rejects(client(f0, { retries: 0 }).users.list());
    assert.equal(s0.length, 1);
  });
});

describe('client: waitForStatus', () => {
  function machineSequence(statuses: Array<[number, string]>) {
    return fakeFetch((_, n) => {
      const [status, status_name] = statuses[Math.min(n, statuses.length) - 1]!;
      return { body: JSON.stringify({ system_id: 'abc123', status, status_name, status_message: null }) };
    });
  }

  test('client: polls until the status is reached, with the injected sleep', async () => {
    const { fetch, seen } = machineSequence([[9, 'Deploying'], [9, 'Deploying'], [6, 'Deployed']]);
    const sleeps: number[] = [];
    const progress: string[] = [];
    const m = await client(fetch, { sleep: async (ms) => void sleeps.push(ms) }).machines.waitForStatus('abc123', 'deployed', {
      intervalMs: 10,
      onProgress: (x) => progress.push(x.status_name),
    });
    assert.equal(m.status, 6);
    assert.equal(seen.length, 3);
    assert.deepEqual(sleeps, [10, 10]);
    assert.deepEqual(progress, ['Deploying', 'Deploying', 'Deployed']);
  });

  test('client: a failed status ends the wait with WaitError', async () => {
    const { fetch } = machineSequence([[9, 'Deploying'], [11, 'Failed deployment']]);
    const error = await client(fetch).machines.waitForStatus('abc123', 'Deployed').catch((e: unknown) => e);
    assert.ok(error instanceof WaitError);
    assert.equal(error.code, 'ERR_CLIENT_WAIT_FAILED');
    assert.equal(error.statusName, 'Failed deployment');
  });

  test('client: the wait times out by the injected clock', async () => {
    const { fetch } = machineSequence([[1, 'Commissioning']]);
    let now = 0;
    const c = client(fetch, { now: () => now, sleep: async (ms) => {
        now += ms;
      },
    });
    const error = await c.machines.waitForStatus('abc123', 4, { timeoutMs: 60_000, intervalMs: 10_000 }).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.code, 'ERR_CLIENT_WAIT_TIMEOUT');
    assert.match(error.message, /still 'Commissioning' after 60 s of waiting for Ready/);
    await assert.rejects(c.machines.waitForStatus('abc123', 'Sleeping'), TypeError);
  });
});
