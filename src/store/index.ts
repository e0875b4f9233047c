// Persistence behind the Store interface (DESIGN D6).
export { createSecretBox, hashPassword, type SecretBox, verifyPassword } from './secrets.ts';
export { loadOrCreateKeyFile, parseSecretKey } from './secret-key.ts';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite/index.ts';
export type { PostgresPoolSettings, PostgresStoreOptions } from './postgres/index.ts';

/** Opens the PostgreSQL store; `pg` is loaded only when PostgreSQL is used. */
export async function openPostgresStore(
  options: import('./postgres/index.ts').PostgresStoreOptions,
): Promise<import('./types.ts').Store> {
  const postgres = await import('./postgres/index.ts');
  return postgres.openPostgresStore(options);
}
export * from './types.ts';
export type { MachineStore, NewNode, NodeFilter, NodeUpdate, PendingTransition, StepExpectation } from './machines.ts';
export type { NewPod, Pod, PodHost, PodSettings, PodStoragePool, PodUsage } from './pods.ts';
export type { ResourcePool } from './pools.ts';
export type { Tag, TagFields } from './tags.ts';
export type { Zone } from './zones.ts';
