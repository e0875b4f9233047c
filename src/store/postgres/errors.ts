// Which driver errors mean "the database cannot be reached", and a Kysely dialect wrapper
// that turns them into StoreError ERR_STORE_UNAVAILABLE for every query — the Store's own and
// any added later — so the server answers 503 instead of 500 (src/server/responses.ts).
import type {
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryCompiler,
  TransactionSettings,
  CompiledQuery,
  QueryResult,
  DialectAdapter,
  DatabaseIntrospector,
} from 'kysely';
import { StoreError } from '../types.ts';

// https://www.postgresql.org/docs/current/errcodes-appendix.html
//   class 08: connection exception; 53300 too_many_connections; 57P01 admin_shutdown;
//   57P02 crash_shutdown; 57P03 cannot_connect_now (starting up, recovering);
//   57014 query_canceled (statement_timeout: the server did not answer in time).
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03', '57014']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
// pg's own client-side failures carry no code, only these messages.
const PG_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Postgres connection has been discarded)/;

export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof StoreError) return error.code === 'ERR_STORE_UNAVAILABLE';
  const e = error as { code?: unknown; syscall?: unknown; message?: unknown; errors?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string') {
    if (SOCKET_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || e.code.startsWith('08')) return true;
    // A unix socket that is not there: the server is not running.
    if (e.code === 'ENOENT' && e.syscall === 'connect') return true;
  }
  // Several addresses (IPv4 and IPv6 for localhost) that all failed.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(isConnectionFailure)) return true;
  return typeof e.message === 'string' && PG_MESSAGES.test(e.message);
}

/** 22021 character_not_in_repertoire: PostgreSQL text cannot hold NUL, which SQLite's can. */
const isInvalidText = (error: unknown) => (error as { code?: unknown } | null)?.code === '22021';

function translate(error: unknown): unknown {
  if (error instanceof StoreError) return error;
  if (isConnectionFailure(error)) return new StoreError('ERR_STORE_UNAVAILABLE', 'The database is unavailable.', { cause: error });
  if (isInvalidText(error)) return new StoreError('ERR_STORE_INVALID_TEXT', 'Null characters are not allowed.', { cause: error });
  return error;
}

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translate(error);
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return guarded(() => this.inner.executeQuery<R>(query));
  }
  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

const unwrap = (connection: DatabaseConnection) =>
  connection instanceof GuardedConnection ? connection.inner : connection;

class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init() {
    return guarded(() => this.inner.init());
  }
  async acquireConnection() {
    return new GuardedConnection(await guarded(() => this.inner.acquireConnection()));
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    return guarded(() => this.inner.beginTransaction(unwrap(connection), settings));
  }
  commitTransaction(connection: DatabaseConnection) {
    return guarded(() => this.inner.commitTransaction(unwrap(connection)));
  }
  rollbackTransaction(connection: DatabaseConnection) {
    return guarded(() => this.inner.rollbackTransaction(unwrap(connection)));
  }
  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return guarded(async () => this.inner.savepoint?.(unwrap(connection), name, compile));
  }
  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return guarded(async () => this.inner.rollbackToSavepoint?.(unwrap(connection), name, compile));
  }
  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return guarded(async () => this.inner.releaseSavepoint?.(unwrap(connection), name, compile));
  }
  releaseConnection(connection: DatabaseConnection) {
    return this.inner.releaseConnection(unwrap(connection));
  }
  destroy() {
    return this.inner.destroy();
  }
}

/** The dialect, with connection failures reported as ERR_STORE_UNAVAILABLE. */
export function withUnavailableErrors(dialect: Dialect): Dialect {
  return {
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createQueryCompiler: (): QueryCompiler => dialect.createQueryCompiler(),
    createAdapter: (): DialectAdapter => dialect.createAdapter(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => dialect.createIntrospector(db),
  };
}
