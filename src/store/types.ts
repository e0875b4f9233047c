// The Store interface, in domain terms. Implementations: sqlite/ (default) and postgres/.
// Both run the same Kysely queries and migrations (DESIGN D6).
import type { MachineStore } from './machines.ts';
import type { PodStore } from './pods.ts';
import type { PoolStore } from './pools.ts';
import type { TagStore } from './tags.ts';
import type { ZoneStore } from './zones.ts';

export interface User {
  id: number;
  username: string;
  email: string;
  isSuperuser: boolean;
  isActive: boolean;
  isLocal: boolean;
  createdAt: number;
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  isSuperuser: boolean;
}

/** One API key: a consumer and its token (MAAS keeps them 1:1, spec/maas-auth.md §4.1). */
export interface ApiKey {
  id: number;
  userId: number;
  name: string;
  consumerKey: string;
  tokenKey: string;
  createdAt: number;
  /** Room for later issues: expiry, scope and last use. Not enforced yet. */
  expiresAt: number | null;
  scope: string | null;
  lastUsedAt: number | null;
}

export interface ApiKeyWithSecret extends ApiKey {
  tokenSecret: string;
}

/** A secret checkable in constant time, revealed only when an HMAC needs it. */
export interface StoredSecret {
  matches(presented: string): boolean;
  reveal(): string;
}

/** What authentication needs to know about a token, in one lookup. */
export interface TokenGrant {
  tokenKey: string;
  consumerKey: string;
  secret: StoredSecret;
  user: User;
}

export interface Session {
  userId: number;
  csrfToken: string;
  expiresAt: number;
}

/** Which part of some API key a string is, for diagnostics (DESIGN D3). */
export type KeyPartKind = 'consumer_key' | 'token_key' | undefined;

export type StoreErrorCode =
  | 'ERR_STORE_DUPLICATE'
  | 'ERR_STORE_UNAVAILABLE'
  /** Too much to remember right now (SQLite's nonce set is full); retry shortly. */
  | 'ERR_STORE_BUSY'
  | 'ERR_STORE_SECRET_KEY'
  /** Text the database cannot hold (PostgreSQL: a NUL character). */
  | 'ERR_STORE_INVALID_TEXT';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Machines (src/store/machines.ts); tags, zones, pools and VM hosts: src/store/tags.ts, zones.ts, pools.ts, pods.ts. */
export interface Store extends MachineStore, TagStore, ZoneStore, PoolStore, PodStore {
  readonly kind: 'sqlite' | 'postgres';

  countUsers(): Promise<number>;
  /** @throws StoreError ERR_STORE_DUPLICATE when the username is taken. */
  createUser(user: NewUser): Promise<User>;
  findUser(username: string): Promise<User | undefined>;
  findUserById(id: number): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** Deletes the user and their keys and sessions; false if there was none. */
  deleteUser(username: string): Promise<boolean>;
  /**
   * Activates or deactivates a user; false if there is none. An inactive user's keys are
   * refused (403) and their password no longer logs in; keys and sessions are kept.
   */
  setUserActive(username: string, active: boolean): Promise<boolean>;
  /** The user if the password is right and the user is active. */
  checkPassword(username: string, password: string): Promise<User | undefined>;

  /** Creates a key (DESIGN D5: fresh random parts) for the user. */
  createApiKey(userId: number, name: string): Promise<ApiKeyWithSecret>;
  /** The user's keys, ordered by creation, with their secrets (MAAS lists them in full). */
  listApiKeys(userId: number): Promise<ApiKeyWithSecret[]>;
  deleteApiKey(userId: number, tokenKey: string): Promise<boolean>;
  renameApiKey(userId: number, tokenKey: string, name: string): Promise<boolean>;

  consumerExists(consumerKey: string): Promise<boolean>;
  findTokenGrant(tokenKey: string): Promise<TokenGrant | undefined>;
  /**
   * For the auth check: like findTokenGrant, but it may answer what this process last knew
   * without first looking for other processes' commits. Before acting on the grant, confirm it:
   * after a later useNonce has resolved (which looks for them), with isCurrentGrant; otherwise
   * by looking it up again with findTokenGrant.
   */
  recallTokenGrant(tokenKey: string): Promise<TokenGrant | undefined>;
  /** False if something committed since `grant` was recalled may have changed it. */
  isCurrentGrant(grant: TokenGrant): boolean;
  keyPartKind(value: string): Promise<KeyPartKind>;

  /**
   * Records a nonce for (consumer, token) until `expiresAt`; false if it is already recorded
   * and not yet expired. Atomic across processes sharing the database. Once it has resolved true,
   * this process has seen every commit made before the nonce's (see recallTokenGrant).
   */
  useNonce(consumerKey: string, tokenKey: string, nonce: string, expiresAt: number): Promise<boolean>;
  pruneNonces(now: number): Promise<number>;

  /** Stores a session under a digest of its id (the id itself is never stored). */
  createSession(sessionId: string, session: Session): Promise<void>;
  findSession(sessionId: string, now: number): Promise<Session | undefined>;
  deleteSession(sessionId: string): Promise<void>;
  pruneSessions(now: number): Promise<number>;

  close(): Promise<void>;
}
