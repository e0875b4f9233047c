// Table types for Kysely. Booleans are integers (0/1) and times are whole seconds since the
// epoch, so that one set of queries serves SQLite and PostgreSQL alike.
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  is_superuser: number;
  is_active: number;
  is_local: number;
  created_at: number;
}

/** One row per API key: MAAS's consumer and token, which it keeps 1:1. */
export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  consumer_key: string;
  token_key: string;
  /** AES-256-GCM sealed token secret (base64). */
  secret_sealed: string;
  /** HMAC-SHA256 digest of the token secret (base64), for PLAINTEXT checks. */
  secret_digest: string;
  created_at: number;
  expires_at: number | null;
  scope: string | null;
  last_used_at: number | null;
}

export interface NoncesTable {
  consumer_key: string;
  token_key: string;
  nonce: string;
  expires_at: number;
}

export interface SessionsTable {
  id_digest: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  nonces: NoncesTable;
  sessions: SessionsTable;
}
