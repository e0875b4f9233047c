// Opens the store a command line asked for: PostgreSQL when a database URL is given
// (--database-url / MAASKIT_DATABASE_URL), else SQLite in the data dir (the default). The
// server key comes from MAASKIT_SECRET_KEY or the data dir's key file (DESIGN D2); servers
// sharing one PostgreSQL database must share MAASKIT_SECRET_KEY (docs/deploy.md).
import { join } from 'node:path';
import type { RandomBytes } from '../model/index.ts';
import {
  loadOrCreateKeyFile,
  openPostgresStore,
  openSqliteStore,
  parseSecretKey,
  type PostgresPoolSettings,
  type Store,
} from '../store/index.ts';

export interface StoreLocation {
  dataDir: string;
  /** MAASKIT_SECRET_KEY, if set. */
  secretKey?: string | undefined;
  /** A postgres:// URL; SQLite in the data dir when absent or empty. */
  databaseUrl?: string | undefined;
  pool?: PostgresPoolSettings | undefined;
  /** Told about connections to PostgreSQL that failed while idle (logged by `serve`). */
  onConnectionError?: ((error: Error) => void) | undefined;
}

export const DATABASE_FILE = 'maaskit.db';
export const KEY_FILE = 'secret.key';

/** The server key: MAASKIT_SECRET_KEY if set, else the data dir's key file (created on first use). */
export function resolveSecretKey(location: StoreLocation, randomBytes: RandomBytes): Buffer {
  return location.secretKey !== undefined && location.secretKey !== ''
    ? parseSecretKey(location.secretKey)
    : loadOrCreateKeyFile(join(location.dataDir, KEY_FILE), randomBytes);
}

export function openStore(location: StoreLocation, randomBytes: RandomBytes, now: () => number): Promise<Store> {
  const secretKey = resolveSecretKey(location, randomBytes);
  if (location.databaseUrl !== undefined && location.databaseUrl !== '') {
    return openPostgresStore({
      url: location.databaseUrl,
      secretKey,
      randomBytes,
      now,
      ...(location.pool ? { pool: location.pool } : {}),
      ...(location.onConnectionError ? { onConnectionError: location.onConnectionError } : {}),
    });
  }
  return openSqliteStore({ file: join(location.dataDir, DATABASE_FILE), secretKey, randomBytes, now });
}
