// Token grants kept in memory. Every signed request looks up its token (the key's row and its
// user); on SQLite that query costs more than the rest of the OAuth check, and grants change
// rarely. A cached grant is used only while nothing that could change it has been committed:
// - by this process: every write query of the store that owns the cache (a Kysely plugin, so
//   a new write method cannot forget it) drops the whole cache;
// - by another process (the admin CLI next to `serve`): `changedElsewhere` — on SQLite,
//   PRAGMA data_version, which changes whenever another connection commits — drops it too.
//   Asked on every lookup (~2 µs): asking once per event-loop turn saved too little to give
//   up "a write by another handle is seen by the very next lookup".
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

export interface GrantCache {
  find(tokenKey: string, load: (tokenKey: string) => Promise<TokenGrant | undefined>): Promise<TokenGrant | undefined>;
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

  return {
    plugin,
    async find(tokenKey, load) {
      const before = current();
      const hit = grants.get(tokenKey);
      if (hit) return hit;
      const grant = await load(tokenKey);
      if (grant && current() === before) {
        if (grants.size >= MAX_GRANTS) grants.delete(grants.keys().next().value as string);
        grants.set(tokenKey, grant);
      }
      return grant;
    },
  };
}
