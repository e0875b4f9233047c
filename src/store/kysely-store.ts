// The Store over Kysely: the same queries for SQLite and PostgreSQL (DESIGN D6). What differs
// between dialects (connection, pragmas, error codes) is passed in by sqlite/ or postgres/.
import { timingSafeEqual } from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely, QueryResult, Selectable } from 'kysely';
import { DEFAULT_KEY_NAME, generateApiKeyParts, type RandomBytes } from '../model/index.ts';
import type { GrantCache } from './grant-cache.ts';
import { createMachineStore } from './machines.ts';
import { createNonceRecorder, type NonceRecorder } from './nonces.ts';
import { createPodStore } from './pods.ts';
import { createPoolStore } from './pools.ts';
import type { Database, UsersTable } from './schema.ts';
import { createTagStore } from './tags.ts';
import { createZoneStore } from './zones.ts';
import { type SecretBox, hashPassword, sessionDigest, verifyPassword } from './secrets.ts';
import {
  type ApiKey,
  type ApiKeyWithSecret,
  type KeyPartKind,
  type NewUser,
  type Session,
  type Store,
  type StoredSecret,
  StoreError,
  type TokenGrant,
  type User,
} from './types.ts';

export interface KyselyStoreDeps {
  kind: Store['kind'];
  db: Kysely<Database>;
  secrets: SecretBox;
  randomBytes: RandomBytes;
  /** Whole seconds since the epoch. */
  now: () => number;
  isUniqueViolation: (error: unknown) => boolean;
  /**
   * Token grants kept in memory (grant-cache.ts), for a dialect that can tell cheaply and
   * exactly when another connection has committed. Its nonce recorder must call lookElsewhere
   * inside each batch's transaction.
   */
  grantCache?: GrantCache;
  /** How this dialect records nonces, if not with the shared upsert (nonces.ts). */
  nonces?: NonceRecorder;
  close: () => Promise<void>;
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    isSuperuser: Boolean(row.is_superuser),
    isActive: Boolean(row.is_active),
    isLocal: Boolean(row.is_local),
    createdAt: Number(row.created_at),
  };
}

const KEY_COLUMNS = [
  'id',
  'user_id',
  'name',
  'consumer_key',
  'token_key',
  'created_at',
  'expires_at',
  'scope',
  'last_used_at',
  'secret_sealed',
] as const;

/**
 * Compiles a query once, with placeholder arguments, and runs it with real ones. Kysely builds
 * and compiles every query anew, which costs more than running it on SQLite; the queries on
 * every request's path (token lookup, nonce) are compiled once at startup instead. The SQL is
 * still Kysely's, for whichever dialect the store runs on.
 */
function precompile<R, A extends unknown[]>(
  db: Kysely<Database>,
  build: (...args: A) => Compilable<R>,
  arity: number,
): (...args: A) => Promise<QueryResult<R>> {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000arg${i}\u0000`);
  const compiled: CompiledQuery<R> = build(...(markers as A)).compile();
  const slots = compiled.parameters.map((p) => markers.indexOf(p as string));
  if (slots.filter((s) => s >= 0).length < arity) throw new Error('precompile: an argument is not a query parameter');
  return (...args) =>
    db.executeQuery<R>({ ...compiled, parameters: slots.map((slot, i) => (slot < 0 ? compiled.parameters[i] : args[slot])) });
}

/**
 * PostgreSQL text cannot hold NUL (it rejects the query: 22021), SQLite's can. No username, key
 * part or nonce maaskit stores contains one, so a lookup by such a string finds nothing, on
 * either dialect, without asking the database.
 */
const storable = (text: string) => !text.includes('\u0000');

/**
 * A token's secret as the verifier sees it. The first PLAINTEXT check goes through the digest
 * (DESIGN D2); once a presented secret has matched, or the secret was decrypted for an HMAC,
 * the grant knows it, and later checks of a cached grant are one constant-time comparison
 * instead of an HMAC or an AES decryption per request.
 */
function storedSecret(secrets: SecretBox, sealed: string, digest: string): StoredSecret {
  let known: Buffer | undefined;
  let revealed: string | undefined;
  return {
    matches(presented) {
      if (known === undefined) {
        if (!secrets.digestMatches(presented, digest)) return false;
        known = Buffer.from(presented, 'utf8');
        return true;
      }
      const candidate = Buffer.from(presented, 'utf8');
      return candidate.length === known.length && timingSafeEqual(candidate, known);
    },
    reveal() {
      revealed ??= secrets.open(sealed);
      known ??= Buffer.from(revealed, 'utf8');
      return revealed;
    },
  };
}

export function createKyselyStore(deps: KyselyStoreDeps): Store {
  const { secrets } = deps;
  const grants = deps.grantCache;
  // Users and keys are written only here, through this instance: the cache sees every write.
  const db = grants ? deps.db.withPlugin(grants.plugin) : deps.db;

  const tokenGrantQuery = precompile(
    db,
    (tokenKey: string) =>
      db
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .select([
          'api_keys.token_key',
          'api_keys.consumer_key',
          'api_keys.secret_sealed',
          'api_keys.secret_digest',
          'users.id',
          'users.username',
          'users.email',
          'users.password_hash',
          'users.is_superuser',
          'users.is_active',
          'users.is_local',
          'users.created_at',
        ])
        .where('api_keys.token_key', '=', tokenKey),
    1,
  );

  async function loadTokenGrant(tokenKey: string): Promise<TokenGrant | undefined> {
    const [row] = (await tokenGrantQuery(tokenKey)).rows;
    if (!row) return undefined;
    return {
      tokenKey: row.token_key,
      consumerKey: row.consumer_key,
      secret: storedSecret(secrets, row.secret_sealed, row.secret_digest),
      user: toUser(row),
    };
  }

  const nonces = deps.nonces ?? createNonceRecorder(deps.db, deps.now);

  function toKey(row: Pick<Selectable<Database['api_keys']>, (typeof KEY_COLUMNS)[number]>): ApiKeyWithSecret {
    const key: ApiKey = {
      id: Number(row.id),
      userId: Number(row.user_id),
      name: row.name,
      consumerKey: row.consumer_key,
      tokenKey: row.token_key,
      createdAt: Number(row.created_at),
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      scope: row.scope,
      lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    };
    return { ...key, tokenSecret: secrets.open(row.secret_sealed) };
  }

  async function insertKey(userId: number, name: string): Promise<ApiKeyWithSecret> {
    // 18+18 random characters make a collision astronomically unlikely; retry anyway, since
    // the unique indexes would otherwise turn one into an error.
    for (let attempt = 0; ; attempt++) {
      const parts = generateApiKeyParts(deps.randomBytes);
      try {
        const row = await db
          .insertInto('api_keys')
          .values({
            user_id: userId,
            name,
            consumer_key: parts.consumerKey,
            token_key: parts.tokenKey,
            secret_sealed: secrets.seal(parts.tokenSecret),
            secret_digest: secrets.digest(parts.tokenSecret),
            created_at: deps.now(),
            expires_at: null,
            scope: null,
            last_used_at: null,
          })
          .returning(KEY_COLUMNS)
          .executeTakeFirstOrThrow();
        return toKey(row);
      } catch (error) {
        if (!deps.isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  return {
    ...createMachineStore(deps),
    ...createTagStore(deps),
    ...createZoneStore(deps),
    ...createPoolStore(deps),
    ...createPodStore(deps),
    kind: deps.kind,

    async countUsers() {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async createUser(user: NewUser) {
      const passwordHash = hashPassword(user.password, deps.randomBytes);
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await trx
            .insertInto('users')
            .values({
              username: user.username,
              email: user.email,
              password_hash: passwordHash,
              is_superuser: user.isSuperuser ? 1 : 0,
              is_active: 1,
              is_local: 1,
              created_at: deps.now(),
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const created = toUser(row);
          // As in MAAS, every new user gets one key named "MAAS consumer" (spec/maas-auth.md §4.3).
          const parts = generateApiKeyParts(deps.randomBytes);
          await trx
            .insertInto('api_keys')
            .values({
              user_id: created.id,
              name: DEFAULT_KEY_NAME,
              consumer_key: parts.consumerKey,
              token_key: parts.tokenKey,
              secret_sealed: secrets.seal(parts.tokenSecret),
              secret_digest: secrets.digest(parts.tokenSecret),
              created_at: deps.now(),
              expires_at: null,
              scope: null,
              last_used_at: null,
            })
            .execute();
          return created;
        });
      } catch (error) {
        if (deps.isUniqueViolation(error)) {
          throw new StoreError('ERR_STORE_DUPLICATE', `A user with the username ${user.username} already exists.`, {
            cause: error,
          });
        }
        throw error;
      }
    },

    async findUser(username) {
      if (!storable(username)) return undefined;
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && toUser(row);
    },

    async findUserById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async listUsers() {
      const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
      return rows.map(toUser);
    },

    async deleteUser(username) {
      if (!storable(username)) return false;
      const user = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
      if (!user) return false;
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
        await trx.deleteFrom('api_keys').where('user_id', '=', user.id).execute();
        await trx.deleteFrom('users').where('id', '=', user.id).execute();
      });
      return true;
    },

    async setUserActive(username, active) {
      if (!storable(username)) return false;
      const result = await db
        .updateTable('users')
        .set({ is_active: active ? 1 : 0 })
        .where('username', '=', username)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async checkPassword(username, password) {
      if (!storable(username)) return undefined;
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      if (!row?.is_active || !verifyPassword(password, row.password_hash)) return undefined;
      return toUser(row);
    },

    createApiKey: insertKey,

    async listApiKeys(userId) {
      const rows = await db
        .selectFrom('api_keys')
        .select(KEY_COLUMNS)
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute();
      return rows.map(toKey);
    },

    async deleteApiKey(userId, tokenKey) {
      if (!storable(tokenKey)) return false;
      const result = await db
        .deleteFrom('api_keys')
        .where('user_id', '=', userId)
        .where('token_key', '=', tokenKey)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async renameApiKey(userId, tokenKey, name) {
      if (!storable(tokenKey)) return false;
      const result = await db
        .updateTable('api_keys')
        .set({ name })
        .where('user_id', '=', userId)
        .where('token_key', '=', tokenKey)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async consumerExists(consumerKey) {
      if (!storable(consumerKey)) return false;
      const row = await db
        .selectFrom('api_keys')
        .select('id')
        .where('consumer_key', '=', consumerKey)
        .executeTakeFirst();
      return row !== undefined;
    },

    async findTokenGrant(tokenKey): Promise<TokenGrant | undefined> {
      if (!storable(tokenKey)) return undefined;
      return grants ? grants.find(tokenKey, loadTokenGrant) : loadTokenGrant(tokenKey);
    },

    async recallTokenGrant(tokenKey): Promise<TokenGrant | undefined> {
      if (!storable(tokenKey)) return undefined;
      return grants ? grants.recall(tokenKey, loadTokenGrant) : loadTokenGrant(tokenKey);
    },

    // Without a cache every grant was read from the database when it was asked for.
    isCurrentGrant: (grant) => !grants || grants.isCurrent(grant),

    async keyPartKind(value): Promise<KeyPartKind> {
      if (!storable(value)) return undefined;
      const row = await db
        .selectFrom('api_keys')
        .select(['consumer_key', 'token_key'])
        .where((eb) => eb.or([eb('consumer_key', '=', value), eb('token_key', '=', value)]))
        .executeTakeFirst();
      if (!row) return undefined;
      return row.consumer_key === value ? 'consumer_key' : 'token_key';
    },

    async useNonce(consumerKey, tokenKey, nonce, expiresAt) {
      // Unrecordable, so it cannot be checked for reuse: refused as if it had been used.
      if (!storable(nonce) || !storable(consumerKey) || !storable(tokenKey)) return false;
      return nonces.use(consumerKey, tokenKey, nonce, expiresAt);
    },

    pruneNonces: (now) => nonces.prune(now),

    async createSession(sessionId, session: Session) {
      await db
        .insertInto('sessions')
        .values({
          id_digest: sessionDigest(sessionId),
          user_id: session.userId,
          csrf_token: session.csrfToken,
          created_at: deps.now(),
          expires_at: session.expiresAt,
        })
        .execute();
    },

    async findSession(sessionId, now) {
      const row = await db
        .selectFrom('sessions')
        .select(['user_id', 'csrf_token', 'expires_at'])
        .where('id_digest', '=', sessionDigest(sessionId))
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && { userId: Number(row.user_id), csrfToken: row.csrf_token, expiresAt: Number(row.expires_at) };
    },

    async deleteSession(sessionId) {
      await db.deleteFrom('sessions').where('id_digest', '=', sessionDigest(sessionId)).execute();
    },

    async pruneSessions(now) {
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    close: deps.close,
  };
}
