// npm run bench:soak — a signed load held long enough for nonces to expire, over loopback:
// what a busy server does in its steady state, which bench:auth (seconds) never reaches. One
// `maaskit serve --timestamp-window BENCH_WINDOW` (default 15, so a nonce is held 30 s) takes
// PLAINTEXT-signed whoami requests with random nonces from 10 connections for BENCH_SECONDS
// (default 180), measured in slices of BENCH_SLICE seconds (default 10): req/s, p99 and max
// latency, the server's RSS and the size of its database and WAL files per slice. Pruning (every 60 s) and forgetting expired nonces
// run as in production. Environment also: BENCH_CONNECTIONS (default 10). Exits 0 whatever the
// numbers; non-2xx answers or errors are printed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { splitApiKey } from '../src/model/index.ts';
import { signRequest } from '../src/oauth/index.ts';
import { envNumber, nonceSource } from './lib/env.ts';
import { startMaaskit, stopAll } from './lib/server.ts';

const WINDOW = Math.round(envNumber('BENCH_WINDOW', 15));
const SECONDS = envNumber('BENCH_SECONDS', 180);
const SLICE = Math.max(1, envNumber('BENCH_SLICE', 10));
const CONNECTIONS = Math.max(1, Math.round(envNumber('BENCH_CONNECTIONS', 10)));
const PATH = '/MAAS/api/2.0/users/?op=whoami';
const nonces = nonceSource();

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** The server's data dir, from its command line. */
function dataDirOf(pid: number): string {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return argv[argv.indexOf('--data-dir') + 1] ?? '';
}

const mib = (file: string) => (existsSync(file) ? statSync(file).size / 2 ** 20 : 0);

const server = await startMaaskit(['--log-level', 'warn', '--timestamp-window', String(WINDOW)]);
try {
  const key = splitApiKey(server.apiKey);
  if (!key) throw new Error('maaskit printed no usable API key');
  const url = `${server.origin}${PATH}`;
  const sign = () =>
    signRequest({ method: 'GET', url, ...key, signatureMethod: 'PLAINTEXT', timestamp: Math.floor(Date.now() / 1000), nonce: nonces.next() });
  console.log(
    `bench:soak — ${CONNECTIONS} connections, --timestamp-window ${WINDOW} (nonces held ${2 * WINDOW} s), ${SECONDS} s in slices of ${SLICE} s, ${nonces.kind} nonces, Node ${process.version}`,
  );
  const db = join(dataDirOf(server.pid), 'maaskit.db');
  console.log('  from s    req/s   p99 ms   max ms   server RSS MiB   db / wal MiB   non-2xx / errors');
  for (let at = 0; at < SECONDS; at += SLICE) {
    const result = await autocannon({
      url: server.origin,
      connections: CONNECTIONS,
      duration: SLICE,
      requests: [
        {
          method: 'GET',
          path: PATH,
          setupRequest: (request) => {
            request.headers = { ...request.headers, authorization: sign() };
            return request;
          },
        },
      ],
    });
    const rps = result.requests.total / result.duration;
    console.log(
      `  ${String(at).padStart(6)} ${rps.toFixed(0).padStart(8)} ${String(result.latency.p99).padStart(8)} ${String(result.latency.max).padStart(8)} ${rssMiB(server.pid).toFixed(0).padStart(16)} ${`${mib(db).toFixed(0)} / ${mib(`${db}-wal`).toFixed(0)}`.padStart(14)}   ${result.non2xx} / ${result.errors}`,
    );
  }
} finally {
  await stopAll();
}
