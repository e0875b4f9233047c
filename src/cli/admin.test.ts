import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { MAASKIT_BIN, type RunningServer, startServe } from '../../test/helpers/serve.ts';
import { signRequest } from '../oauth/index.ts';

const exec = promisify(execFile);

/** Runs the real CLI; resolves with its exit code and output instead of throwing. */
async function maaskit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [MAASKIT_BIN, ...args], { env: { ...process.env, MAASKIT_SECRET_KEY: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cli: createadmin and apikey', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'maaskit-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('createadmin: creates a superuser silently; a duplicate fails with exit 1', async () => {
    const ok = await maaskit('createadmin', '--username', 'root', '--password', 'pw', '--email', 'r@x', '--data-dir', dir);
    assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, '', '']);
    const dup = await maaskit('createadmin', '--username', 'root', '--password', 'pw', '--email', 'r@x', '--data-dir', dir);
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr, 'A user with the username root already exists.\n');
  });

  test("createadmin: MAAS's messages for missing options", async () => {
    const r = await maaskit('createadmin', '--password', 'pw', '--email', 'x@x', '--data-dir', dir);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'You must input a username or provide it with --username.\n');
    const e = await maaskit('createadmin', '--username', 'x', '--password', 'pw', '--data-dir', dir);
    assert.equal(e.stderr, 'You must input an email or provide it with --email\n');
  });

  test('apikey: lists, generates with a name, renames and deletes', async () => {
    const list = await maaskit('apikey', '--username', 'root', '--data-dir', dir);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}\n$/);
    const made = await maaskit('apikey', '--username', 'root', '--generate', '--name', 'ci', '--data-dir', dir);
    const key = made.stdout.trim();
    assert.match(key, /^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
    const named = await maaskit('apikey', '--username', 'root', '--with-names', '--data-dir', dir);
    assert.deepEqual(
      named.stdout.trim().split('\n').map((l) => l.split(' ').slice(1).join(' ')),
      ['MAAS consumer', 'ci'],
    );
    assert.equal((await maaskit('apikey', '--username', 'root', '--update', key, '--name', 'deploys', '--data-dir', dir)).code, 0);
    assert.match((await maaskit('apikey', '--username', 'root', '--with-names', '--data-dir', dir)).stdout, / deploys\n$/);
    const del = await maaskit('apikey', '--username', 'root', '--delete', key, '--data-dir', dir);
    assert.deepEqual([del.code, del.stdout], [0, '']);
    const again = await maaskit('apikey', '--username', 'root', '--delete', key, '--data-dir', dir);
    assert.deepEqual([again.code, again.stderr], [1, 'No matching api key found.\n']);
  });

  test("apikey: MAAS's errors, with exit 1 and no secret echoed", async () => {
    assert.equal((await maaskit('apikey', '--data-dir', dir)).stderr, 'You must provide a username with --username.\n');
    assert.equal((await maaskit('apikey', '--username', 'ghost', '--data-dir', dir)).stderr, 'User does not exist.\n');
    const both = await maaskit('apikey', '--username', 'root', '--generate', '--delete', 'a:b:c', '--data-dir', dir);
    assert.equal(both.stderr, 'Specify one of --generate or --delete.\n');
    const bad = await maaskit('apikey', '--username', 'root', '--delete', 'only:two-SECRETPART', '--data-dir', dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Malformed credentials string\. {2}Expected 3 colon-separated items/);
    assert.ok(!bad.stderr.includes('SECRETPART'));
  });
});

describe('cli: apikey while serve runs on the same data dir', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServe();
  });
  after(() => server.stop());

  async function whoami(key: string): Promise<number> {
    const [consumerKey, tokenKey, tokenSecret] = key.split(':') as [string, string, string];
    const url = `${server.url}api/2.0/users/?op=whoami`;
    const authorization = signRequest({
      method: 'GET',
      url,
      consumerKey,
      tokenKey,
      tokenSecret,
      timestamp: Math.floor(Date.now() / 1000),
      nonce: `n${Math.random()}`,
    });
    return (await fetch(url, { headers: { authorization } })).status;
  }

  test('a key generated by the CLI works at once, and stops working once deleted', async () => {
    const made = await maaskit('apikey', '--username', 'admin', '--generate', '--data-dir', server.dataDir);
    assert.equal(made.code, 0, made.stderr);
    const key = made.stdout.trim();
    assert.equal(await whoami(key), 200);
    const del = await maaskit('apikey', '--username', 'admin', '--delete', key, '--data-dir', server.dataDir);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(await whoami(key), 401);
  });

  test('serve printed the admin password and a working key once', async () => {
    assert.match(server.adminPassword, /^[A-Za-z0-9]{20}$/);
    assert.equal(await whoami(server.apiKey), 200);
  });

  test('serve exits 0 on SIGTERM', async () => {
    const other = await startServe();
    assert.equal(await other.stop(), 0);
  });
});

describe('cli: createadmin prompts on a terminal', () => {
  test('asks for what is missing, and checks the password twice', async () => {
    const { askMissing } = await import('./admin.ts');
    const answers = ['ops', 'pw', 'pw', 'ops@x'];
    const asked: string[] = [];
    const prompt = async (q: string, secret: boolean) => {
      asked.push(`${q}${secret ? ' (hidden)' : ''}`);
      return answers.shift() ?? '';
    };
    assert.deepEqual(await askMissing({}, prompt), { username: 'ops', password: 'pw', email: 'ops@x' });
    assert.deepEqual(asked, ['Username: ', 'Password:  (hidden)', 'Again:  (hidden)', 'Email: ']);
    const mismatch = ['a', 'b'];
    await assert.rejects(askMissing({ username: 'u' }, async () => mismatch.shift() ?? ''), { message: 'Passwords do not match' });
  });
});
