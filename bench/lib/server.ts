// Server processes under test: `maaskit serve` (as `npm start` runs it) or the bare node:http
// baseline, each in its own child process. Once ready, stdout is drained and dropped, so that
// per-request logging can neither block the server nor cost the load generator more than a read.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processCpuSeconds } from './cpu.ts';

/** Pins this process to one CPU (Linux, taskset); the servers can then be given another. */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-pc', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const BARE_SERVER = join(REPO_ROOT, 'bench', 'lib', 'bare-server.ts');
const READY_TIMEOUT_MS = 20_000;
const TAIL_CHARS = 4096;

export interface ServerProcess {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** The admin's API key (maaskit only; '' for the bare server). */
  apiKey: string;
  pid: number;
  /** CPU time (user + system) the process has used so far, in seconds. */
  cpuSeconds(): number;
  /** The last few KB of stderr, for diagnostics. */
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra `node` flags for the server (e.g. --cpu-prof). */
  nodeFlags?: string[];
  env?: Record<string, string>;
  /** Pin the server to this CPU (with taskset, which execs node: the pid stays the server's). */
  cpu?: number | undefined;
  /** Another checkout of maaskit to run instead of this one (bench:ratios' BENCH_AGAINST). */
  root?: string;
}

async function launch(
  args: string[],
  env: NodeJS.ProcessEnv,
  { cpu, root = REPO_ROOT }: SpawnOptions,
  cleanup: () => void,
): Promise<{ child: ChildProcess; output: string; tail: () => string }> {
  const [command, argv] =
    cpu === undefined ? [process.execPath, args] : ['taskset', ['-c', String(cpu), process.execPath, ...args]];
  const child = spawn(command, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let ready = false;
  let tail = '';
  child.stdout?.on('data', (d: Buffer) => {
    if (!ready) output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-TAIL_CHARS);
  });
  try {
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${output}${tail}`)), READY_TIMEOUT_MS);
      const onData = () => {
        if (!/listening on http:\/\/\S+/.test(output)) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        res();
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`server exited with ${code} before it was ready:\n${output}${tail}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    cleanup();
    throw error;
  }
  ready = true;
  return { child, output, tail: () => tail };
}

const live = new Set<ServerProcess>();

/** Stops every server still running (for a benchmark interrupted by a signal). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((server) => server.stop()));
}

/**
 * Runs a benchmark's main, stops any server it left running, then exits: 0 whatever the
 * numbers, 1 if it failed. On SIGINT or SIGTERM the servers are stopped too.
 */
export function runBenchmark(name: string, main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${name}: ${signal}, stopping the servers\n`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  main().then(
    async () => {
      await stopAll();
      process.exit(0);
    },
    async (error: unknown) => {
      process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      await stopAll();
      process.exit(1);
    },
  );
}

function handle(child: ChildProcess, output: string, tail: () => string, cleanup: () => void): ServerProcess {
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
  const pid = child.pid ?? -1;
  const exited = new Promise<void>((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res();
    else child.once('exit', () => res());
  });
  const server: ServerProcess = {
    origin: new URL(url).origin,
    apiKey: /API key[^:]*: (\S+)/.exec(output)?.[1] ?? '',
    pid,
    cpuSeconds: () => processCpuSeconds(pid),
    stderrTail: tail,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      live.delete(server);
      cleanup();
    },
  };
  live.add(server);
  return server;
}

/**
 * `node bin/maaskit.js serve` (what `npm start` runs) on a fresh data dir. The log level is the
 * default unless `extraArgs` says otherwise: MAASKIT_LOG_LEVEL is removed from the environment.
 */
export async function startMaaskit(extraArgs: string[] = [], options: SpawnOptions = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maaskit-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env['MAASKIT_LOG_LEVEL'];
  const args = [
    ...(options.nodeFlags ?? []),
    join(options.root ?? REPO_ROOT, 'bin', 'maaskit.js'),
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    ...extraArgs,
  ];
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  const { child, output, tail } = await launch(args, env, options, cleanup);
  return handle(child, output, tail, cleanup);
}

/** The bare node:http baseline, answering every request with `body` and `headers`. */
export async function startBare(
  body: string,
  headers: Record<string, string>,
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    BENCH_BARE_BODY: body,
    BENCH_BARE_HEADERS: JSON.stringify(headers),
  };
  const args = [...(options.nodeFlags ?? []), '--import', 'tsx', BARE_SERVER];
  const { child, output, tail } = await launch(args, env, { cpu: options.cpu }, () => {});
  return handle(child, output, tail, () => {});
}
