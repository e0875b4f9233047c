// The embedded default: one SQLite file in the data dir, in WAL mode so that the CLI's admin
// commands can write while `serve` runs.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { RandomBytes } from '../../model/index.ts';
import { createGrantCache } from '../grant-cache.ts';
import { createKyselyStore } from '../kysely-store.ts';
import { migrate } from '../migrations.ts';
import type { Database } from '../schema.ts';
import { createSecretBox } from '../secrets.ts';
import { openNonceJournal } from './nonce-journal.ts';
import type { Store } from '../types.ts';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:'. */
  file: string;
  secretKey: Buffer;
  randomBytes: RandomBytes;
  now: () => number;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Kysely prepares every query anew; preparing costs about as much as running a small query,
 * so statements are kept by their SQL text (a bounded set: the store's queries are fixed).
 */
function withStatementCache(database: BetterSqlite3.Database) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (statements.size < 500) statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Runs synchronous work on the connection Kysely also uses, never inside a Kysely transaction
 * (which holds the connection across awaits: the work then waits for the driver to lend it).
 * Outside one, nothing else can be mid-statement, since every better-sqlite3 call is
 * synchronous, so the work runs at once, without the driver's queue.
 */
export function exclusiveWith(database: BetterSqlite3.Database, db: Kysely<Database>) {
  return <T>(work: () => T): Promise<T> =>
    database.inTransaction ? db.connection().execute(async () => work()) : new Promise<T>((resolve) => resolve(work()));
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const database = new BetterSqlite3(options.file);
  database.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the
  // last transactions, never corrupt the file.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  // Another process (the CLI next to a running server) may hold the write lock briefly.
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  await migrate(db as Kysely<unknown>, 'sqlite');
  // Changes whenever another connection (the admin CLI, say) commits; never for this one's own.
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  let seenVersion = dataVersion.get();
  const grantCache = createGrantCache(() => {
    const version = dataVersion.get();
    if (version === seenVersion) return false;
    seenVersion = version;
    return true;
  });
  const journal = openNonceJournal(database, {
    now: options.now,
    exclusive: exclusiveWith(database, db),
    inBatch: grantCache.lookElsewhere,
  });
  return createKyselyStore({
    kind: 'sqlite',
    db,
    secrets: createSecretBox(options.secretKey, options.randomBytes),
    randomBytes: options.randomBytes,
    now: options.now,
    isUniqueViolation,
    nonces: journal,
    grantCache,
    close: () => db.destroy(),
  });
}
