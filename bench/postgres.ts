// npm run bench:postgres — requests/s of maaskit over PostgreSQL against SQLite, in one run:
//   signed whoami (PLAINTEXT, a fresh nonce per request: one token lookup and one nonce insert)
//   and GET machines/ with 1,000 machines (`maaskit seed`), each
//   (1) on one server over SQLite, (2) on one server over PostgreSQL, (3) on two servers over
//   the same PostgreSQL database, the load split evenly between them; and whoami on (3) again
//   with synchronous_commit=off, to show what the nonce insert's fsync costs.
// The connections are the same in total for every row (split between the servers in (3)), so
// the rows compare what the deployments can serve to the same clients. PostgreSQL is a
// throwaway cluster with PostgreSQL's default durability (fsync on, synchronous_commit on), or
// BENCH_DATABASE_URL (a server where a database may be created). Servers log at warn.
// Environment: BENCH_SECONDS (measured, default 8), BENCH_WARMUP (default 2),
// BENCH_CONNECTIONS (total, default 10), BENCH_MACHINES (default 1000).
// Exits 0 whatever the numbers: it is a benchmark, not a test.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';
import { type ApiKeyParts, splitApiKey } from '../src/model/index.ts';
import { signRequest } from '../src/oauth/index.ts';
import { createTestDatabase, testPostgres } from '../test/helpers/postgres.ts';
import { machineCpu } from './lib/cpu.ts';
import { envNumber } from './lib/env.ts';
import { REPO_ROOT, type ServerProcess, startMaaskit } from './lib/server.ts';

const SECONDS = envNumber('BENCH_SECONDS', 8);
const WARMUP = envNumber('BENCH_WARMUP', 2);
const CONNECTIONS = Math.max(2, Math.round(envNumber('BENCH_CONNECTIONS', 10)));
const MACHINES = Math.round(envNumber('BENCH_MACHINES', 1000));
const MAASKIT_BIN = join(REPO_ROOT, 'bin', 'maaskit.js');
const SECRET_KEY = randomBytes(32).toString('hex');
const SERVER_ARGS = ['--log-level', 'warn'];

const WHOAMI = '/MAAS/api/2.0/users/?op=whoami';
const MACHINES_PATH = '/MAAS/api/2.0/machines/';

interface Scenario {
  name: string;
  path: string;
  check(body: string): string | undefined;
}
const SCENARIOS: Scenario[] = [
  {
    name: 'signed whoami',
    path: WHOAMI,
    check: (body) => ((JSON.parse(body) as { username?: string }).username === 'admin' ? undefined : `whoami answered ${body.slice(0, 200)}`),
  },
  {
    name: `GET machines/ (${MACHINES.toLocaleString('en-US')} machines)`,
    path: MACHINES_PATH,
    check: (body) => {
      const n = (JSON.parse(body) as unknown[]).length;
      return n === MACHINES ? undefined : `machines/ listed ${n} machines, expected ${MACHINES}`;
    },
  },
];

interface Row {
  deployment: string;
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  bytesPerResponse: number;
  serverCpu: number;
  machineCpu: number;
  non2xx: number;
  errors: number;
  invalid?: string;
}

const noncePrefix = randomBytes(6).toString('hex');
let nonceCounter = 0;

function authorization(server: ServerProcess, key: ApiKeyParts, path: string): string {
  return signRequest({
    method: 'GET',
    url: `${server.origin}${path}`,
    ...key,
    signatureMethod: 'PLAINTEXT',
    timestamp: Math.floor(Date.now() / 1000),
    nonce: `${noncePrefix}${(nonceCounter++).toString(36)}`,
  });
}

async function load(server: ServerProcess, key: ApiKeyParts, path: string, connections: number, duration: number): Promise<Result> {
  const options: Options = {
    url: server.origin,
    connections,
    pipelining: 1,
    duration,
    timeout: 60,
    requests: [
      {
        method: 'GET',
        path,
        setupRequest: (request) => {
          request.headers = { ...request.headers, authorization: authorization(server, key, path) };
          return request;
        },
      },
    ],
  };
  return await autocannon(options);
}

/** Load on every server at once, the connections split evenly; the sum of what they served. */
async function measure(deployment: string, servers: ServerProcess[], key: ApiKeyParts, scenario: Scenario): Promise<Row> {
  const base = { deployment, scenario: scenario.name };
  for (const server of servers) {
    const response = await fetch(`${server.origin}${scenario.path}`, { headers: { authorization: authorization(server, key, scenario.path) } });
    const body = await response.text();
    const problem = response.status !== 200 ? `status ${response.status}: ${body.slice(0, 200)}` : scenario.check(body);
    if (problem) {
      return { ...base, rps: 0, p50: 0, p99: 0, bytesPerResponse: 0, serverCpu: 0, machineCpu: 0, non2xx: 0, errors: 0, invalid: problem };
    }
  }
  const per = Math.floor(CONNECTIONS / servers.length);
  if (WARMUP > 0) await Promise.all(servers.map((s) => load(s, key, scenario.path, per, WARMUP)));
  const cpu0 = servers.map((s) => s.cpuSeconds());
  const machine0 = machineCpu();
  const t0 = performance.now();
  const results = await Promise.all(servers.map((s) => load(s, key, scenario.path, per, SECONDS)));
  const wall = (performance.now() - t0) / 1000;
  const machine = machineCpu();
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  const row: Row = {
    ...base,
    rps: results.reduce((n, r) => n + r.requests.total / r.duration, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    bytesPerResponse: total === 0 ? 0 : results.reduce((n, r) => n + r.throughput.total, 0) / total,
    serverCpu: servers.reduce((n, s, i) => n + (s.cpuSeconds() - cpu0[i]!), 0) / wall,
    machineCpu: (machine.busy - machine0.busy) / wall,
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
  };
  if (row.non2xx > 0 || row.errors > 0 || total === 0) row.invalid = `${row.non2xx} non-2xx, ${row.errors} errors/timeouts`;
  return row;
}

function seed(args: string[]): void {
  const result = spawnSync(process.execPath, [MAASKIT_BIN, 'seed', '--machines', String(MACHINES), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, MAASKIT_SECRET_KEY: SECRET_KEY },
  });
  if (result.status !== 0) throw new Error(`maaskit seed failed:\n${result.stdout}${result.stderr}`);
}

function keyOf(server: ServerProcess): ApiKeyParts {
  const key = splitApiKey(server.apiKey);
  if (!key) throw new Error(`maaskit printed no usable API key (got ${JSON.stringify(server.apiKey)})`);
  return key;
}

async function runAll(): Promise<{ rows: Row[]; postgresVersion: string }> {
  const rows: Row[] = [];
  const record = (row: Row) => {
    rows.push(row);
    process.stderr.write(
      `  ${row.deployment}, ${row.scenario}: ${row.invalid ? `INVALID: ${row.invalid}` : `${row.rps.toFixed(0)} req/s`}\n`,
    );
  };
  const env = { MAASKIT_SECRET_KEY: SECRET_KEY };

  // (1) SQLite: one server on a data dir, seeded beside it (WAL lets the CLI write meanwhile).
  const dataDir = mkdtempSync(join(tmpdir(), 'maaskit-bench-pg-'));
  try {
    const server = await startMaaskit([...SERVER_ARGS, '--data-dir', dataDir], { env });
    try {
      seed(['--data-dir', dataDir]);
      for (const scenario of SCENARIOS) record(await measure('SQLite, 1 server', [server], keyOf(server), scenario));
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  // (2) and (3): one PostgreSQL database, one server then two.
  const given = process.env['BENCH_DATABASE_URL'];
  if (given) process.env['MAASKIT_TEST_DATABASE_URL'] = given;
  await testPostgres({ durable: true });
  const db = await createTestDatabase();
  const url = db.url;
  let postgresVersion = 'unknown';
  try {
    const args = [...SERVER_ARGS, '--database-url', url];
    const a = await startMaaskit(args, { env });
    const servers = [a];
    try {
      seed(['--database-url', url]);
      postgresVersion = await serverVersion(url);
      for (const scenario of SCENARIOS) record(await measure('PostgreSQL, 1 server', [a], keyOf(a), scenario));
      const b = await startMaaskit(args, { env });
      servers.push(b);
      for (const scenario of SCENARIOS) record(await measure('PostgreSQL, 2 servers', [a, b], keyOf(a), scenario));
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
    // The same two servers with commits acknowledged before they reach the disk (a libpq URL
    // option, docs/deploy.md): what the per-request nonce insert's fsync costs.
    const relaxed = new URL(url);
    relaxed.searchParams.set('options', '-c synchronous_commit=off');
    const relaxedArgs = [...SERVER_ARGS, '--database-url', relaxed.toString()];
    const pair = [await startMaaskit(relaxedArgs, { env }), await startMaaskit(relaxedArgs, { env })];
    try {
      record(await measure('PostgreSQL, 2 servers, synchronous_commit=off', pair, keyOf(a), SCENARIOS[0]!));
    } finally {
      await Promise.all(pair.map((s) => s.stop()));
    }
  } finally {
    await db.drop();
  }
  return { rows, postgresVersion };
}

async function serverVersion(url: string): Promise<string> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version') as v");
    return rows[0]?.v ?? 'unknown';
  } finally {
    await client.end();
  }
}

function cpuModel(): string {
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
  } catch {
    return 'unknown CPU';
  }
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src', 'bin'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return `${sha}${dirty ? ' + uncommitted changes in src/ or bin/' : ''}`;
  } catch {
    return 'unknown';
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  process.stderr.write(
    `bench:postgres: ${CONNECTIONS} connections in total, ${WARMUP}s warm-up + ${SECONDS}s measured per row, ${MACHINES} machines\n`,
  );
  const started = new Date();
  const { rows, postgresVersion } = await runAll();
  const lines = [
    `bench:postgres — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit()}`,
    `machine: ${cpuModel()}, ${availableParallelism()} cores; Node ${process.version}; PostgreSQL ${postgresVersion} ` +
      `(${process.env['BENCH_DATABASE_URL'] ? 'BENCH_DATABASE_URL' : 'a throwaway local cluster, default durability'})`,
    `command: npm run bench:postgres (${CONNECTIONS} connections in total, pipelining 1, ${WARMUP}s warm-up + ${SECONDS}s measured; ` +
      'servers with --log-level warn; load generator, servers and PostgreSQL on the same machine)',
    '',
    '| deployment | scenario | req/s | p50 / p99 ms | KB per response | maaskit CPU (cores) | machine CPU (cores) | non-2xx / errors |',
    '|---|---|---:|---|---:|---:|---:|---|',
    ...rows.map((r) =>
      [
        r.deployment,
        r.scenario,
        r.invalid ? `**INVALID** (${r.invalid})` : fmt(r.rps),
        `${r.p50} / ${r.p99}`,
        fmt(r.bytesPerResponse / 1024, 1),
        fmt(r.serverCpu, 2),
        fmt(r.machineCpu, 2),
        `${r.non2xx} / ${r.errors}`,
      ].join(' | '),
    ).map((l) => `| ${l} |`),
    '',
    `Machine CPU is the busy time of all ${availableParallelism()} cores (maaskit, PostgreSQL and the load generator together); ` +
      'when it is near the core count the rows measure the machine, not maaskit or PostgreSQL.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:postgres failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
