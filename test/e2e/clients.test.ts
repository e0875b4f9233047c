// The real third-party clients (Debian packages, .ci/apt-packages) against a real
// `maaskit serve` on loopback: the MAAS docs' examples, unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RunningServer, startServe } from '../helpers/serve.ts';
import {
  buildGomaasapi,
  clientSkip,
  runCurl,
  runGomaasapi,
  runHttpie,
  runPythonHmac,
  runPythonPlaintext,
  runRuby,
} from './clients.ts';

let server: RunningServer;
let url: string;

before(async () => {
  server = await startServe();
  // The clients take the MAAS URL without its trailing slash, as the docs write it.
  url = server.url.replace(/\/$/, '');
  assert.match(server.apiKey, /^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
});
after(() => server.stop());

function assertWhoami(response: { status: number; body: string }): void {
  assert.equal(response.status, 200, response.body);
  assert.equal(JSON.parse(response.body).username, 'admin');
}

describe('e2e: python (requests_oauthlib)', { skip: clientSkip('python') }, () => {
  test('PLAINTEXT whoami, as the docs newer Python example', async () => {
    assertWhoami(await runPythonPlaintext(url, server.apiKey, 'users/?op=whoami'));
  });
  test("PLAINTEXT machines/, the seed's GET", async () => {
    const r = await runPythonPlaintext(url, server.apiKey, 'machines/');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), []);
  });
  test("the seed's mistake: token key sent as the consumer key gets Invalid API key and a hint", async () => {
    const [ck, tk, ts] = server.apiKey.split(':');
    const r = await runPythonPlaintext(url, `${tk}:${ck}:${ts}`, 'machines/');
    assert.equal(r.status, 401);
    const [first, hint] = r.body.split('\n');
    assert.equal(first, 'Authorization Error: Invalid API key.');
    assert.match(hint ?? '', /^Hint: the parts of the API key are in the wrong order/);
    assert.ok(!r.body.includes(ts!), 'the body must not echo the secret');
  });
  test('HMAC-SHA1 GET with a repeated query parameter and a space', async () => {
    const r = await runPythonHmac(url, server.apiKey, 'GET', 'machines/', [
      ['hostname', 'a'],
      ['hostname', 'b c'],
    ]);
    assert.equal(r.status, 200, r.body);
  });
  test('HMAC-SHA1 form POST creates a named key', async () => {
    const r = await runPythonHmac(url, server.apiKey, 'POST', 'account/?op=create_authorisation_token', [['name', 'made by hmac']]);
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).name, 'made by hmac');
  });
});

describe('e2e: ruby (oauth gem)', { skip: clientSkip('ruby') }, () => {
  test("the docs' Ruby example: nodes/?op=list", async () => {
    const r = await runRuby(url, server.apiKey, 'nodes/?op=list');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), []);
  });
  test('whoami', async () => {
    assertWhoami(await runRuby(url, server.apiKey, 'users/?op=whoami'));
  });
});

describe('e2e: curl', { skip: clientSkip('curl') }, () => {
  test("the docs' unquoted header with a raw & and a uuid nonce", async () => {
    assertWhoami(await runCurl(url, server.apiKey, 'users/?op=whoami'));
  });
});

describe('e2e: httpie', { skip: clientSkip('httpie') }, () => {
  test('a quoted, percent-encoded header', async () => {
    assertWhoami(await runHttpie(url, server.apiKey, 'users/?op=whoami'));
  });
});

describe('e2e: gomaasapi (Juju)', { skip: clientSkip('gomaasapi') }, () => {
  test('NewController: version/, then a signed whoami', async () => {
    const bin = await buildGomaasapi();
    const result = await runGomaasapi(bin, url, server.apiKey);
    assert.equal(result.ok, true, JSON.stringify(result));
  });
  test('NewController with a wrong secret is a permission error (401)', async () => {
    const bin = await buildGomaasapi();
    const [ck, tk] = server.apiKey.split(':');
    const result = await runGomaasapi(bin, url, `${ck}:${tk}:${'x'.repeat(32)}`);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.httpStatus, 401);
  });
});
