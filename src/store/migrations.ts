// The one set of migrations, for every dialect. Append only: never edit a released step.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

function migrations(dialect: Dialect): Record<string, Migration> {
  // The only dialect difference: how an auto-incrementing primary key is spelled.
  const id = dialect === 'postgres' ? 'serial' : 'integer';
  return {
    '0001_auth': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', id, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('is_superuser', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('is_local', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('api_keys')
          .addColumn('id', id, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('consumer_key', 'text', (c) => c.notNull().unique())
          .addColumn('token_key', 'text', (c) => c.notNull().unique())
          .addColumn('secret_sealed', 'text', (c) => c.notNull())
          .addColumn('secret_digest', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('scope', 'text')
          .addColumn('last_used_at', 'bigint')
          .execute();
        await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();
        await db.schema
          .createTable('nonces')
          .addColumn('consumer_key', 'text', (c) => c.notNull())
          .addColumn('token_key', 'text', (c) => c.notNull())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('nonces_pk', ['consumer_key', 'token_key', 'nonce'])
          .execute();
        await db.schema.createIndex('nonces_expiry').on('nonces').column('expires_at').execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_digest', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();
      },
    },
  };
}

export async function migrate(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
  // Keep the query planner informed after schema changes (cheap on both dialects).
  await sql`analyze`.execute(db).catch(() => undefined);
}
