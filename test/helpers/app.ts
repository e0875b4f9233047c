// An in-process maaskit for tests: createApp over a fresh SQLite file, a settable fake clock,
// seeded randomness, and a signer for the admin's key (STYLE 4, 9).
//
// MAASKIT_TEST_BACKEND=postgres puts each test store in a fresh PostgreSQL database instead
// (test/helpers/postgres.ts; dropped when the store is closed), so the in-process API suite
// runs on both backends (.ci/run). A test that needs SQLite itself skips with `sqliteOnly`.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type ApiKeyParts, type RandomBytes, splitApiKey } from '../../src/model/index.ts';
import { type SignatureMethod, signRequest } from '../../src/oauth/index.ts';
import { type AppDeps, createApp } from '../../src/server/app.ts';
import { openPostgresStore, openSqliteStore, type Store, type User } from '../../src/store/index.ts';

/** Deterministic bytes: SHA-256 in counter mode over a seed. Tests only. */
export function seededRandom(seed = 'maaskit-tests'): RandomBytes {
  let counter = 0;
  return (size) => {
    const out = Buffer.alloc(size);
    for (let at = 0; at < size; at += 32) {
      createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, at);
    }
    return out;
  };
}

export class FakeClock {
  constructor(public seconds = 1_800_000_000) {}
  nowSeconds(): number {
    return this.seconds;
  }
  advance(seconds: number): void {
    this.seconds += seconds;
  }
}

export const TEST_SECRET_KEY = Buffer.alloc(32, 7);

const backendName = process.env['MAASKIT_TEST_BACKEND'] ?? 'sqlite';
if (backendName !== 'sqlite' && backendName !== 'postgres') {
  throw new Error(`MAASKIT_TEST_BACKEND must be sqlite or postgres, not ${JSON.stringify(backendName)}`);
}
/** The backend of openTestStore and createTestApp: MAASKIT_TEST_BACKEND, default sqlite. */
export const TEST_BACKEND: Store['kind'] = backendName;

/** For `test(name, { skip: sqliteOnly }, …)`: a test that reads or writes the SQLite file itself. */
export const sqliteOnly: string | false =
  TEST_BACKEND === 'sqlite' ? false : 'works on the SQLite file itself; MAASKIT_TEST_BACKEND=postgres';

async function openPostgresTestStore(clock: FakeClock, random: RandomBytes): Promise<Store> {
  const { createTestDatabase, postgresUnavailable } = await import('./postgres.ts');
  const reason = postgresUnavailable();
  if (reason !== undefined) throw new Error(`MAASKIT_TEST_BACKEND=postgres, but ${reason}`);
  const database = await createTestDatabase();
  const store = await openPostgresStore({
    url: database.url,
    secretKey: TEST_SECRET_KEY,
    randomBytes: random,
    now: () => clock.nowSeconds(),
  });
  const close = store.close;
  store.close = async () => {
    await close();
    await database.drop();
  };
  return store;
}

/**
 * A fresh, empty store on the test backend, and a temp dir for the caller to remove (the
 * SQLite file's; empty on PostgreSQL, whose database is dropped by store.close()).
 */
export async function openTestStore(clock: FakeClock, random: RandomBytes = seededRandom()): Promise<{ store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'maaskit-store-'));
  if (TEST_BACKEND === 'postgres') return { store: await openPostgresTestStore(clock, random), dir };
  const store = await openSqliteStore({
    file: join(dir, 'maaskit.db'),
    secretKey: TEST_SECRET_KEY,
    randomBytes: random,
    now: () => clock.nowSeconds(),
  });
  return { store, dir };
}

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  clock: FakeClock;
  admin: User;
  adminKey: ApiKeyParts;
  /** Creates a user (not admin unless asked) and returns it with its first key. */
  addUser(username: string, options?: { admin?: boolean; password?: string }): Promise<{ user: User; key: ApiKeyParts }>;
  /** An Authorization header for `key` (default: the admin's), fresh nonce each call. */
  sign(method: string, path: string, options?: SignOptions): string;
  close(): Promise<void>;
}

export interface SignOptions {
  key?: ApiKeyParts;
  signatureMethod?: SignatureMethod;
  formParams?: Array<[string, string]>;
  timestamp?: number;
  nonce?: string;
  consumerSecret?: string;
}

export const TEST_ORIGIN = 'http://localhost:80';

export async function createTestApp(deps: Partial<AppDeps> = {}): Promise<TestApp> {
  const clock = new FakeClock();
  const random = seededRandom();
  const { store, dir } = await openTestStore(clock, random);
  const admin = await store.createUser({ username: 'admin', email: 'admin@example.com', password: 'admin-pw', isSuperuser: true });
  const [first] = await store.listApiKeys(admin.id);
  const app = createApp({ store, clock, randomBytes: random, logger: false, ...deps });
  await app.ready();
  let nonce = 0;
  const adminKey = splitApiKey(`${first!.consumerKey}:${first!.tokenKey}:${first!.tokenSecret}`)!;
  return {
    app,
    store,
    clock,
    admin,
    adminKey,
    async addUser(username, options = {}) {
      const user = await store.createUser({
        username,
        email: `${username}@example.com`,
        password: options.password ?? `${username}-pw`,
        isSuperuser: options.admin ?? false,
      });
      const [k] = await store.listApiKeys(user.id);
      return { user, key: { consumerKey: k!.consumerKey, tokenKey: k!.tokenKey, tokenSecret: k!.tokenSecret } };
    },
    sign(method, path, options = {}) {
      const key = options.key ?? adminKey;
      return signRequest({
        method,
        // inject() sends Host: localhost:80, which the server uses for the HMAC base string.
        url: `${TEST_ORIGIN}${path}`,
        consumerKey: key.consumerKey,
        tokenKey: key.tokenKey,
        tokenSecret: key.tokenSecret,
        signatureMethod: options.signatureMethod ?? 'PLAINTEXT',
        timestamp: options.timestamp ?? clock.nowSeconds(),
        nonce: options.nonce ?? `nonce-${++nonce}`,
        ...(options.formParams ? { formParams: options.formParams } : {}),
        ...(options.consumerSecret !== undefined ? { consumerSecret: options.consumerSecret } : {}),
      });
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
