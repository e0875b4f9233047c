// `maaskit serve`: the one place that listens, reads the real clock and randomness, and
// handles signals.
import { randomBytes } from 'node:crypto';
import { formatApiKey, randomCode } from '../model/index.ts';
import { type Store, StoreError } from '../store/index.ts';
import { createApp } from './app.ts';
import { isWorker, leaveCluster, runPrimary } from './cluster.ts';
import { batchedStdout, createLogger } from './logging.ts';
import { openStore } from './open-store.ts';

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string;
  publicUrl?: string | undefined;
  timestampWindow: number;
  authHints: boolean;
  logLevel: string;
  secretKey?: string | undefined;
  /** PostgreSQL instead of SQLite in the data dir (docs/deploy.md). */
  databaseUrl?: string | undefined;
  /** Connections per process to PostgreSQL. */
  dbPoolSize?: number | undefined;
  /** Server processes on this host (node:cluster); more than 1 needs PostgreSQL. */
  workers?: number | undefined;
  /** Seconds each simulated machine lifecycle step takes (DESIGN D7). Default 5. */
  transitionDelay?: number | undefined;
}

export interface ServeIo {
  print(line: string): void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const NONCE_PRUNE_INTERVAL_MS = 60_000;
/** How often due lifecycle steps are run (they are also run before each machine request). */
const ADVANCE_INTERVAL_MS = 1000;

/** On an empty store, creates `admin` with a random password and prints it with its key, once. */
async function ensureAdmin(store: Store, print: (line: string) => void): Promise<void> {
  if ((await store.countUsers()) > 0) return;
  const password = randomCode(20, randomBytes);
  let user: Awaited<ReturnType<Store['createUser']>>;
  try {
    user = await store.createUser({ username: 'admin', email: 'admin@localhost', password, isSuperuser: true });
  } catch (error) {
    // Another server on the same database created it first (several starting at once).
    if (error instanceof StoreError && error.code === 'ERR_STORE_DUPLICATE') return;
    throw error;
  }
  const [key] = await store.listApiKeys(user.id);
  print(`maaskit: created user admin with password: ${password}`);
  if (key) print(`maaskit: API key for admin: ${formatApiKey(key)}`);
  print('maaskit: (shown once; `maaskit apikey --username admin` lists the keys again)');
}

export async function serve(options: ServeOptions, io: ServeIo): Promise<number> {
  const logger = createLogger(options.logLevel, batchedStdout());
  const location = {
    dataDir: options.dataDir,
    secretKey: options.secretKey,
    databaseUrl: options.databaseUrl,
    ...(options.dbPoolSize !== undefined ? { pool: { max: options.dbPoolSize } } : {}),
    onConnectionError: (err: Error) => logger.warn({ err }, 'a database connection failed; it is replaced on demand'),
  };
  const workers = options.workers ?? 1;
  if (workers > 1 && !isWorker()) {
    // Migrations and the first admin happen once, here, before any worker starts.
    const store = await openStore(location, randomBytes, nowSeconds);
    try {
      await ensureAdmin(store, io.print);
    } finally {
      await store.close();
    }
    return runPrimary(workers, logger, io);
  }
  const store = await openStore(location, randomBytes, nowSeconds);
  if (!isWorker()) await ensureAdmin(store, io.print);
  const transitionDelay = options.transitionDelay ?? 5;
  // Resume the simulated lifecycle where a previous run (or a crash) left it (DESIGN D7).
  await store.advanceDue(nowSeconds(), transitionDelay);
  const app = createApp({
    store,
    clock: { nowSeconds },
    transitionDelay,
    randomBytes,
    timestampWindow: options.timestampWindow,
    authHints: options.authHints,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    logger,
  });
  const prune = setInterval(() => {
    const now = nowSeconds();
    Promise.all([store.pruneNonces(now), store.pruneSessions(now)]).catch((err) =>
      logger.warn({ err }, 'pruning expired nonces and sessions failed'),
    );
  }, NONCE_PRUNE_INTERVAL_MS);
  prune.unref();
  let advancing = false;
  const advance = setInterval(() => {
    if (advancing) return;
    advancing = true;
    store
      .advanceDue(nowSeconds(), transitionDelay)
      .catch((err) => logger.warn({ err }, 'advancing the simulated machine lifecycle failed'))
      .finally(() => {
        advancing = false;
      });
  }, ADVANCE_INTERVAL_MS);
  advance.unref();

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  // A worker's primary prints the URL, once for all workers.
  if (!isWorker()) io.print(`maaskit: listening on http://${shownHost}:${port}/MAAS/`);

  const signal = await io.stopSignal;
  logger.info({ signal }, 'shutting down');
  clearInterval(prune);
  clearInterval(advance);
  await app.close();
  await store.close();
  leaveCluster();
  return 0;
}
