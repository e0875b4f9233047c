// The unexpired nonces the journal decides with (nonce-journal.ts), in memory, grouped by the
// five minutes their records expire in. Forgetting then drops whole groups, without touching
// the others. One Map in insertion order, forgotten from its front, left V8 walking over every
// entry already deleted there on each later pass: ~130–430 µs per batch of 5 with 1,000,000
// nonces remembered, against ~5.5 µs this way. Smaller groups forget sooner but cost a lookup
// each per nonce (60 s: ~15 µs per batch); one group per 10 minutes would double the memory
// held by expired records. The largest group is a third of what is remembered, so V8 rehashes
// at most that much at once (~13 ms at 1,000,000, against ~50 ms for one Map).
// A record may outlive its expiry by up to five minutes in memory (it is compared with its
// expiry, so it blocks nothing then); `size` counts it until then.

/** Seconds of expiry each group covers. */
const GROUP_SECONDS = 300;

interface Group {
  /** floor(expiresAt / GROUP_SECONDS) of every nonce in it. */
  span: number;
  /** key → expiresAt */
  nonces: Map<string, number>;
}

export class LiveNonces {
  /** Ascending by span. Records expire within 2 × the timestamp window: three or four groups. */
  private groups: Group[] = [];
  private count = 0;

  /** Nonces remembered, including those expired less than five minutes ago. */
  get size(): number {
    return this.count;
  }

  /** Whether `key` has a record that has not expired at `now`. */
  has(key: string, now: number): boolean {
    for (let i = this.groups.length - 1; i >= 0; i--) {
      const until = this.groups[i]!.nonces.get(key);
      if (until !== undefined && until >= now) return true;
    }
    return false;
  }

  add(key: string, expiresAt: number): void {
    const nonces = this.groupOf(expiresAt, true).nonces;
    if (!nonces.has(key)) this.count++;
    nonces.set(key, expiresAt);
  }

  /** Undoes add(key, expiresAt). */
  delete(key: string, expiresAt: number): void {
    if (this.groupOf(expiresAt, false)?.nonces.delete(key)) this.count--;
  }

  /** Drops every group whose span has passed at `now`. */
  forgetExpired(now: number): void {
    let drop = 0;
    while (drop < this.groups.length && (this.groups[drop]!.span + 1) * GROUP_SECONDS <= now) {
      this.count -= this.groups[drop]!.nonces.size;
      drop++;
    }
    if (drop > 0) this.groups.splice(0, drop);
  }

  private groupOf(expiresAt: number, create: true): Group;
  private groupOf(expiresAt: number, create: false): Group | undefined;
  private groupOf(expiresAt: number, create: boolean): Group | undefined {
    const span = Math.floor(expiresAt / GROUP_SECONDS);
    // Expiries mostly grow with time: search from the newest group.
    let i = this.groups.length - 1;
    while (i >= 0 && this.groups[i]!.span > span) i--;
    if (i >= 0 && this.groups[i]!.span === span) return this.groups[i];
    if (!create) return undefined;
    const group = { span, nonces: new Map<string, number>() };
    this.groups.splice(i + 1, 0, group);
    return group;
  }
}
