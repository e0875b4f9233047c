// Starts a real `maaskit serve` process on loopback (port 0) over a fresh data dir,
// and reads what it prints once ready: the URL, the admin's password and API key.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const MAASKIT_BIN = join(REPO_ROOT, 'bin', 'maaskit.js');

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234/MAAS/ */
  url: string;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  apiKey: string;
  adminPassword: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<number | null>;
}

export interface ServeOptions {
  args?: string[];
  dataDir?: string;
  env?: Record<string, string>;
  /** Keep the data dir after stop (for restart tests). */
  keepDataDir?: boolean;
}

export async function startServe(options: ServeOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'maaskit-test-'));
  const child = spawn(
    process.execPath,
    [MAASKIT_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    { env: { ...process.env, MAASKIT_LOG_LEVEL: 'warn', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

  const url = await new Promise<string>((res, rej) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearInterval(timer);
        res(m[1]);
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(timer);
      rej(new Error(`maaskit serve exited with ${code} before it was ready:\n${out}`));
    });
  });
  const apiKey = /API key[^:]*: (\S+)/.exec(out)?.[1] ?? '';
  const adminPassword = /password: (\S+)/.exec(out)?.[1] ?? '';
  return {
    url,
    origin: new URL(url).origin,
    apiKey,
    adminPassword,
    dataDir,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (!options.keepDataDir && options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
