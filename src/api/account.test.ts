// account/ through the app, one test per status of the route contract (src/api/account.ts;
// spec/maas-auth.md §4.4, spec/maas-resources.md §2.4).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { type ApiKeyParts, formatApiKey } from '../model/index.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const ACCOUNT = '/MAAS/api/2.0/account/';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const CREATE = `${ACCOUNT}?op=create_authorisation_token`;
const DELETE = `${ACCOUNT}?op=delete_authorisation_token`;
const RENAME = `${ACCOUNT}?op=update_token_name`;
const LIST = `${ACCOUNT}?op=list_authorisation_tokens`;

interface TokenJson {
  token_key: string;
  token_secret: string;
  consumer_key: string;
  name: string;
}

describe('account', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  function signed(method: Method, url: string, options: { key?: ApiKeyParts; form?: string } = {}) {
    const headers: Record<string, string> = { authorization: t.sign(method, url, options.key ? { key: options.key } : {}) };
    if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return t.app.inject({ method, url, headers, ...(options.form !== undefined ? { payload: options.form } : {}) });
  }

  function keyOf(token: TokenJson): ApiKeyParts {
    return { consumerKey: token.consumer_key, tokenKey: token.token_key, tokenSecret: token.token_secret };
  }

  async function createToken(key: ApiKeyParts, name?: string): Promise<TokenJson> {
    const res = await signed('POST', CREATE, { key, form: name === undefined ? '' : `name=${encodeURIComponent(name)}` });
    assert.equal(res.statusCode, 200, res.body);
    return JSON.parse(res.body) as TokenJson;
  }

  async function listTokens(key: ApiKeyParts): Promise<Array<{ name: string; token: string }>> {
    const res = await signed('GET', LIST, { key });
    assert.equal(res.statusCode, 200);
    return JSON.parse(res.body);
  }

  // --- create_authorisation_token -----------------------------------------------------------

  test('account: create_authorisation_token answers 200 in Python json.dumps layout', async () => {
    const { key } = await t.addUser('creator');
    const res = await signed('POST', CREATE, { key, form: 'name=laptop' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    const token = JSON.parse(res.body) as TokenJson;
    assert.equal(
      res.body,
      `{"token_key": "${token.token_key}", "token_secret": "${token.token_secret}", "consumer_key": "${token.consumer_key}", "name": "laptop"}`,
    );
    assert.match(token.consumer_key, /^[A-Za-z0-9]{18}$/);
    assert.match(token.token_key, /^[A-Za-z0-9]{18}$/);
    assert.match(token.token_secret, /^[A-Za-z0-9]{32}$/);
  });

  test('account: create_authorisation_token without a name uses "MAAS consumer"', async () => {
    const { key } = await t.addUser('noname');
    const token = await createToken(key);
    assert.equal(token.name, 'MAAS consumer');
  });

  test('account: create_authorisation_token keeps an empty name as ""', async () => {
    const { key } = await t.addUser('emptyname');
    const token = await createToken(key, '');
    assert.equal(token.name, '');
    const listed = await listTokens(key);
    assert.equal(listed.at(-1)?.name, '');
  });

  test('account: create_authorisation_token escapes non-ASCII names as Python does', async () => {
    const { key } = await t.addUser('unicode');
    const res = await signed('POST', CREATE, { key, form: `name=${encodeURIComponent('Jörg’s 💻')}` });
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.endsWith('"name": "J\\u00f6rg\\u2019s \\ud83d\\udcbb"}'), res.body);
    assert.equal((JSON.parse(res.body) as TokenJson).name, 'Jörg’s 💻');
  });

  test('account: create_authorisation_token reads name from the body, not the query', async () => {
    const { key } = await t.addUser('querynamer');
    const res = await signed('POST', `${CREATE}&name=from-query`, { key, form: '' });
    assert.equal(res.statusCode, 200);
    assert.equal((JSON.parse(res.body) as TokenJson).name, 'MAAS consumer');
  });

  test('account: create_authorisation_token reads a multipart body (the maas CLI)', async () => {
    const { key } = await t.addUser('multipart');
    const boundary = 'cli-boundary';
    const res = await t.app.inject({
      method: 'POST',
      url: CREATE,
      headers: { authorization: t.sign('POST', CREATE, { key }), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nfrom-cli\r\n--${boundary}--\r\n`,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((JSON.parse(res.body) as TokenJson).name, 'from-cli');
  });

  test('account: a created key authenticates at once', async () => {
    const { key } = await t.addUser('newkey');
    const token = await createToken(key, 'fresh');
    const res = await signed('GET', '/MAAS/api/2.0/users/?op=whoami', { key: keyOf(token) });
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).username, 'newkey');
  });

  // --- delete_authorisation_token -----------------------------------------------------------

  test('account: delete_authorisation_token answers 204 with an empty text/plain body', async () => {
    const { key } = await t.addUser('deleter');
    const token = await createToken(key, 'to-delete');
    const res = await signed('POST', DELETE, { key, form: `token_key=${token.token_key}` });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, '');
    assert.deepEqual(
      (await listTokens(key)).map((k) => k.name),
      ['MAAS consumer'],
    );
  });

  test('account: a key deleted via the API stops authenticating immediately', async () => {
    const { key } = await t.addUser('revoker');
    const token = await createToken(key, 'short-lived');
    const ok = await signed('GET', '/MAAS/api/2.0/users/?op=whoami', { key: keyOf(token) });
    assert.equal(ok.statusCode, 200);
    const del = await signed('POST', DELETE, { key, form: `token_key=${token.token_key}` });
    assert.equal(del.statusCode, 204);
    const refused = await signed('GET', '/MAAS/api/2.0/users/?op=whoami', { key: keyOf(token) });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.body.split('\n')[0], 'Authorization Error: Invalid API key.');
  });

  test('account: a key may delete itself; its next request is refused', async () => {
    const { key } = await t.addUser('selfrevoker');
    const res = await signed('POST', DELETE, { key, form: `token_key=${key.tokenKey}` });
    assert.equal(res.statusCode, 204);
    const refused = await signed('GET', '/MAAS/api/2.0/users/?op=whoami', { key });
    assert.equal(refused.statusCode, 401);
  });

  test('account: delete_authorisation_token answers 400 No provided token_key! without it', async () => {
    const res = await signed('POST', DELETE, { form: '' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], TEXT);
    assert.equal(res.body, 'No provided token_key!');
  });

  test('account: delete_authorisation_token reads token_key from the body, not the query', async () => {
    const { key } = await t.addUser('querydeleter');
    const token = await createToken(key, 'kept');
    const res = await signed('POST', `${DELETE}&token_key=${token.token_key}`, { key, form: '' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.body, 'No provided token_key!');
  });

  test('account: delete_authorisation_token answers 404 No Token matches the given query. for an unknown key', async () => {
    const res = await signed('POST', DELETE, { form: 'token_key=doesnotexist12345' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, 'No Token matches the given query.');
  });

  test("account: delete_authorisation_token answers 404 for another user's token, which keeps working", async () => {
    const { key: mallory } = await t.addUser('mallory');
    const { key: victim } = await t.addUser('victim');
    const res = await signed('POST', DELETE, { key: mallory, form: `token_key=${victim.tokenKey}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.body, 'No Token matches the given query.');
    const still = await signed('GET', '/MAAS/api/2.0/users/?op=whoami', { key: victim });
    assert.equal(still.statusCode, 200);
  });

  test('account: delete_authorisation_token takes the token key only, not the whole key', async () => {
    const { key } = await t.addUser('wholekey');
    const token = await createToken(key, 'whole');
    const res = await signed('POST', DELETE, { key, form: `token_key=${encodeURIComponent(formatApiKey(keyOf(token)))}` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.body, 'No Token matches the given query.');
  });

  // --- update_token_name ----------------------------------------------------------------------

  test('account: update_token_name answers 202 Accepted given the token key', async () => {
    const { key } = await t.addUser('renamer');
    const res = await signed('POST', RENAME, { key, form: `token=${key.tokenKey}&name=renamed` });
    assert.equal(res.statusCode, 202);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, 'Accepted');
    assert.deepEqual(await listTokens(key), [{ name: 'renamed', token: formatApiKey(key) }]);
  });

  test('account: update_token_name accepts the whole consumer:token:secret key', async () => {
    const { key } = await t.addUser('renamer2');
    const res = await signed('POST', RENAME, { key, form: `token=${encodeURIComponent(formatApiKey(key))}&name=whole` });
    assert.equal(res.statusCode, 202);
    assert.equal(res.body, 'Accepted');
    assert.equal((await listTokens(key))[0]?.name, 'whole');
  });

  test('account: update_token_name answers 400 No provided token! / No provided name!', async () => {
    const cases: Array<[string, string]> = [
      ['', 'No provided token!'],
      ['name=x', 'No provided token!'],
      [`token=${t.adminKey.tokenKey}`, 'No provided name!'],
    ];
    for (const [form, message] of cases) {
      const res = await signed('POST', RENAME, { form });
      assert.equal(res.statusCode, 400, form);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.body, message);
    }
  });

  test('account: update_token_name answers 404 for an unknown token', async () => {
    const res = await signed('POST', RENAME, { form: 'token=doesnotexist12345&name=x' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, 'No Token matches the given query.');
  });

  test("account: update_token_name answers 404 for another user's token", async () => {
    const { key: other } = await t.addUser('other-renamer');
    const res = await signed('POST', RENAME, { form: `token=${other.tokenKey}&name=hijacked` });
    assert.equal(res.statusCode, 404);
    assert.equal((await listTokens(other))[0]?.name, 'MAAS consumer');
  });

  // --- list_authorisation_tokens --------------------------------------------------------------

  test('account: list_authorisation_tokens answers 200, indented by 4, in creation order', async () => {
    const { key } = await t.addUser('lister');
    const second = await createToken(key, 'second');
    const res = await signed('GET', LIST, { key });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    const expected =
      '[\n' +
      '    {\n' +
      '        "name": "MAAS consumer",\n' +
      `        "token": "${formatApiKey(key)}"\n` +
      '    },\n' +
      '    {\n' +
      '        "name": "second",\n' +
      `        "token": "${formatApiKey(keyOf(second))}"\n` +
      '    }\n' +
      ']';
    assert.equal(res.body, expected);
  });

  test('account: list_authorisation_tokens shows only the caller\'s keys', async () => {
    const { key } = await t.addUser('private');
    const listed = await listTokens(key);
    assert.deepEqual(listed, [{ name: 'MAAS consumer', token: formatApiKey(key) }]);
    assert.ok(!JSON.stringify(listed).includes(t.adminKey.tokenKey));
  });

  test('account: list_authorisation_tokens with no keys left answers []', async () => {
    const { key } = await t.addUser('lastkey');
    const session = await t.app.inject({
      method: 'POST',
      url: '/MAAS/accounts/login/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=lastkey&password=lastkey-pw',
    });
    assert.equal(session.statusCode, 204);
    const cookies = ([] as string[]).concat(session.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
    const del = await signed('POST', DELETE, { key, form: `token_key=${key.tokenKey}` });
    assert.equal(del.statusCode, 204);
    const res = await t.app.inject({ method: 'GET', url: LIST, headers: { cookie: cookies.join('; ') } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '[]');
  });

  // --- no op, wrong methods, anonymous --------------------------------------------------------

  test('account: GET without an op answers 400 Unrecognised signature: method=GET op=None', async () => {
    const res = await signed('GET', ACCOUNT);
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], TEXT);
    assert.equal(res.body, 'Unrecognised signature: method=GET op=None');
  });

  test('account: POST without an op answers 400 Unrecognised signature: method=POST op=None', async () => {
    const res = await signed('POST', ACCOUNT, { form: 'name=x' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.body, 'Unrecognised signature: method=POST op=None');
  });

  test('account: PUT and DELETE answer 405 with Allow: GET, POST', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await signed(method, ACCOUNT);
      assert.equal(res.statusCode, 405, method);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.body, '');
      assert.deepEqual(String(res.headers['allow']).split(', ').sort(), ['GET', 'POST']);
    }
  });

  test('account: every op answers 401 anonymously', async () => {
    for (const [method, url] of [
      ['POST', CREATE],
      ['POST', DELETE],
      ['POST', RENAME],
      ['GET', LIST],
    ] as const) {
      const res = await t.app.inject({ method, url });
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.body.split('\n')[0], 'Forbidden');
    }
  });
});
