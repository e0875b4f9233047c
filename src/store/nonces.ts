// Nonce recording in the database, with group commit (PostgreSQL; SQLite has its own journal,
// sqlite/nonce-journal.ts). Every signed request records its nonce, and a commit costs more
// than the rest of the auth check; so the nonces of all requests that arrive in one turn of the
// event loop are recorded by ONE multi-row upsert. Each request still gets its answer only
// after the database has decided: a nonce is accepted once per (consumer, token), atomically,
// across every process on the database.
import type { CompiledQuery, Kysely } from 'kysely';
import { perTurn } from './per-turn.ts';
import type { Database } from './schema.ts';

interface Pending {
  key: string;
  row: { consumer_key: string; token_key: string; nonce: string; expires_at: number };
  resolve: (fresh: boolean) => void;
  reject: (error: unknown) => void;
}

/** Rows per statement: 4 parameters each stays far below every dialect's parameter limit. */
const MAX_BATCH = 500;

/** How a dialect remembers nonces (Store.useNonce, Store.pruneNonces). */
export interface NonceRecorder {
  use(consumerKey: string, tokenKey: string, nonce: string, expiresAt: number): Promise<boolean>;
  prune(now: number): Promise<number>;
}

interface Returned {
  consumer_key: string;
  token_key: string;
  nonce: string;
}

export function createNonceRecorder(db: Kysely<Database>, now: () => number): NonceRecorder {
  // Compiling costs more than running, so the upsert is compiled once per batch size, with
  // marker values that are then swapped for the real ones (the SQL is Kysely's, per dialect).
  const compiled = new Map<number, { query: CompiledQuery<Returned>; slots: number[] }>();
  const TIME = '\u0000time\u0000';

  function upsert(size: number) {
    let entry = compiled.get(size);
    if (!entry) {
      const markers = Array.from({ length: size * 4 }, (_, i) => `\u0000${i}\u0000`);
      const query = db
        .insertInto('nonces')
        .values(
          Array.from({ length: size }, (_, r) => ({
            consumer_key: markers[r * 4]!,
            token_key: markers[r * 4 + 1]!,
            nonce: markers[r * 4 + 2]!,
            expires_at: markers[r * 4 + 3] as unknown as number,
          })),
        )
        // A nonce whose record has expired (but was not yet pruned) may be used again.
        .onConflict((oc) =>
          oc
            .columns(['consumer_key', 'token_key', 'nonce'])
            .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
            .where('nonces.expires_at', '<', TIME as unknown as number),
        )
        .returning(['consumer_key', 'token_key', 'nonce'])
        .compile();
      const slots = query.parameters.map((p) => (p === TIME ? -1 : markers.indexOf(p as string)));
      entry = { query, slots };
      compiled.set(size, entry);
    }
    return entry;
  }

  async function record(batch: Pending[]): Promise<void> {
    // The same nonce twice in one batch: the first occurrence decides, the rest are replays
    // (and one upsert may not touch a row twice).
    const first = new Map<string, Pending>();
    for (const p of batch) if (!first.has(p.key)) first.set(p.key, p);
    try {
      const unique = [...first.values()];
      const values = unique.flatMap((p) => [p.row.consumer_key, p.row.token_key, p.row.nonce, p.row.expires_at]);
      const { query, slots } = upsert(unique.length);
      const time = now();
      const { rows } = await db.executeQuery<Returned>({
        ...query,
        parameters: slots.map((slot) => (slot < 0 ? time : values[slot])),
      });
      const recorded = new Set(rows.map((r) => keyOf(r.consumer_key, r.token_key, r.nonce)));
      for (const p of batch) p.resolve(first.get(p.key) === p && recorded.has(p.key));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  const enqueue = perTurn((pending: Pending[]) => {
    for (let i = 0; i < pending.length; i += MAX_BATCH) void record(pending.slice(i, i + MAX_BATCH));
  });

  return {
    use: (consumerKey, tokenKey, nonce, expiresAt) =>
      new Promise<boolean>((resolve, reject) => {
        const row = { consumer_key: consumerKey, token_key: tokenKey, nonce, expires_at: expiresAt };
        enqueue({ key: keyOf(consumerKey, tokenKey, nonce), row, resolve, reject });
      }),
    async prune(at) {
      const result = await db.deleteFrom('nonces').where('expires_at', '<', at).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function keyOf(consumerKey: string, tokenKey: string, nonce: string): string {
  return JSON.stringify([consumerKey, tokenKey, nonce]);
}
