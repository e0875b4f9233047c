// The unexpired nonces the journal decides with (nonce-journal.ts), in memory: a Map from
// nonce to expiry, which a lookup probes once, and a queue of the records in the order they
// were made, which says what to forget next. Forgetting by walking one Map from its front, as
// before, went over every entry already deleted there (V8 keeps them until it rehashes): with
// 1,000,000 nonces remembered and as many expiring as coming, a nonce cost ~11 µs at first and
// ~70 µs 600,000 nonces later, and growing; this way it stays at 6.3–7.6 µs (bench:nonces,
// which includes the commit). Records come with nondecreasing expiries unless the clock steps back;
// one that expires early then waits behind the queue's head, blocking nothing, since a lookup
// compares the expiry.

/**
 * The Map is split in shards so that V8, which rehashes a Map whole as it grows, never copies
 * more than a sixteenth of it at once: one Map of 1,000,000 stalled a batch for up to ~70 ms.
 */
const SHARDS = 16;
/** Records per queue chunk: the queue grows and shrinks a chunk at a time, never copied whole. */
const CHUNK = 4096;

interface Chunk {
  keys: string[];
  expiries: number[];
}

/** The shard of a key: its last characters are a nonce's, which vary most. */
function shardOf(key: string): number {
  const n = key.length;
  return (key.charCodeAt(n - 1) ^ (key.charCodeAt(n - 2) << 2) ^ (key.charCodeAt(n - 3) << 4)) & (SHARDS - 1);
}

export class LiveNonces {
  /** key → expiresAt of its latest record, by shard. */
  private readonly shards = Array.from({ length: SHARDS }, () => new Map<string, number>());
  /** Records in the order they were made, from `head` in the first chunk on. */
  private readonly chunks: Chunk[] = [];
  private head = 0;

  /** Nonces remembered (those expired but not yet forgotten included). */
  get size(): number {
    let size = 0;
    for (const shard of this.shards) size += shard.size;
    return size;
  }

  /** Whether `key` has a record that has not expired at `now`. */
  has(key: string, now: number): boolean {
    const until = this.shards[shardOf(key)]!.get(key);
    return until !== undefined && until >= now;
  }

  add(key: string, expiresAt: number): void {
    this.shards[shardOf(key)]!.set(key, expiresAt);
    let last = this.chunks.at(-1);
    if (!last || last.keys.length === CHUNK) {
      last = { keys: [], expiries: [] };
      this.chunks.push(last);
    }
    last.keys.push(key);
    last.expiries.push(expiresAt);
  }

  /**
   * Drops the record of `key` that expires at `expiresAt`, unless a later one replaced it: undoes
   * add(key, expiresAt) (its queue slot is then skipped when it comes up), or forgets it.
   */
  delete(key: string, expiresAt: number): void {
    const shard = this.shards[shardOf(key)]!;
    if (shard.get(key) === expiresAt) shard.delete(key);
  }

  /**
   * Forgets the records at the front of the queue that have expired at `now`, at most `limit`
   * of them (so that a server that was idle while a million expired does not stall on its next
   * request); true if it stopped at the limit.
   */
  forgetExpired(now: number, limit = Number.POSITIVE_INFINITY): boolean {
    for (;;) {
      const first = this.chunks[0];
      if (!first) return false;
      const { keys, expiries } = first;
      while (this.head < keys.length && expiries[this.head]! < now) {
        if (limit-- <= 0) return true;
        this.delete(keys[this.head]!, expiries[this.head]!);
        this.head++;
      }
      // Stopped at an unexpired record, or at the end of the chunk being filled.
      if (this.head < CHUNK) return false;
      this.chunks.shift();
      this.head = 0;
    }
  }
}
