// A PostgreSQL server for tests: MAASKIT_TEST_DATABASE_URL if it names one (a URL with the
// right to CREATE DATABASE), else a throwaway cluster made from Debian's `postgresql`
// binaries in a temp dir, on a free loopback port, with its unix socket in that dir too. As
// root the cluster runs as the `postgres` user (initdb refuses root). Each test file gets its
// own database (createTestDatabase), dropped afterwards; the cluster stops when the process
// exits.
//
// Without PostgreSQL the tests are skipped with a message, except under CI=true, where they
// fail: CI runs both backends (.ci/apt-packages installs `postgresql`).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';

export interface TestPostgres {
  /** A URL for the maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** The URL of another database on the same server. */
  urlFor(database: string): string;
  /** Whether this process started the server (and so may stop and restart it). */
  owned: boolean;
  /** Stops the server (fast shutdown: open connections are terminated). Owned clusters only. */
  stop(): void;
  /** Starts it again on the same port. Owned clusters only. */
  start(): void;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why PostgreSQL tests cannot run here, or undefined if they can. */
export function postgresUnavailable(): string | undefined {
  if (process.env['MAASKIT_TEST_DATABASE_URL']) return undefined;
  if (findBinDir() === undefined) {
    return 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, or set MAASKIT_TEST_DATABASE_URL';
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return 'running as root and there is no postgres user to run the cluster as';
  }
  return undefined;
}

/**
 * Registers `body`'s tests if PostgreSQL can run; otherwise one test that is skipped with the
 * reason, or that fails under CI=true (CI must run both backends).
 */
export function withPostgres(name: string, body: () => void): void {
  const reason = postgresUnavailable();
  if (reason === undefined) {
    body();
  } else if (process.env['CI'] === 'true') {
    test(`${name}: PostgreSQL is required under CI`, () => {
      throw new Error(reason);
    });
  } else {
    test(name, { skip: `${reason} — skipped locally; CI=true makes this a failure` }, () => {});
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startCluster(port: number, durable: boolean): TestPostgres {
  const bin = findBinDir();
  if (!bin) throw new Error(postgresUnavailable());
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      const logText = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${tool} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}${logText}`);
    }
  };
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // Durability is not what the tests are about: fsync off makes CREATE DATABASE cheap. The
  // benchmark asks for PostgreSQL's defaults instead (durable), as a deployment has them.
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    ...(durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    '-c max_connections=300',
  ].join(' ');
  const start = () => run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start']);
  let running = false;
  const stop = () => {
    if (!running) return;
    run('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'fast', 'stop']);
    running = false;
  };
  start();
  running = true;
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', remove);
  // Interrupted (Ctrl-C, a runner's timeout): remove the cluster, then die of the signal as before.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      remove();
      process.kill(process.pid, signal);
    });
  }
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    owned: true,
    stop,
    start() {
      if (running) return;
      start();
      running = true;
    },
  };
}

let shared: Promise<TestPostgres> | undefined;

/**
 * The test server of this process, started on first use. `durable` (for benchmarks) keeps
 * PostgreSQL's fsync defaults in a throwaway cluster; it is ignored after the first call.
 */
export function testPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  shared ??= (async () => {
    const given = process.env['MAASKIT_TEST_DATABASE_URL'];
    if (given) {
      const notOwned = () => {
        throw new Error('MAASKIT_TEST_DATABASE_URL names a server this process did not start: it cannot be stopped');
      };
      return {
        adminUrl: given,
        urlFor: (database: string) => {
          const url = new URL(given);
          url.pathname = `/${database}`;
          return url.toString();
        },
        owned: false,
        stop: notOwned,
        start: notOwned,
      };
    }
    // A port taken between freePort() and the server's bind is retried with another.
    for (let attempt = 0; ; attempt++) {
      try {
        return startCluster(await freePort(), options.durable ?? false);
      } catch (error) {
        if (attempt >= 2) throw error;
      }
    }
  })();
  return shared;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const server = await testPostgres();
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database with a random name, on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await testPostgres();
  const name = `maaskit_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: server.urlFor(name),
    async drop() {
      // The server may have been stopped by a test: bring it back to clean up.
      if (server.owned) server.start();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
