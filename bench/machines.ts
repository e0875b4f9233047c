// npm run bench:machines — GET machines/ at 10, 100, 1,000 and 10,000 machines shaped like
// MAAS's perf dataset (`maaskit seed`: 5 interfaces, 6 disks each), against a real
// `maaskit serve`: p50/p99 latency, response bytes, server RSS; and GET machines/{id}/.
// Targets (issue 3): 1,000 machines < 100 ms p50, 10,000 < 1 s, growing linearly.
// Writes its table into bench/RESULTS.md under "## bench:machines" (other sections untouched).
//
// Usage: npm run bench:machines [-- --sizes 10,100,1000,10000] [--no-write]
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { MAASKIT_BIN, REPO_ROOT, startServe } from '../test/helpers/serve.ts';

const args = process.argv.slice(2);
const sizesArg = args[args.indexOf('--sizes') + 1];
const SIZES = args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [10, 100, 1000, 10000];
const WRITE = !args.includes('--no-write');

function maaskit(dataDir: string, ...argv: string[]): string {
  return execFileSync(process.execPath, [MAASKIT_BIN, ...argv, '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, MAASKIT_LOG_LEVEL: 'warn' } });
}

function header(key: string): string {
  const [ck, tk, ts] = key.split(':');
  return `OAuth oauth_consumer_key="${ck}", oauth_token="${tk}", oauth_signature_method="PLAINTEXT", oauth_signature="%26${ts}", oauth_nonce="${randomUUID()}", oauth_timestamp="${Math.floor(Date.now() / 1000)}", oauth_version="1.0"`;
}

async function timeGet(url: string, key: string): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const res = await fetch(url, { headers: { authorization: header(key) } });
  const body = await res.arrayBuffer();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return { ms, bytes: body.byteLength };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

interface Row {
  machines: number;
  seedSeconds: number;
  cold: number;
  listP50: number;
  listP99: number;
  bytes: number;
  rss: number;
  itemP50: number;
  itemP99: number;
  runs: number;
}

async function measure(n: number): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maaskit-bench-machines-'));
  try {
    maaskit(dataDir, 'createadmin', '--username', 'admin', '--password', 'bench-password', '--email', 'admin@bench');
    const key = maaskit(dataDir, 'apikey', '--username', 'admin').trim().split('\n')[0]!;
    const seedStart = performance.now();
    maaskit(dataDir, 'seed', '--machines', String(n));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const server = await startServe({ dataDir });
    try {
      const list = `${server.origin}/MAAS/api/2.0/machines/`;
      const runs = n >= 10000 ? 8 : n >= 1000 ? 20 : 50;
      // The first request renders every machine; later ones re-render only what changed.
      const cold = (await timeGet(list, key)).ms;
      await timeGet(list, key);
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < runs; i++) {
        const r = await timeGet(list, key);
        times.push(r.ms);
        bytes = r.bytes;
      }
      const rss = rssMiB(server.process.pid!);
      const ids = (await (await fetch(`${list}?status=ready`, { headers: { authorization: header(key) } })).json()) as Array<{ system_id: string }>;
      const item = `${list}${ids[0]!.system_id}/`;
      const itemTimes: number[] = [];
      for (let i = 0; i < 5; i++) await timeGet(item, key);
      for (let i = 0; i < 100; i++) itemTimes.push((await timeGet(item, key)).ms);
      return {
        machines: n,
        seedSeconds,
        cold,
        listP50: percentile(times, 50),
        listP99: percentile(times, 99),
        bytes,
        rss,
        itemP50: percentile(itemTimes, 50),
        itemP99: percentile(itemTimes, 99),
        runs,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

const loadBefore = loadavg()[0]!;
const rows: Row[] = [];
for (const n of SIZES) {
  const row = await measure(n);
  rows.push(row);
  console.log(
    `${n} machines: GET machines/ first ${fmt(row.cold)} ms, p50 ${fmt(row.listP50)} ms, p99 ${fmt(row.listP99)} ms, ${row.bytes} bytes, RSS ${row.rss} MiB; ` +
      `GET machines/{id}/ p50 ${fmt(row.itemP50)} ms; seed ${row.seedSeconds.toFixed(1)} s`,
  );
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const section = [
  '## bench:machines',
  '',
  `Command: \`npm run bench:machines\` (bench/machines.ts). Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}.`,
  'Each size: a fresh SQLite data dir, `maaskit seed --machines N` (5 interfaces, 6 disks each, mostly',
  'Ready or Deployed), one `maaskit serve`, sequential signed GETs over loopback. "first" is the',
  "first GET machines/ after start (every machine rendered); p50/p99 are over later GETs, which",
  're-render only machines whose version, zone, pool, owner or tags changed (src/api/machine-render.ts).',
  `Load average (1 min) at the start ${loadBefore.toFixed(1)}, at the end ${loadavg()[0]!.toFixed(1)}: other work on the host slows every number.`,
  '',
  '| machines | first GET machines/ | GET machines/ p50 | p99 | response bytes | bytes/machine | server RSS | GET machines/{id}/ p50 | p99 | seed time | runs |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.machines.toLocaleString('en')} | ${fmt(r.cold)} ms | ${fmt(r.listP50)} ms | ${fmt(r.listP99)} ms | ${r.bytes.toLocaleString('en')} | ${Math.round(r.bytes / r.machines).toLocaleString('en')} | ${r.rss} MiB | ${fmt(r.itemP50)} ms | ${fmt(r.itemP99)} ms | ${r.seedSeconds.toFixed(1)} s | ${r.runs} |`,
  ),
  '',
];

if (WRITE) {
  const file = join(REPO_ROOT, 'bench', 'RESULTS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  // Replace only our section: from its heading to the next "## " heading (or the end).
  const start = text.indexOf('## bench:machines');
  let next: string;
  if (start === -1) next = `${text.trimEnd()}\n\n${section.join('\n')}`;
  else {
    const after = text.indexOf('\n## ', start + 1);
    next = text.slice(0, start) + section.join('\n') + (after === -1 ? '' : `\n${text.slice(after + 1)}`);
  }
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
  console.log('bench/RESULTS.md: bench:machines section written');
}
