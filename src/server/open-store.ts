// Opens the store a command line asked for: SQLite in the data dir (the default), with the
// server key from MAASKIT_SECRET_KEY or the data dir's key file (DESIGN D2).
import { join } from 'node:path';
import type { RandomBytes } from '../model/index.ts';
import { loadOrCreateKeyFile, openSqliteStore, parseSecretKey, type Store } from '../store/index.ts';

export interface StoreLocation {
  dataDir: string;
  /** MAASKIT_SECRET_KEY, if set. */
  secretKey?: string | undefined;
}

export const DATABASE_FILE = 'maaskit.db';
export const KEY_FILE = 'secret.key';

export function openStore(location: StoreLocation, randomBytes: RandomBytes, now: () => number): Promise<Store> {
  const secretKey =
    location.secretKey !== undefined && location.secretKey !== ''
      ? parseSecretKey(location.secretKey)
      : loadOrCreateKeyFile(join(location.dataDir, KEY_FILE), randomBytes);
  return openSqliteStore({ file: join(location.dataDir, DATABASE_FILE), secretKey, randomBytes, now });
}
