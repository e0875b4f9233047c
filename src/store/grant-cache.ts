// Token grants kept in memory. Every signed request looks up its token (the key's row and its
// user); on SQLite that query costs more than the rest of the OAuth check, and grants change
// rarely. A cached grant is used only while nothing that could change it has been committed:
// - by this process: every write query of the store that owns the cache (a Kysely plugin, so
//   a new write method cannot forget it) drops the whole cache;
// - by another process (the admin CLI next to `serve`): `changedElsewhere` — on SQLite,
//   PRAGMA data_version, which changes whenever another connection commits — drops it too.
//   `find` asks before every lookup. Asking costs ~2 µs on its own and ~8 µs inside a loaded
//   server (a read transaction: lock syscalls), so the auth check uses `recall`, which does
//   not ask, and has the grant confirmed afterwards: the request's nonce batch asks inside its
//   own write transaction (`lookElsewhere`, ~70 ns there), and `isCurrent` then says whether
//   the recalled grant survived. A request is thus judged on what was committed when its nonce
//   was, which is after it arrived: a write by another handle is still seen by every request
//   that comes after it.
// A lookup that raced a write is returned but not kept. Misses are not cached, so a new key
// works at once. Without a change signal (PostgreSQL) there is no cache.
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { TokenGrant } from './types.ts';

/** Enough for every key of a large site; past it the oldest entry makes room. */
const MAX_GRANTS = 10_000;

type Load = (tokenKey: string) => Promise<TokenGrant | undefined>;

export interface GrantCache {
  /** The grant as committed now: other processes' commits are looked for first. */
  find(tokenKey: string, load: Load): Promise<TokenGrant | undefined>;
  /** The grant as this process last knew it: a hit does not look for other processes' commits. */
  recall(tokenKey: string, load: Load): Promise<TokenGrant | undefined>;
  /** Whether `grant` is still the one cached: nothing seen since could have changed it. */
  isCurrent(grant: TokenGrant): boolean;
  /** Looks for other processes' commits now (cheap inside a transaction). */
  lookElsewhere(): void;
  /** Kysely plugin: drops the cache after every statement that is not a SELECT. */
  plugin: KyselyPlugin;
}

export function createGrantCache(changedElsewhere: () => boolean): GrantCache {
  const grants = new Map<string, TokenGrant>();
  let generation = 0;
  const invalidate = () => {
    generation++;
    grants.clear();
  };
  /** The generation current as of now, after looking for other processes' commits. */
  const current = () => {
    if (changedElsewhere()) invalidate();
    return generation;
  };

  const writes = new WeakSet<QueryId>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      if (node.kind !== 'SelectQueryNode') writes.add(queryId);
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      // After the statement ran: a lookup that started before it cannot be kept.
      if (writes.has(queryId)) invalidate();
      return result;
    },
  };

  async function find(tokenKey: string, load: Load) {
    const before = current();
    const hit = grants.get(tokenKey);
    if (hit) return hit;
    const grant = await load(tokenKey);
    if (grant && current() === before) {
      if (grants.size >= MAX_GRANTS) grants.delete(grants.keys().next().value as string);
      grants.set(tokenKey, grant);
    }
    return grant;
  }

  return {
    plugin,
    find,
    recall: (tokenKey, load) => {
      const hit = grants.get(tokenKey);
      return hit ? Promise.resolve(hit) : find(tokenKey, load);
    },
    isCurrent: (grant) => grants.get(grant.tokenKey) === grant,
    lookElsewhere: current,
  };
}
