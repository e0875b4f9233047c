// Persistence behind the Store interface (DESIGN D6).
export { createSecretBox, hashPassword, type SecretBox, verifyPassword } from './secrets.ts';
export { loadOrCreateKeyFile, parseSecretKey } from './secret-key.ts';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite/index.ts';
export * from './types.ts';
