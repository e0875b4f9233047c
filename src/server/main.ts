// `maaskit serve`: the one place that listens, reads the real clock and randomness, and
// handles signals.
import { randomBytes } from 'node:crypto';
import { formatApiKey, randomCode } from '../model/index.ts';
import type { Store } from '../store/index.ts';
import { createApp } from './app.ts';
import { createLogger } from './logging.ts';
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
}

export interface ServeIo {
  print(line: string): void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const NONCE_PRUNE_INTERVAL_MS = 60_000;

/** On an empty store, creates `admin` with a random password and prints it with its key, once. */
async function ensureAdmin(store: Store, print: (line: string) => void): Promise<void> {
  if ((await store.countUsers()) > 0) return;
  const password = randomCode(20, randomBytes);
  const user = await store.createUser({ username: 'admin', email: 'admin@localhost', password, isSuperuser: true });
  const [key] = await store.listApiKeys(user.id);
  print(`maaskit: created user admin with password: ${password}`);
  if (key) print(`maaskit: API key for admin: ${formatApiKey(key)}`);
  print('maaskit: (shown once; `maaskit apikey --username admin` lists the keys again)');
}

export async function serve(options: ServeOptions, io: ServeIo): Promise<number> {
  const store = await openStore({ dataDir: options.dataDir, secretKey: options.secretKey }, randomBytes, nowSeconds);
  await ensureAdmin(store, io.print);
  const logger = createLogger(options.logLevel);
  const app = createApp({
    store,
    clock: { nowSeconds },
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

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  io.print(`maaskit: listening on http://${shownHost}:${port}/MAAS/`);

  const signal = await io.stopSignal;
  logger.info({ signal }, 'shutting down');
  clearInterval(prune);
  await app.close();
  await store.close();
  return 0;
}
