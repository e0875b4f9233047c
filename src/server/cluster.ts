// `maaskit serve --workers N`: N server processes on one host, sharing one port (node:cluster)
// and one PostgreSQL database. The primary migrates and creates the first admin before any
// worker starts, prints the URL once every worker listens, replaces a worker that dies, and on
// SIGINT/SIGTERM stops them all. Workers hold no state of their own (DESIGN D6), so which
// one answers a request does not matter.
//
// SQLite is refused (by the CLI): every signed request writes its nonce, and SQLite lets one
// writer in at a time, so workers would mostly wait on each other's file locks.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface PrimaryIo {
  print(line: string): void;
  stopSignal: Promise<string>;
}

/** Replacing a worker that died is delayed by this much, so a crash loop does not spin. */
const RESPAWN_DELAY_MS = 1_000;
/** A worker that has not exited this long after SIGTERM is killed. */
const STOP_GRACE_MS = 10_000;

export const isWorker = (): boolean => cluster.isWorker;

/** A worker that has stopped serving closes its channel to the primary, so that it can exit. */
export function leaveCluster(): void {
  if (cluster.isWorker && cluster.worker?.isConnected()) cluster.worker.disconnect();
}

/** Runs the primary until it is told to stop; returns the exit code. */
export async function runPrimary(count: number, logger: Logger, io: PrimaryIo): Promise<number> {
  let stopping = false;
  const workers = new Set<Worker>();
  let printed = false;
  let listening = 0;

  const exited = new Map<Worker, Promise<number | null>>();
  let failStartup: (error: Error) => void = () => {};
  const fork = () => {
    const worker = cluster.fork();
    workers.add(worker);
    exited.set(
      worker,
      new Promise((resolve) =>
        worker.once('exit', (code, signal) => {
          workers.delete(worker);
          if (!printed) {
            // Before every worker listens, a death is a failed start (port in use, bad database).
            failStartup(new Error(`a worker exited (code ${code}, signal ${signal}) before all were listening`));
          } else if (!stopping) {
            logger.error({ worker: worker.process.pid, code, signal }, 'a worker exited; starting another');
            setTimeout(() => {
              if (!stopping) fork();
            }, RESPAWN_DELAY_MS).unref();
          }
          resolve(code);
        }),
      ),
    );
    return worker;
  };

  const ready = new Promise<string>((resolve, reject) => {
    failStartup = reject;
    cluster.on('listening', (_worker, address) => {
      listening++;
      if (listening >= count && !printed) {
        printed = true;
        const host = address.address ?? '127.0.0.1';
        const shownHost = host.includes(':') ? `[${host}]` : host;
        resolve(`http://${shownHost}:${address.port}/MAAS/`);
      }
    });
  });

  for (let i = 0; i < count; i++) fork();
  const outcome = await Promise.race([ready.then((url) => ({ url })), io.stopSignal.then((signal) => ({ signal }))]).catch(
    (error: Error) => ({ error }),
  );
  if ('url' in outcome) {
    io.print(`maaskit: ${count} workers (pids ${[...workers].map((w) => w.process.pid).join(', ')})`);
    io.print(`maaskit: listening on ${outcome.url}`);
  }
  const signal = 'url' in outcome ? await io.stopSignal : 'signal' in outcome ? outcome.signal : undefined;
  stopping = true;
  logger.info({ signal }, 'stopping the workers');
  const codes = await Promise.all(
    [...workers].map(async (worker) => {
      const done = exited.get(worker)!;
      worker.process.kill('SIGTERM');
      const killer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
      const code = await done;
      clearTimeout(killer);
      return code;
    }),
  );
  if ('error' in outcome) {
    io.print(`maaskit: the workers did not start: ${outcome.error.message} (see the lines above)`);
    return 1;
  }
  return codes.every((code) => code === 0) ? 0 : 1;
}
