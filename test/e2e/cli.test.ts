// The client CLI end to end: `node bin/maaskit.js …` with HOME and XDG_CONFIG_HOME in a temp
// dir, against a real `maaskit serve` (and tiny node:http servers for the broken cases).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runProfileCommand } from '../../src/cli/client-commands.ts';
import { configDir, ProfileStore } from '../../src/cli/profiles.ts';
import { MaasClient } from '../../src/client/index.ts';
import { MAASKIT_BIN, type RunningServer, startServe } from '../helpers/serve.ts';

let server: RunningServer;
let home: string;

before(async () => {
  server = await startServe({ args: ['--transition-delay', '0'] });
  home = mkdtempSync(join(tmpdir(), 'maaskit-cli-home-'));
});
after(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function maaskit(args: string[], options: { stdin?: string; home?: string } = {}): Promise<Run> {
  const h = options.home ?? home;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAASKIT_BIN, ...args], {
      env: { ...process.env, HOME: h, XDG_CONFIG_HOME: join(h, 'config'), NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' },
      stdio: ['pipe', 'pipe', 'pipe'],
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
    child.stdin.end(options.stdin ?? '');
  });
}

function profileFile(h = home): string {
  return join(h, 'config', 'maaskit', 'profiles.json');
}

/** A throwaway HTTP server answering every request with `answer`. */
async function tinyServer(answer: (path: string) => { status: number; type: string; body: string }): Promise<{ url: string; close: () => Promise<void> }> {
  const s: Server = createServer((req, res) => {
    const a = answer(req.url ?? '/');
    res.writeHead(a.status, { 'content-type': a.type });
    res.end(a.body);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/MAAS/`, close: () => new Promise((r) => s.close(() => r())) };
}

describe('cli: login, list, logout', () => {
  test('cli: login checks the key, stores the profile in a 0600 file, and list shows it without the key', async () => {
    const r = await maaskit(['login', 'dev', server.url, server.apiKey]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /You are now logged in to the MAAS server at http:\/\/127\.0\.0\.1:\d+\/MAAS\/api\/2\.0\/ with the profile name 'dev'/);
    const stat = statSync(profileFile());
    assert.equal(stat.mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(profileFile(), 'utf8')).profiles.dev;
    assert.equal(stored.name, 'dev');
    assert.equal(stored.url, `${server.url}api/2.0/`);
    assert.deepEqual(stored.credentials, server.apiKey.split(':'));
    assert.ok(Array.isArray(stored.description.resources));
    assert.match(stored.description.hash, /^[0-9a-f]{40}$/);
    const list = await maaskit(['list']);
    assert.equal(list.code, 0);
    assert.equal(list.stdout, `dev ${server.url}api/2.0/\n`);
    assert.ok(!list.stdout.includes(server.apiKey.split(':')[2]!));
  });

  test("cli: login reads the key from stdin with '-', trimming a newline", async () => {
    const r = await maaskit(['login', 'stdin', server.url, '-'], { stdin: `${server.apiKey}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(readFileSync(profileFile(), 'utf8')).profiles.stdin.credentials, server.apiKey.split(':'));
  });

  test('cli: a rejected key prints the maas CLI line and the server hint, and saves nothing', async () => {
    const [ck, tk, ts] = server.apiKey.split(':');
    const r = await maaskit(['login', 'wrong', server.url, `${tk}:${ck}:${ts}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^The MAAS server rejected your API key\.\nHint: the parts of the API key are in the wrong order/);
    assert.ok(!r.stderr.includes(ts!));
    assert.equal(JSON.parse(readFileSync(profileFile(), 'utf8')).profiles.wrong, undefined);
  });

  test('cli: a malformed key says what is wrong without echoing it', async () => {
    const [ck, tk] = server.apiKey.split(':');
    const r = await maaskit(['login', 'bad', server.url, `${ck}:${tk}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has 2 colon-separated parts/);
    assert.ok(!r.stderr.includes(tk!));
  });

  test('cli: a profile name that is a built-in command is refused', async () => {
    for (const name of ['serve', 'login', 'list', 'doctor', 'seed', 'createadmin', 'apikey', 'logout', 'refresh']) {
      const r = await maaskit(['login', name, server.url, server.apiKey]);
      assert.equal(r.code, 1, name);
      assert.match(r.stderr, new RegExp(`'${name}' cannot be a profile name: it is a maaskit command`));
    }
  });

  test('cli: any other answer to whoami is "an unexpected response", and HTML describe/ is named', async () => {
    const broken = await tinyServer(() => ({ status: 500, type: 'text/plain', body: 'boom' }));
    try {
      const r = await maaskit(['login', 'broken', broken.url, server.apiKey]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'The MAAS server gave an unexpected response: 500\n');
    } finally {
      await broken.close();
    }
    const html = await tinyServer(() => ({ status: 200, type: 'text/html; charset=utf-8', body: '<html>hello</html>' }));
    try {
      const r = await maaskit(['login', 'html', html.url, '-'], { stdin: '' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Expected application\/json from .*describe\/, got: text\/html; charset=utf-8/);
    } finally {
      await html.close();
    }
  });

  test('cli: logout forgets a profile; an unknown one is an error', async () => {
    assert.equal((await maaskit(['logout', 'stdin'])).code, 0);
    assert.ok(!(await maaskit(['list'])).stdout.includes('stdin'));
    const r = await maaskit(['logout', 'stdin']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /There is no profile named 'stdin'/);
  });
});

describe('cli: PROFILE RESOURCE ACTION', () => {
  test('cli: machines read prints the raw JSON body on stdout', async () => {
    const r = await maaskit(['dev', 'machines', 'read']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout)));
    assert.equal(r.stderr, '');
  });

  test('cli: users whoami --output table is for people', async () => {
    const r = await maaskit(['dev', 'users', 'whoami', '--output', 'table']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^username\s+admin$/m);
  });

  test('cli: positional arguments fill the path; a non-2xx answer exits 2 with MAAS text', async () => {
    const r = await maaskit(['dev', 'machine', 'read', 'nosuch']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Request failed with code 404: No Machine matches the given query\./);
    const u = await maaskit(['dev', 'user', 'read', 'admin']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(JSON.parse(u.stdout).username, 'admin');
  });

  test('cli: account create-authorisation-token name=… and key@=file parts; underscores point to hyphens', async () => {
    const r = await maaskit(['dev', 'account', 'create-authorisation-token', 'name=from cli']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).name, 'from cli');
    const file = join(home, 'name.txt');
    writeFileSync(file, 'from a file');
    // As in the maas CLI, key@=file sends a file part (request.FILES in MAAS), not a form field,
    // so this op, which reads only fields, sees no name.
    const f = await maaskit(['dev', 'account', 'create-authorisation-token', `name@=${file}`]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(JSON.parse(f.stdout).name, 'MAAS consumer');
    const missing = await maaskit(['dev', 'account', 'create-authorisation-token', `name@=${join(home, 'nope.txt')}`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read .*nope\.txt for name: ENOENT/);
    const u = await maaskit(['dev', 'account', 'create_authorisation_token']);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /Did you mean 'create-authorisation-token'\?/);
  });

  test('cli: --debug shows the exchange on stderr with Authorization redacted', async () => {
    const r = await maaskit(['dev', 'users', 'whoami', '--debug']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).username, 'admin');
    assert.match(r.stderr, /^> GET http:\/\/127\.0\.0\.1:\d+\/MAAS\/api\/2\.0\/users\/\?op=whoami$/m);
    assert.match(r.stderr, /^> Authorization: OAuth \[redacted; PLAINTEXT\]$/m);
    assert.match(r.stderr, /^< 200$/m);
    const [ck, tk, ts] = server.apiKey.split(':');
    for (const part of [ck!, tk!, ts!]) assert.ok(!r.stderr.includes(part));
  });

  test('cli: help for a profile, a resource and an action', async () => {
    const p = await maaskit(['dev']);
    assert.equal(p.code, 0);
    assert.match(p.stdout, /^\s+machines\s/m);
    assert.match(p.stdout, /^\s+account\s/m);
    const r = await maaskit(['dev', 'account']);
    assert.match(r.stdout, /create-authorisation-token/);
    const a = await maaskit(['dev', 'machine', 'read', '--help']);
    assert.equal(a.code, 0);
    assert.match(a.stdout, /usage: maaskit dev machine read SYSTEM_ID/);
  });

  test('cli: an unknown profile or resource is explained', async () => {
    const r = await maaskit(['nosuch', 'machines', 'read']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /'nosuch' is neither a maaskit command nor a profile/);
    const x = await maaskit(['dev', 'gadgets', 'read']);
    assert.equal(x.code, 1);
    assert.match(x.stderr, /has no resource 'gadgets'.*maaskit refresh/);
  });

  test('cli: a changed API hash warns as the maas CLI does; refresh fixes it', async () => {
    const file = profileFile();
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.profiles.dev.description.hash = '0'.repeat(40);
    writeFileSync(file, JSON.stringify(data), { mode: 0o600 });
    const r = await maaskit(['dev', 'users', 'whoami']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /WARNING: the API of .* has changed .* Run `maaskit refresh`/);
    const refreshed = await maaskit(['refresh']);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.match(refreshed.stdout, /Refreshed the API description of profile 'dev'/);
    assert.equal((await maaskit(['dev', 'users', 'whoami'])).stderr, '');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});

describe('cli: long waits', () => {
  async function readyMachine(hostname: string, mac: string): Promise<string> {
    const c = new MaasClient({ url: server.url, apiKey: server.apiKey });
    const m = await c.machines.create({ architecture: 'amd64/generic', mac_addresses: [mac], hostname, power_type: 'manual' });
    await c.machines.waitForStatus(m.system_id, 'Ready', { intervalMs: 50, timeoutMs: 120_000 });
    return m.system_id;
  }

  test('cli: machine deploy --wait prints the deployed machine; no progress when stderr is not a terminal', async (t) => {
    const d = (await new MaasClient({ url: server.url }).describe()) as { resources: Array<{ name: string; auth: { actions: Array<{ name: string }> } | null }> };
    if (!d.resources.find((r) => r.name === 'MachineHandler')?.auth?.actions.some((a) => a.name === 'deploy')) return t.skip('machine deploy not served yet');
    assert.equal((await maaskit(['refresh'])).code, 0);
    const id = await readyMachine('cli-wait', '52:54:00:aa:bb:01');
    assert.equal((await maaskit(['dev', 'machines', 'allocate', `system_id=${id}`])).code, 0);
    const r = await maaskit(['dev', 'machine', 'deploy', id, 'distro_series=jammy', '--wait', '--wait-interval', '0.05', '--wait-timeout', '120']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status_name, 'Deployed');
    assert.equal(r.stderr, '');
  });

  test('cli: on a terminal, --wait shows progress on stderr, never on stdout', async (t) => {
    const d = (await new MaasClient({ url: server.url }).describe()) as { resources: Array<{ name: string; auth: { actions: Array<{ name: string }> } | null }> };
    if (!d.resources.find((r) => r.name === 'MachineHandler')?.auth?.actions.some((a) => a.name === 'deploy')) return t.skip('machine deploy not served yet');
    const id = await readyMachine('cli-tty', '52:54:00:aa:bb:02');
    let out = '';
    let err = '';
    const outcome = await runProfileCommand(['dev', 'machine', 'deploy', id, '--wait', '--wait-interval=0.05'], {
      stdout: (s) => {
        out += s;
      },
      stderr: (s) => {
        err += s;
      },
      stdoutIsTTY: false,
      stderrIsTTY: true,
      readStdin: async () => '',
      readFile: () => new Uint8Array(),
      profiles: new ProfileStore(configDir({ HOME: home, XDG_CONFIG_HOME: join(home, 'config') })),
    });
    assert.equal(outcome.status, 200);
    assert.equal(JSON.parse(out).status_name, 'Deployed');
    // Each poll that sees a new status prints one line; how many polls see Deploying depends on speed.
    assert.match(err, new RegExp(`^${id}: Deployed$`, 'm'));
    assert.ok(!out.includes(`${id}: `));
  });
});
