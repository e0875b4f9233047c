// PostgreSQL: how maaskit scales out (DESIGN D6). Several `serve` processes, on one host or
// many, share one database; everything they must agree on (keys, nonces, sessions, the
// inventory) lives there, and nothing is cached in a process. The queries are the same Kysely
// queries as SQLite's (kysely-store.ts); this file adds the connection pool, a safe migration
// start, and the translation of driver errors into the Store's terms.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { RandomBytes } from '../../model/index.ts';
import { createKyselyStore } from '../kysely-store.ts';
import { migrate } from '../migrations.ts';
import type { Database } from '../schema.ts';
import { createSecretBox } from '../secrets.ts';
import { type Store, StoreError } from '../types.ts';
import { isConnectionFailure, withUnavailableErrors } from './errors.ts';

export { isConnectionFailure } from './errors.ts';

export interface PostgresPoolSettings {
  /** Connections per process (default 10). */
  max?: number;
  /** How long to wait for a connection, new or from the pool, before answering 503 (default 5000). */
  connectionTimeoutMs?: number;
  /** Longest a statement may run on the server (default 10000; 0 = no limit). */
  statementTimeoutMs?: number;
  /** Idle connections are closed after this long (default 30000). */
  idleTimeoutMs?: number;
}

export interface PostgresStoreOptions {
  /** A libpq-style URL: postgres://user:password@host:port/database?sslmode=… */
  url: string;
  secretKey: Buffer;
  randomBytes: RandomBytes;
  /** Whole seconds since the epoch. */
  now: () => number;
  pool?: PostgresPoolSettings;
  /** Told about errors of idle connections (the pool drops them and reconnects on demand). */
  onConnectionError?: (error: Error) => void;
}

/** Key of the session-level advisory lock held while migrating ("maaskit" in ASCII). */
const MIGRATION_LOCK = 0x6d6161736b6974n;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * pg returns bigint (count(*), the `bigint` time columns) and numeric as strings, since they
 * may exceed 2^53. maaskit's are ids, counts and seconds: numbers, as SQLite gives them, so
 * that code written against one dialect reads the same values on the other.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

/** The URL with its password replaced, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable database URL)';
  }
}

function poolConfig(options: PostgresStoreOptions, overrides: pg.PoolConfig = {}): pg.PoolConfig {
  const settings = options.pool ?? {};
  const statementTimeout = settings.statementTimeoutMs ?? 10_000;
  return {
    connectionString: options.url,
    max: settings.max ?? 10,
    connectionTimeoutMillis: settings.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: settings.idleTimeoutMs ?? 30_000,
    application_name: 'maaskit',
    keepAlive: true,
    types,
    ...(statementTimeout > 0
      ? {
          statement_timeout: statementTimeout,
          // The server enforces statement_timeout; this client-side bound also covers a server
          // that stopped answering altogether (a network partition).
          query_timeout: statementTimeout + 5_000,
        }
      : {}),
    ...overrides,
  };
}

function newPool(config: pg.PoolConfig, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool(config);
  // An idle connection the server closed (restart, failover) is reported here and dropped
  // from the pool; without a listener, Node would treat the event as a crash.
  pool.on('error', onError);
  // A connection in use may lose its server too: the query in flight fails (and is
  // translated below) and the pool discards it on release; the event must still be heard.
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/**
 * Runs the migrations under a session-level advisory lock on a connection of its own (no
 * statement timeout: waiting for another server's migration is expected). Kysely's Migrator
 * has a lock of its own, but creating its bookkeeping tables happens before that lock is
 * taken; several servers starting at once on an empty database are serialized here instead.
 */
async function migrateLocked(options: PostgresStoreOptions, onError: (error: Error) => void): Promise<void> {
  const pool = newPool(poolConfig(options, { max: 1, statement_timeout: 0, query_timeout: 0 }), onError);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK)})`.execute(conn);
      try {
        await migrate(conn, 'postgres');
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK)})`.execute(conn);
      }
    });
  } finally {
    await db.destroy();
  }
}

function isUniqueViolation(error: unknown): boolean {
  // https://www.postgresql.org/docs/current/errcodes-appendix.html: 23505 unique_violation.
  return (error as { code?: unknown } | null)?.code === '23505';
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const onError = options.onConnectionError ?? (() => {});
  const where = redactDatabaseUrl(options.url);
  try {
    await migrateLocked(options, onError);
  } catch (error) {
    if (isConnectionFailure(error)) {
      throw new StoreError(
        'ERR_STORE_UNAVAILABLE',
        `Cannot reach the database at ${where}: ${(error as Error).message || (error as { code?: string }).code}.`,
        { cause: error },
      );
    }
    throw error;
  }
  const pool = newPool(poolConfig(options), onError);
  const db = new Kysely<Database>({ dialect: withUnavailableErrors(new PostgresDialect({ pool })) });
  return createKyselyStore({
    kind: 'postgres',
    db,
    secrets: createSecretBox(options.secretKey, options.randomBytes),
    randomBytes: options.randomBytes,
    now: options.now,
    isUniqueViolation,
    close: () => db.destroy(),
  });
}
