// users/ and users/{username}/ through the app, one test per status of the route contract
// (src/api/users.ts; spec/maas-resources.md §2.3).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import type { ApiKeyParts } from '../model/index.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const USERS = '/MAAS/api/2.0/users/';

describe('users', () => {
  let t: TestApp;
  let alice: { key: ApiKeyParts };
  before(async () => {
    t = await createTestApp();
    alice = await t.addUser('alice');
    await t.addUser('carol');
    await t.addUser('bob', { admin: true });
  });
  after(() => t.close());

  function signed(method: Method, url: string, options: { key?: ApiKeyParts; form?: string } = {}) {
    const headers: Record<string, string> = { authorization: t.sign(method, url, options.key ? { key: options.key } : {}) };
    if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return t.app.inject({ method, url, headers, ...(options.form !== undefined ? { payload: options.form } : {}) });
  }

  function userJson(username: string, isSuperuser: boolean) {
    return {
      username,
      email: `${username}@example.com`,
      is_local: true,
      is_superuser: isSuperuser,
      resource_uri: `/MAAS/api/2.0/users/${username}/`,
    };
  }

  // --- GET users/ -----------------------------------------------------------------------------

  test('users: read answers 200 with every user, sorted by username', async () => {
    const res = await signed('GET', USERS);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    const users = JSON.parse(res.body) as Array<{ username: string }>;
    assert.deepEqual(
      users.map((u) => u.username),
      ['admin', 'alice', 'bob', 'carol'],
    );
    assert.deepEqual(users[1], userJson('alice', false));
    assert.deepEqual(users[2], userJson('bob', true));
  });

  test('users: read is open to non-admins', async () => {
    const res = await signed('GET', USERS, { key: alice.key });
    assert.equal(res.statusCode, 200);
  });

  test('users: JSON types are exact (booleans, strings)', async () => {
    const res = await signed('GET', USERS);
    for (const u of JSON.parse(res.body) as Array<Record<string, unknown>>) {
      assert.equal(typeof u['is_superuser'], 'boolean');
      assert.equal(typeof u['is_local'], 'boolean');
      assert.equal(typeof u['username'], 'string');
      assert.equal(typeof u['email'], 'string');
      assert.equal(typeof u['resource_uri'], 'string');
    }
  });

  test('users: read answers 401 Forbidden without credentials', async () => {
    const res = await t.app.inject({ method: 'GET', url: USERS });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body.split('\n')[0], 'Forbidden');
  });

  // --- GET users/?op=whoami ---------------------------------------------------------------------

  test('users: whoami answers 200 with the caller', async () => {
    const res = await signed('GET', `${USERS}?op=whoami`, { key: alice.key });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assert.deepEqual(JSON.parse(res.body), userJson('alice', false));
  });

  test('users: whoami for the admin reports is_superuser true', async () => {
    const res = await signed('GET', `${USERS}?op=whoami`);
    assert.deepEqual(JSON.parse(res.body), { ...userJson('admin', true) });
  });

  test('users: whoami answers 401 anonymously', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${USERS}?op=whoami` });
    assert.equal(res.statusCode, 401);
    assert.equal(res.body.split('\n')[0], 'Forbidden');
  });

  // --- POST users/ -----------------------------------------------------------------------------

  test('users: create answers 200 with the new user (admin)', async () => {
    const res = await signed('POST', USERS, { form: 'username=dave&email=dave@example.com&password=pw&is_superuser=0' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assert.deepEqual(JSON.parse(res.body), userJson('dave', false));
    const read = await signed('GET', `${USERS}dave/`);
    assert.equal(read.statusCode, 200);
  });

  test('users: create with is_superuser=1 makes an admin, who gets a MAAS consumer key', async () => {
    const res = await signed('POST', USERS, { form: 'username=erin&email=erin@example.com&password=pw&is_superuser=1' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).is_superuser, true);
    const erin = await t.store.findUser('erin');
    assert.ok(erin);
    const keys = await t.store.listApiKeys(erin.id);
    assert.deepEqual(
      keys.map((k) => k.name),
      ['MAAS consumer'],
    );
  });

  test('users: create reads a multipart body (the maas CLI)', async () => {
    const boundary = 'xYzZY';
    const field = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const payload = `${field('username', 'frank')}${field('email', 'frank@example.com')}${field('password', 'pw')}${field('is_superuser', '0')}--${boundary}--\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: USERS,
      headers: { authorization: t.sign('POST', USERS), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(JSON.parse(res.body).username, 'frank');
  });

  test('users: create answers 400 No provided <param>! for each missing parameter, in MAAS order', async () => {
    const cases: Array<[string, string]> = [
      ['', 'No provided username!'],
      ['username=x', 'No provided email!'],
      ['username=x&email=x@example.com', 'No provided password!'],
      ['username=x&email=x@example.com&password=pw', 'No provided is_superuser!'],
    ];
    for (const [form, message] of cases) {
      const res = await signed('POST', USERS, { form });
      assert.equal(res.statusCode, 400, form);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.body, message);
    }
  });

  test('users: create reads parameters from the body, not the query string', async () => {
    const res = await signed('POST', `${USERS}?username=q&email=q@example.com&password=pw&is_superuser=0`, { form: '' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.body, 'No provided username!');
  });

  test('users: create answers 400 when is_superuser is not 0 or 1', async () => {
    for (const flag of ['true', 'yes', '2', '']) {
      const res = await signed('POST', USERS, { form: `username=gina&email=g@example.com&password=pw&is_superuser=${flag}` });
      assert.equal(res.statusCode, 400, flag);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.body, 'Invalid is_superuser: expected 0 or 1.');
    }
    assert.equal(await t.store.findUser('gina'), undefined);
  });

  test('users: create answers 400 No provided username! for an empty username', async () => {
    const res = await signed('POST', USERS, { form: 'username=&email=e@example.com&password=pw&is_superuser=0' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.body, 'No provided username!');
  });

  test('users: create answers 403 for a non-admin, before looking at parameters', async () => {
    for (const form of ['username=hank&email=h@example.com&password=pw&is_superuser=0', '']) {
      const res = await signed('POST', USERS, { key: alice.key, form });
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.body, 'This method is reserved for admin users.');
    }
    assert.equal(await t.store.findUser('hank'), undefined);
  });

  test('users: create answers 409 for a username that is taken', async () => {
    const res = await signed('POST', USERS, { form: 'username=alice&email=other@example.com&password=pw&is_superuser=0' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.headers['content-type'], TEXT);
    assert.equal(res.body, 'A user with the username alice already exists.');
  });

  test('users: create answers 401 anonymously', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: USERS,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=ivan&email=i@example.com&password=pw&is_superuser=0',
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.body.split('\n')[0], 'Forbidden');
  });

  test('users: PUT and DELETE on users/ answer 405 with Allow', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await signed(method, USERS);
      assert.equal(res.statusCode, 405, method);
      assert.deepEqual(String(res.headers['allow']).split(', ').sort(), ['GET', 'POST']);
    }
  });

  // --- GET users/{username}/ --------------------------------------------------------------------

  test('users: read one answers 200 with that user', async () => {
    const res = await signed('GET', `${USERS}carol/`, { key: alice.key });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assert.deepEqual(JSON.parse(res.body), userJson('carol', false));
  });

  test('users: read one answers 404 No User matches the given query. (text/plain, no charset)', async () => {
    const res = await signed('GET', `${USERS}nobody/`);
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, 'No User matches the given query.');
  });

  test('users: read one decodes a percent-encoded username', async () => {
    await t.addUser('zoë');
    const res = await signed('GET', `${USERS}zo%C3%AB/`);
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(res.body).resource_uri, '/MAAS/api/2.0/users/zo%C3%AB/');
  });

  // --- DELETE users/{username}/ -----------------------------------------------------------------

  test('users: delete answers 204 with an empty text/plain body and removes the user and their keys', async () => {
    const { user, key } = await t.addUser('doomed');
    const res = await signed('DELETE', `${USERS}doomed/`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, '');
    assert.equal(await t.store.findUser('doomed'), undefined);
    assert.deepEqual(await t.store.listApiKeys(user.id), []);
    const after = await signed('GET', USERS, { key });
    assert.equal(after.statusCode, 401, 'the deleted user\'s key no longer authenticates');
  });

  test('users: delete answers 204 for an unknown user too', async () => {
    const res = await signed('DELETE', `${USERS}never-existed/`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
  });

  test('users: delete answers 400 An administrator cannot self-delete.', async () => {
    const res = await signed('DELETE', `${USERS}admin/`);
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], TEXT);
    assert.equal(res.body, 'An administrator cannot self-delete.');
    assert.ok(await t.store.findUser('admin'));
  });

  test('users: delete answers 403 for a non-admin', async () => {
    const res = await signed('DELETE', `${USERS}carol/`, { key: alice.key });
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers['content-type'], TEXT);
    assert.equal(res.body, 'This method is reserved for admin users.');
    assert.ok(await t.store.findUser('carol'));
  });

  test('users: delete answers 403 for a non-admin even for an unknown user', async () => {
    const res = await signed('DELETE', `${USERS}never-existed/`, { key: alice.key });
    assert.equal(res.statusCode, 403);
    assert.equal(res.body, 'This method is reserved for admin users.');
  });

  test('users: delete answers 403 for a non-admin deleting themself (not the self-delete 400)', async () => {
    const res = await signed('DELETE', `${USERS}alice/`, { key: alice.key });
    assert.equal(res.statusCode, 403);
  });

  test('users: delete answers 404 for an unknown transfer_resources_to', async () => {
    await t.addUser('leaver');
    const res = await signed('DELETE', `${USERS}leaver/?transfer_resources_to=nobody`);
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body, 'No User matches the given query.');
    assert.ok(await t.store.findUser('leaver'), 'nothing is deleted');
  });

  test('users: delete with a known transfer_resources_to answers 204', async () => {
    await t.addUser('leaver2');
    const res = await signed('DELETE', `${USERS}leaver2/?transfer_resources_to=carol`);
    assert.equal(res.statusCode, 204);
    assert.equal(await t.store.findUser('leaver2'), undefined);
  });

  test('users: delete of an unknown user ignores transfer_resources_to (MAAS checks it only for a real user)', async () => {
    const res = await signed('DELETE', `${USERS}never-existed/?transfer_resources_to=nobody`);
    assert.equal(res.statusCode, 204);
  });

  test('users: an empty transfer_resources_to is no transfer', async () => {
    await t.addUser('leaver3');
    const res = await signed('DELETE', `${USERS}leaver3/?transfer_resources_to=`);
    assert.equal(res.statusCode, 204);
  });

  test('users: POST and PUT on users/{username}/ answer 405 with Allow', async () => {
    for (const method of ['POST', 'PUT'] as const) {
      const res = await signed(method, `${USERS}carol/`);
      assert.equal(res.statusCode, 405, method);
      assert.deepEqual(String(res.headers['allow']).split(', ').sort(), ['DELETE', 'GET']);
    }
  });
});
