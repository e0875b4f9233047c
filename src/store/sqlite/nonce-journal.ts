// Nonces on SQLite: a set in memory decides, a journal table makes the decision durable and
// shared. Real clients send random nonces; a table keyed by them puts every new nonce on a
// random B-tree page, and each commit writes every page it touched — ~45 µs per nonce with 5
// nonces per commit (bench:auth-path), more than all the rest of a signed request. The journal
// is appended to in arrival order and has no index, so a commit writes one or two pages.
//
// The guarantees stay those of the Store interface (DESIGN D2):
// - once per (consumer, token) until it expires: `live` holds every unexpired nonce
//   (live-nonces.ts);
// - durable: a request is answered only after its nonce's row has been committed;
// - across restarts: `live` is rebuilt from the journal by the first batch after opening;
// - across processes on one database file: each batch runs in a write transaction (BEGIN
//   IMMEDIATE, so writers take turns) that first reads the rows other processes appended since
//   this one last looked (if any process has committed since: PRAGMA data_version), then
//   decides, appends and commits.
import type BetterSqlite3 from 'better-sqlite3';
import type { NonceRecorder } from '../nonces.ts';
import { perTurn } from '../per-turn.ts';
import { StoreError } from '../types.ts';
import { LiveNonces } from './live-nonces.ts';

/**
 * Unexpired nonces kept in memory, at most: ~200 bytes each (measured: 1,000,000 took ~200 MB
 * of RSS, and ~1.9 s to reload after a restart). 2,000,000 is ~3,300 signed requests a second
 * sustained for the 600 s a nonce is remembered; past it new requests are answered 503 until
 * old nonces expire. PostgreSQL keeps its nonces in the database only.
 */
export const MAX_LIVE_NONCES = 2_000_000;

/** Rows (and in-memory records) pruned per step: ~10 ms of work, then the event loop runs. */
const PRUNE_CHUNK = 10_000;

export interface NonceJournalOptions {
  /** Whole seconds since the epoch. */
  now: () => number;
  /** Runs `work` while no other query (a Kysely transaction, say) holds the connection. */
  exclusive: <T>(work: () => T) => Promise<T>;
  /**
   * Runs inside each batch's transaction, before anything is decided: the store looks for
   * other processes' commits there, at ~70 ns instead of a read transaction of its own.
   */
  inBatch?: () => void;
  maxLive?: number;
}

interface Pending {
  key: string;
  consumerKey: string;
  tokenKey: string;
  nonce: string;
  expiresAt: number;
  resolve: (fresh: boolean) => void;
  reject: (error: unknown) => void;
}

type JournalRow = [id: number, consumerKey: string, tokenKey: string, nonce: string, expiresAt: number];

/** The parts never hold a NUL (the store refuses those before asking), so the key is unambiguous. */
const keyOf = (consumerKey: string, tokenKey: string, nonce: string) => `${consumerKey}\u0000${tokenKey}\u0000${nonce}`;

export function openNonceJournal(database: BetterSqlite3.Database, options: NonceJournalOptions): NonceRecorder {
  const maxLive = options.maxLive ?? MAX_LIVE_NONCES;
  const tail = database
    .prepare('SELECT id, consumer_key, token_key, nonce, expires_at FROM nonce_journal WHERE id > ? ORDER BY id')
    .raw();
  const append = database.prepare(
    'INSERT INTO nonce_journal (consumer_key, token_key, nonce, expires_at) VALUES (?, ?, ?, ?)',
  );
  // Rows are appended in arrival order, so expired ones are at the front: pruning deletes from
  // there, up to the first unexpired row, but never the last row, whose id the next append
  // continues from (without AUTOINCREMENT an empty table would hand out ids other processes
  // have seen). A chunk at a time, so pruning a busy minute does not stall the event loop.
  const head = database.prepare('SELECT id, expires_at FROM nonce_journal ORDER BY id LIMIT ?').raw();
  const lastId = database.prepare('SELECT max(id) FROM nonce_journal').pluck();
  const deleteThrough = database.prepare('DELETE FROM nonce_journal WHERE id <= ?');
  // Changes whenever another connection has committed: until it does, there is nothing new of
  // theirs to read (~3 µs of a batch's ~25 saved). Read inside the transaction, it is current.
  // The grant cache reads it too (inBatch) and compares with what it last saw itself: sharing
  // one reading would let a change seen by one of them go unnoticed by the other.
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  const begin = database.prepare('BEGIN IMMEDIATE');
  const commit = database.prepare('COMMIT');
  const rollback = database.prepare('ROLLBACK');

  const live = new LiveNonces();
  /** The highest journal id already reflected in `live`. */
  let seen = 0;
  /** data_version when the journal was last read; undefined until the first batch reads it all. */
  let versionRead: unknown;

  /** Reads what other processes (or, when opening, earlier runs) recorded. */
  const catchUp = (now: number) => {
    for (const [id, consumerKey, tokenKey, nonce, expiresAt] of tail.iterate(seen) as IterableIterator<JournalRow>) {
      if (expiresAt >= now) live.add(keyOf(consumerKey, tokenKey, nonce), expiresAt);
      seen = id;
    }
  };
  /** One chunk of pruning; true if there may be more. */
  const pruneChunk = (now: number): { deleted: number; more: boolean } => {
    const forgotAll = !live.forgetExpired(now, PRUNE_CHUNK);
    const rows = head.all(PRUNE_CHUNK) as Array<[id: number, expiresAt: number]>;
    const last = lastId.get() as number | null;
    let through: number | undefined;
    for (const [id, expiresAt] of rows) {
      if (expiresAt >= now || id === last) break;
      through = id;
    }
    const deleted = through === undefined ? 0 : deleteThrough.run(through).changes;
    const rowsLeft = rows.length === PRUNE_CHUNK && through === rows.at(-1)?.[0];
    return { deleted, more: rowsLeft || !forgotAll };
  };

  function decide(batch: Pending[]): boolean[] {
    const now = options.now();
    begin.run();
    const added: Pending[] = [];
    // Rows read from others stay read; this batch's own rows are undone by a rollback.
    let seenOthers = seen;
    try {
      options.inBatch?.();
      const version = dataVersion.get();
      if (version !== versionRead) {
        catchUp(now);
        versionRead = version;
        seenOthers = seen;
      }
      live.forgetExpired(now, PRUNE_CHUNK);
      if (live.size + batch.length > maxLive) {
        throw new StoreError('ERR_STORE_BUSY', 'Too many nonces are remembered; try again shortly.');
      }
      const fresh = batch.map((p) => {
        // An expired record (not yet forgotten) does not block the nonce.
        if (live.has(p.key, now)) return false;
        live.add(p.key, p.expiresAt);
        added.push(p);
        seen = Number(append.run(p.consumerKey, p.tokenKey, p.nonce, p.expiresAt).lastInsertRowid);
        return true;
      });
      commit.run();
      return fresh;
    } catch (error) {
      if (database.inTransaction) rollback.run();
      for (const p of added) live.delete(p.key, p.expiresAt);
      seen = seenOthers;
      throw error;
    }
  }

  const enqueue = perTurn((batch: Pending[]) => {
    options.exclusive(() => decide(batch)).then(
      (fresh) => {
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(fresh[i]!);
      },
      (error) => {
        for (const p of batch) p.reject(error);
      },
    );
  });

  // Nothing is read on open: the first batch's catch-up reads the whole journal (seen = 0), so
  // admin commands, which never check a nonce, do not load it.
  return {
    use(consumerKey, tokenKey, nonce, expiresAt) {
      return new Promise<boolean>((resolve, reject) => {
        enqueue({ key: keyOf(consumerKey, tokenKey, nonce), consumerKey, tokenKey, nonce, expiresAt, resolve, reject });
      });
    },
    async prune(now) {
      let total = 0;
      for (;;) {
        const { deleted, more } = await options.exclusive(() => pruneChunk(now));
        total += deleted;
        if (!more) return total;
        // Let requests in between chunks.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
