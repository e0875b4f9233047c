// npm run bench:auth — what OAuth costs per request, over loopback, in one run:
//   (a) a bare node:http server returning maaskit's version JSON (the ceiling),
//   (b) maaskit's anonymous GET /MAAS/api/2.0/version/,
//   (c) PLAINTEXT-signed GET /MAAS/api/2.0/users/?op=whoami, a fresh nonce per request,
//   (d) the same signed with HMAC-SHA1.
// Targets: (c)/(b) >= 0.8 and (b)/(a) >= 0.6, with the logging a user gets by default.
// Each measurement runs against a fresh server process; autocannon runs in this process.
// Environment: BENCH_SECONDS (measured, default 8), BENCH_WARMUP (default 2), BENCH_REPEAT
// (default 1), BENCH_CONNECTIONS (default 10), BENCH_ONLY (scenarios to run, e.g. "b,c"),
// BENCH_CPU_PROF=<dir> (servers write V8 CPU profiles there, named by pid), BENCH_PIN=1 (pin
// this process to CPU 0 and the servers to CPU 1, with taskset), BENCH_QUIET_WAIT (seconds to
// wait, before each run, for other processes to leave the CPU; default 60), BENCH_NONCES
// (random: 32 hex characters per request, as gomaasapi and python-libmaas send, the default;
// sequential: a counter, which databases index more cheaply than real clients' nonces).
// Besides the ratios of the medians it prints each ratio within each repetition, whose runs are
// minutes apart, and their median: this VM's speed drifts between repetitions.
// Exits 0 whatever the numbers: it is a benchmark, not a test.
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { machineCpu } from './lib/cpu.ts';
import { envNumber } from './lib/env.ts';
import {
  check,
  loadOptions,
  loadProblems,
  median,
  nonces,
  onlyScenarios,
  probeVersion,
  SCENARIOS,
  type Scenario,
  type ScenarioId,
  TARGET_ANON,
  TARGET_SIGNED,
  VERSION_PATH,
  type VersionResponse,
} from './lib/scenarios.ts';
import { sourceState } from './lib/source.ts';
import { pinSelf, runBenchmark, type ServerProcess, startBare, startMaaskit } from './lib/server.ts';

const SECONDS = envNumber('BENCH_SECONDS', 8);
const WARMUP = envNumber('BENCH_WARMUP', 2);
const REPEAT = Math.max(1, Math.round(envNumber('BENCH_REPEAT', 1)));
const CONNECTIONS = Math.max(1, Math.round(envNumber('BENCH_CONNECTIONS', 10)));
const PROFILE_DIR = process.env['BENCH_CPU_PROF'];
const PIN = process.env['BENCH_PIN'] === '1';
const QUIET_WAIT_S = envNumber('BENCH_QUIET_WAIT', 60);
const ONLY = onlyScenarios();
const CORES = availableParallelism();
/** The load generator's share of its core above which its numbers are a floor, not the server's. */
const SATURATED = 0.9;
/** CPU used by other processes (in cores) above which a run was disturbed by something else. */
const DISTURBED = 0.2;

/** maaskit's logging: what `npm start` does, and with request logging off. */
interface Logging {
  name: string;
  args: string[];
}
const LOGGINGS: Logging[] = [
  { name: 'default (info)', args: [] },
  { name: '--log-level warn', args: ['--log-level', 'warn'] },
];
const BARE_LOGGING = '—';

interface Run {
  scenario: ScenarioId;
  logging: string;
  /** Position in the run order, from 1. */
  order: number;
  /** Which repetition of the plan it belongs to, from 0. */
  repetition: number;
  rps: number;
  p50: number;
  p99: number;
  /** Share of one core used by the server / by this process while measuring. */
  serverCpu: number;
  benchCpu: number;
  /** The whole machine's busy time, in cores, and what the hypervisor stole. */
  machineCpu: number;
  steal: number;
  serverPid: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Why the run does not count, if it does not. */
  invalid?: string;
}

async function measure(
  start: () => Promise<ServerProcess>,
  scenario: Scenario,
  logging: string,
  order: number,
  repetition: number,
  expectedBody: string | undefined,
): Promise<Run> {
  const base = { scenario: scenario.id, logging, order, repetition };
  const empty = { rps: 0, p50: 0, p99: 0, serverCpu: 0, benchCpu: 0, machineCpu: 0, steal: 0, total: 0, non2xx: 0, errors: 0, timeouts: 0 };
  let server: ServerProcess;
  try {
    server = await start();
  } catch (error) {
    return { ...base, ...empty, serverPid: -1, invalid: `server did not start: ${(error as Error).message.split('\n').slice(0, 6).join(' ')}` };
  }
  try {
    try {
      await check(server, scenario, expectedBody);
    } catch (error) {
      return { ...base, ...empty, serverPid: server.pid, invalid: `check request failed: ${(error as Error).message}` };
    }
    if (WARMUP > 0) await autocannon(loadOptions(server, scenario, WARMUP, CONNECTIONS));
    const serverCpu0 = server.cpuSeconds();
    const benchCpu0 = process.cpuUsage();
    const machine0 = machineCpu();
    const t0 = performance.now();
    const result = await autocannon(loadOptions(server, scenario, SECONDS, CONNECTIONS));
    const wall = (performance.now() - t0) / 1000;
    const bench = process.cpuUsage(benchCpu0);
    const machine = machineCpu();
    const run: Run = {
      ...base,
      rps: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      serverCpu: (server.cpuSeconds() - serverCpu0) / wall,
      benchCpu: (bench.user + bench.system) / 1e6 / wall,
      machineCpu: (machine.busy - machine0.busy) / wall,
      steal: (machine.steal - machine0.steal) / wall,
      serverPid: server.pid,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    };
    const problems = loadProblems(result);
    return problems.length > 0 ? { ...run, invalid: problems.join(', ') } : run;
  } finally {
    await server.stop();
  }
}

interface Row {
  scenario: ScenarioId;
  logging: string;
  runs: Run[];
  /** The runs the medians are taken over: the undisturbed ones, or all if every run was disturbed. */
  counted: Run[];
  /** Median req/s over `counted`, or undefined if any run is invalid. */
  rps: number | undefined;
  /** Median requests per second of server CPU time: throughput per core, whoever was the bottleneck. */
  perCore: number | undefined;
}

function summarize(runs: Run[]): Row[] {
  const rows: Row[] = [];
  for (const run of runs) {
    let row = rows.find((r) => r.scenario === run.scenario && r.logging === run.logging);
    if (!row) {
      row = { scenario: run.scenario, logging: run.logging, runs: [], counted: [], rps: undefined, perCore: undefined };
      rows.push(row);
    }
    row.runs.push(run);
  }
  for (const row of rows) {
    if (row.runs.some((r) => r.invalid)) continue;
    // Runs that other processes disturbed count only if there is no other.
    const quiet = row.runs.filter((r) => !disturbed(r));
    row.counted = quiet.length > 0 ? quiet : row.runs;
    row.rps = median(row.counted.map((r) => r.rps));
    row.perCore = median(row.counted.map((r) => r.rps / r.serverCpu));
  }
  const rank = (r: Row) => 'abcd'.indexOf(r.scenario) * 10 + (r.logging === BARE_LOGGING ? 0 : LOGGINGS.findIndex((l) => l.name === r.logging));
  return rows.sort((x, y) => rank(x) - rank(y));
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (n: number) => `${Math.round(n * 100)}%`;

/** Whether other processes used the machine's CPU noticeably during the run. */
const disturbed = (r: Run) => r.machineCpu - r.serverCpu - r.benchCpu > DISTURBED;

/** Other processes' CPU use over a short interval, in cores (this process's own is left out). */
async function idleLoad(ms = 1000): Promise<number> {
  const before = machineCpu();
  const own = process.cpuUsage();
  await new Promise((res) => setTimeout(res, ms));
  const used = process.cpuUsage(own);
  return (machineCpu().busy - before.busy - (used.user + used.system) / 1e6) / (ms / 1000);
}

/** Waits (up to `maxMs`) for the machine to be quiet, so that other work does not skew a run. */
async function waitForQuiet(maxMs = QUIET_WAIT_S * 1000): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    if ((await idleLoad(500)) <= DISTURBED) return true;
  }
  return false;
}

function table(rows: Row[]): string {
  const lines = [
    '| scenario | maaskit logging | req/s (median of undisturbed runs) | runs: req/s [order] | req per server CPU-s | p50 / p99 ms | server CPU | bench CPU | machine CPU | non-2xx / errors |',
    '|---|---|---:|---|---:|---|---|---|---|---|',
  ];
  const each = (runs: Run[], f: (r: Run) => string) => runs.map(f).join(', ');
  for (const { scenario, logging, runs, counted, rps, perCore } of rows) {
    const basis = counted.length === runs.length ? '' : ` (${counted.length} undisturbed of ${runs.length})`;
    const allDisturbed = runs.length > 0 && runs.every(disturbed) ? ' ‡' : '';
    const cells = [
      SCENARIOS[scenario].label,
      logging,
      rps === undefined ? '**INVALID**' : `${fmt(rps)}${allDisturbed}${basis}`,
      each(runs, (r) => `${r.invalid ? 'invalid' : fmt(r.rps)} [${r.order}]`),
      perCore === undefined ? '—' : fmt(perCore),
      each(runs, (r) => `${r.p50} / ${r.p99}`),
      each(runs, (r) => pct(r.serverCpu)),
      each(runs, (r) => `${pct(r.benchCpu)}${r.benchCpu >= SATURATED ? ' †' : ''}`),
      each(runs, (r) => `${pct(r.machineCpu)}${r.steal >= 0.01 ? ` (steal ${pct(r.steal)})` : ''}${disturbed(r) ? ' ‡' : ''}`),
      each(runs, (r) => `${r.non2xx} / ${r.errors + r.timeouts}`),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function ratioLine(name: string, num: number | undefined, den: number | undefined, target?: number): string {
  if (num === undefined || den === undefined) return `${name}: not available (not run, or a run was invalid)${target === undefined ? '' : ': FAIL'}`;
  const ratio = num / den;
  const verdict = target === undefined ? '(no target)' : `target >= ${target}: ${ratio >= target ? 'PASS' : 'FAIL'}`;
  return `${name} = ${fmt(num)} / ${fmt(den)} = ${ratio.toFixed(3)}, ${verdict}`;
}

/**
 * The ratio within each repetition, whose runs are minutes apart at most, then their median:
 * on a machine whose speed drifts between repetitions this says more than the ratio of the
 * medians. (a) is the mean of the repetition's two bare runs, one before and one after.
 */
function pairedRatios(runs: Run[], num: [ScenarioId, string], den: [ScenarioId, string]): string {
  const ratios: number[] = [];
  for (let repetition = 0; repetition < REPEAT; repetition++) {
    const mean = ([id, logging]: [ScenarioId, string]) => {
      const of = runs.filter((r) => r.repetition === repetition && r.scenario === id && r.logging === logging);
      return of.length === 0 || of.some((r) => r.invalid) ? undefined : of.reduce((sum, r) => sum + r.rps, 0) / of.length;
    };
    const [n, d] = [mean(num), mean(den)];
    if (n !== undefined && d !== undefined && d > 0) ratios.push(n / d);
  }
  if (ratios.length === 0) return 'n/a';
  return `${ratios.map((r) => r.toFixed(3)).join(' · ')} → median ${median(ratios).toFixed(3)}`;
}

const ratioOf = (num: number | undefined, den: number | undefined) =>
  num === undefined || den === undefined ? 'n/a' : (num / den).toFixed(3);

type Step = { scenario: Scenario; logging: string; repetition: number; start: () => Promise<ServerProcess> };

/** Per repetition: (a) first, maaskit's scenarios under each logging, (a) again last, so that drift shows in the two (a) numbers. */
function makePlan(version: VersionResponse, nodeFlags: string[]): Step[] {
  const plan: Step[] = [];
  const spawnOptions = { nodeFlags, cpu: PIN ? 1 : undefined };
  for (let repetition = 0; repetition < REPEAT; repetition++) {
    const bare: Step = {
      scenario: SCENARIOS.a,
      logging: BARE_LOGGING,
      repetition,
      start: () => startBare(version.body, version.headers, spawnOptions),
    };
    plan.push(bare);
    for (const logging of LOGGINGS) {
      for (const id of ['b', 'c', 'd'] as const) {
        plan.push({ scenario: SCENARIOS[id], logging: logging.name, repetition, start: () => startMaaskit(logging.args, spawnOptions) });
      }
    }
    plan.push(bare);
  }
  return plan.filter((step) => ONLY.has(step.scenario.id));
}

async function main(): Promise<void> {
  const nodeFlags = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  if (PIN) pinSelf(0);
  const version = await probeVersion();
  const plan = makePlan(version, nodeFlags);
  const source = sourceState();
  const load = await idleLoad();
  process.stderr.write(
    `bench:auth: ${CONNECTIONS} connections, pipelining 1, ${nonces.kind} nonces, ${WARMUP}s warm-up + ${SECONDS}s measured per run, ` +
      `${REPEAT} repetition(s), ${plan.length} runs (~${Math.ceil((plan.length * (WARMUP + SECONDS + 1.5)) / 60)} min)\n`,
  );

  const runs: Run[] = [];
  for (const [i, step] of plan.entries()) {
    if (!(await waitForQuiet())) process.stderr.write(`  (the machine did not go quiet within ${QUIET_WAIT_S} s; measuring anyway)\n`);
    const expected = step.scenario.path === VERSION_PATH ? version.body : undefined;
    const run = await measure(step.start, step.scenario, step.logging, i + 1, step.repetition, expected);
    runs.push(run);
    process.stderr.write(
      `  [${i + 1}/${plan.length}] ${step.scenario.label}, ${step.logging} (server pid ${run.serverPid}): ` +
        `${run.invalid ? `INVALID: ${run.invalid}` : `${fmt(run.rps)} req/s, ${run.total} responses`}\n`,
    );
  }

  const rows = summarize(runs);
  const rps = (id: ScenarioId, logging: string) => rows.find((r) => r.scenario === id && r.logging === logging)?.rps;
  const perCore = (id: ScenarioId, logging: string) =>
    rows.find((r) => r.scenario === id && r.logging === logging)?.perCore;
  const a = rps('a', BARE_LOGGING);
  const out = [
    `bench:auth — ${CONNECTIONS} connections, pipelining 1, ${WARMUP}s warm-up + ${SECONDS}s measured, ` +
      `median of ${REPEAT} repetition(s); ${nonces.kind} nonces; a fresh server process per run; [n] = run order` +
      (PIN ? '; bench pinned to CPU 0, servers to CPU 1' : ''),
    `source: ${source}`,
    `machine CPU in use by other processes before the run: ${pct(load)} of one core${load > DISTURBED ? ' — NOT QUIET, numbers may be low' : ''}`,
    '',
    table(rows),
    '',
    `CPU columns are shares of one core while measuring; machine CPU is the sum over all ${CORES} cores. ` +
      `† = the load generator (this process) was saturated, so that number is a floor of what the server can do. ` +
      `‡ = other processes used more than ${pct(DISTURBED)} of a core during the run (a disturbed run).`,
    '',
  ];
  for (const logging of LOGGINGS) {
    const b = rps('b', logging.name);
    out.push(
      `maaskit logging ${logging.name}:`,
      `  ${ratioLine('(c)/(b)', rps('c', logging.name), b, TARGET_SIGNED)}`,
      `  ${ratioLine('(b)/(a)', b, a, TARGET_ANON)}`,
      `  ${ratioLine('(d)/(b)', rps('d', logging.name), b)}`,
      `  within each repetition (drift between them cancels): (c)/(b) ${pairedRatios(runs, ['c', logging.name], ['b', logging.name])}; ` +
        `(b)/(a) ${pairedRatios(runs, ['b', logging.name], ['a', BARE_LOGGING])}`,
      `  per server CPU-second (no target; the same ratios when the load generator is the bottleneck): ` +
        `(c)/(b) ${ratioOf(perCore('c', logging.name), perCore('b', logging.name))}, ` +
        `(b)/(a) ${ratioOf(perCore('b', logging.name), perCore('a', BARE_LOGGING))}`,
    );
  }
  out.push('The targets apply to the default logging (what `npm start` does).');
  const invalid = runs.filter((r) => r.invalid);
  if (invalid.length > 0) {
    out.push('', 'INVALID runs:', ...invalid.map((r) => `  [${r.order}] ${SCENARIOS[r.scenario].label}, ${r.logging}: ${r.invalid}`));
  }
  const sourceAfter = sourceState();
  if (sourceAfter !== source) out.push('', `SOURCE CHANGED DURING THE RUN: now ${sourceAfter}; the runs measured different code.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

runBenchmark('bench:auth', main);
