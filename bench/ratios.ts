// npm run bench:ratios — bench:auth's ratios, measured so that this VM's drift cancels out.
// bench:auth runs each scenario for seconds against a fresh server, minutes apart; this VM's
// speed drifts by a third within minutes, so its ratios scatter by ±0.1. Here the servers stay
// up and the scenarios take turns in short slices: a round runs every scenario once (in an
// order that rotates from round to round), and each round gives its own ratios, from slices
// at most a few seconds apart: their median, and the spread, are printed. So is each scenario's
// server CPU per request over all rounds, user and system time apart (/proc), whose inverse
// ratio is what the throughput ratio tends to while the server is the bottleneck.
//
// (b), (c) and (d) are answered by one maaskit server, as a real one answers all of them.
// Environment: BENCH_SLICE (seconds per slice, default 1), BENCH_ROUNDS (default 20),
// BENCH_WARMUP (seconds per scenario before the first round, default 2), BENCH_CONNECTIONS
// (default 10), BENCH_ONLY (e.g. "b,c"), BENCH_NONCES (as bench:auth), BENCH_LOG_LEVEL (passed
// to maaskit as --log-level; unset: its default, info, what `npm start` does), BENCH_AGAINST
// (another checkout of maaskit, with its node_modules: its server's scenarios are interleaved
// with this one's, and each round's this/that ratio per scenario is printed — an A/B test),
// BENCH_PROCESSES (maaskit processes per checkout, one after another, each for its share of the
// rounds; default 4 with BENCH_AGAINST, else 1: two processes of one commit, side by side, have
// differed by 5–10 % in CPU per request, so an A/B with one process each measures that luck).
// Exits 0 whatever the numbers: it is a benchmark, not a test.
import { resolve } from 'node:path';
import autocannon from 'autocannon';
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
} from './lib/scenarios.ts';
import { machineCpu, processCpuTimes } from './lib/cpu.ts';
import { runBenchmark, type ServerProcess, startBare, startMaaskit } from './lib/server.ts';
import { sourceState } from './lib/source.ts';

const SLICE = envNumber('BENCH_SLICE', 1);
const ROUNDS = Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 20)));
const WARMUP = envNumber('BENCH_WARMUP', 2);
const CONNECTIONS = Math.max(1, Math.round(envNumber('BENCH_CONNECTIONS', 10)));
const ONLY = onlyScenarios();
const LOG_LEVEL = process.env['BENCH_LOG_LEVEL'];
const AGAINST = process.env['BENCH_AGAINST'] ? resolve(process.env['BENCH_AGAINST']) : undefined;
const PROCESSES = Math.max(1, Math.round(envNumber('BENCH_PROCESSES', AGAINST ? 4 : 1)));
/** CPU used by other processes (in cores) above which a slice was disturbed by something else. */
const DISTURBED = 0.2;

/** One scenario against one server: what takes turns. */
interface Slot {
  name: string;
  scenario: Scenario;
  server: ServerProcess;
  expectedBody: string | undefined;
  /** Per round. */
  rps: number[];
  requests: number;
  userSeconds: number;
  systemSeconds: number;
  wallSeconds: number;
  disturbed: number;
}

async function runSlice(slot: Slot, seconds: number, record: boolean): Promise<void> {
  const cpu0 = processCpuTimes(slot.server.pid);
  const machine0 = machineCpu();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await autocannon(loadOptions(slot.server, slot.scenario, seconds, CONNECTIONS));
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = processCpuTimes(slot.server.pid);
  const own = process.cpuUsage(own0);
  const machine = machineCpu();
  const problems = loadProblems(result);
  if (problems.length > 0) throw new Error(`${slot.name}: ${problems.join(', ')}; server stderr: ${slot.server.stderrTail()}`);
  if (!record) return;
  const server = cpu1.user - cpu0.user + (cpu1.system - cpu0.system);
  const others = (machine.busy - machine0.busy - server - (own.user + own.system) / 1e6) / wall;
  slot.rps.push(result.requests.total / result.duration);
  slot.requests += result.requests.total;
  slot.userSeconds += cpu1.user - cpu0.user;
  slot.systemSeconds += cpu1.system - cpu0.system;
  slot.wallSeconds += wall;
  if (others > DISTURBED) slot.disturbed++;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

/** Each round's num/den, summarised: median, then the middle half and the extremes. */
function roundRatios(num: Slot | undefined, den: Slot | undefined): { median: number; text: string } | undefined {
  if (!num || !den) return undefined;
  const ratios = num.rps.map((n, i) => n / den.rps[i]!);
  const m = median(ratios);
  const spread = `middle half ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}, all ${quantile(ratios, 0).toFixed(3)}–${quantile(ratios, 1).toFixed(3)}`;
  return { median: m, text: `${m.toFixed(3)} (${spread}; ${ratios.length} rounds)` };
}

async function main(): Promise<void> {
  const source = sourceState();
  const version = await probeVersion();
  const logArgs = LOG_LEVEL ? ['--log-level', LOG_LEVEL] : [];
  const maaskitIds = (['b', 'c', 'd'] as const).filter((id) => ONLY.has(id));
  const slots: Slot[] = [];
  const slot = (name: string, id: ScenarioId, server: ServerProcess): Slot => ({
    name,
    scenario: SCENARIOS[id],
    server,
    expectedBody: SCENARIOS[id].path === VERSION_PATH ? version.body : undefined,
    rps: [],
    requests: 0,
    userSeconds: 0,
    systemSeconds: 0,
    wallSeconds: 0,
    disturbed: 0,
  });
  if (ONLY.has('a')) slots.push(slot('a', 'a', await startBare(version.body, version.headers)));
  const checkouts: Array<{ suffix: string; root: string | undefined }> = [{ suffix: '', root: undefined }];
  if (AGAINST) checkouts.push({ suffix: '@against', root: AGAINST });
  const slotsOf = new Map<string, Slot[]>();
  /** Fresh maaskit servers for every checkout's slots (the old ones stop), then a check and a warm-up of every slot. */
  const startServers = async () => {
    for (const { suffix, root } of checkouts) {
      if (maaskitIds.length === 0) continue;
      const server = await startMaaskit(logArgs, root ? { root } : {});
      const own = slotsOf.get(suffix);
      if (own) {
        const old = own[0]!.server;
        for (const s of own) s.server = server;
        await old.stop();
      } else {
        const created = maaskitIds.map((id) => slot(`${id}${suffix}`, id, server));
        slotsOf.set(suffix, created);
        slots.push(...created);
      }
    }
    for (const s of slots) {
      await check(s.server, s.scenario, s.expectedBody);
      if (WARMUP > 0) await runSlice(s, WARMUP, false);
    }
  };
  await startServers();
  if (slots.length === 0) throw new Error('BENCH_ONLY selects no scenario');

  process.stderr.write(
    `bench:ratios: ${slots.map((s) => s.name).join(', ')}; ${ROUNDS} rounds of ${SLICE}s slices, ${CONNECTIONS} connections, ` +
      `${PROCESSES} maaskit process(es) per checkout, one after another (~${Math.ceil((slots.length * (PROCESSES * WARMUP + ROUNDS * (SLICE + 0.1))) / 60)} min)\n`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    // Each process gets its share of the rounds: two processes of one commit can differ by 10 %.
    if (round > 0 && round % Math.ceil(ROUNDS / PROCESSES) === 0) await startServers();
    for (let i = 0; i < slots.length; i++) await runSlice(slots[(round + i) % slots.length]!, SLICE, true);
    if ((round + 1) % 5 === 0) process.stderr.write(`  ${round + 1}/${ROUNDS} rounds\n`);
  }

  const find = (name: string) => slots.find((s) => s.name === name);
  const lines = [
    `bench:ratios — ${ROUNDS} rounds; each round runs every scenario for ${SLICE}s (rotating order), ${CONNECTIONS} connections, ` +
      `${PROCESSES} maaskit process(es) per checkout in turn, ` +
      `pipelining 1, ${nonces.kind} nonces, maaskit logging ${LOG_LEVEL ?? 'default (info)'}; servers stay up between restarts`,
    `source: ${source}`,
    ...(AGAINST ? [`against (@against): ${AGAINST}: ${sourceState(AGAINST)}`] : []),
    '',
    '| scenario | req/s (median slice) | slices: min – max | server CPU µs per request: user + system = total | server CPU | disturbed slices |',
    '|---|---:|---|---|---:|---:|',
    ...slots.map((s) => {
      const per = (seconds: number) => (1e6 * seconds) / s.requests;
      const label = `${s.scenario.label}${s.name.endsWith('@against') ? ' @against' : ''}`;
      return (
        `| ${label} | ${fmt(median(s.rps))} | ${fmt(Math.min(...s.rps))} – ${fmt(Math.max(...s.rps))} | ` +
        `${fmt(per(s.userSeconds), 1)} + ${fmt(per(s.systemSeconds), 1)} = ${fmt(per(s.userSeconds + s.systemSeconds), 1)} | ` +
        `${Math.round((100 * (s.userSeconds + s.systemSeconds)) / s.wallSeconds)}% | ${s.disturbed} |`
      );
    }),
    '',
    'Ratios, each round on its own, then the median over rounds; and the inverse ratio of server CPU per request, all rounds together:',
  ];
  // Over all rounds at once: when the server is the bottleneck (its CPU near 100%), throughput
  // ratios converge to these, and they scatter far less than single slices do.
  const cpuPerRequest = (s: Slot | undefined) => (s ? (s.userSeconds + s.systemSeconds) / s.requests : undefined);
  for (const { suffix } of checkouts) {
    const ratio = (name: string, num: string, den: string, target?: number) => {
      const r = roundRatios(find(num), find(den));
      if (!r) return;
      const verdict = target === undefined ? '' : `, target >= ${target}: ${r.median >= target ? 'PASS' : 'FAIL'}`;
      const [n, d] = [cpuPerRequest(find(num)), cpuPerRequest(find(den))];
      // (a)'s load generator is saturated, so its CPU per request says nothing of its throughput.
      const byCpu = n !== undefined && d !== undefined && den !== 'a' ? `; by server CPU per request ${(d / n).toFixed(3)}` : '';
      lines.push(`  ${name}${suffix}: ${r.text}${verdict}${byCpu}`);
    };
    ratio('(c)/(b)', `c${suffix}`, `b${suffix}`, TARGET_SIGNED);
    ratio('(b)/(a)', `b${suffix}`, 'a', TARGET_ANON);
    ratio('(d)/(b)', `d${suffix}`, `b${suffix}`);
  }
  if (AGAINST) {
    lines.push('', 'This checkout against BENCH_AGAINST, per round (above 1: this one is faster):');
    for (const id of maaskitIds) {
      const r = roundRatios(find(id), find(`${id}@against`));
      const [mine, theirs] = [cpuPerRequest(find(id)), cpuPerRequest(find(`${id}@against`))];
      const cpu = mine !== undefined && theirs !== undefined ? `; server CPU per request ${fmt(1e6 * mine, 1)} against ${fmt(1e6 * theirs, 1)} µs` : '';
      if (r) lines.push(`  ${SCENARIOS[id].label}: ${r.text}${cpu}`);
    }
  }
  const sourceAfter = sourceState();
  if (sourceAfter !== source) lines.push('', `SOURCE CHANGED DURING THE RUN: now ${sourceAfter}; the rounds measured different code.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

runBenchmark('bench:ratios', main);
