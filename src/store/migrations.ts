// The one set of migrations, for every dialect. Append only: never edit a released step.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { tagsAndPods } from './migration-0003.ts';

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
    '0002_inventory': { up: (db: Kysely<unknown>) => inventory(db, dialect) },
    '0003_tags_pods': { up: (db: Kysely<unknown>) => tagsAndPods(db, dialect) },
    // A counter every machine-store write bumps: long lists re-render only what changed.
    '0004_nodes_version': {
      up: (db: Kysely<unknown>) => db.schema.alterTable('nodes').addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute(),
    },
    // SQLite only: nonces move to an append-only journal (sqlite/nonce-journal.ts says why);
    // the recorded ones are carried over, so no nonce becomes usable again on upgrade. No
    // index and no AUTOINCREMENT: each would add a page to every commit (pruning keeps ids
    // increasing instead).
    '0005_sqlite_nonce_journal': {
      async up(db: Kysely<unknown>) {
        if (dialect !== 'sqlite') return;
        await sql`CREATE TABLE nonce_journal (
          id INTEGER PRIMARY KEY,
          consumer_key TEXT NOT NULL,
          token_key TEXT NOT NULL,
          nonce TEXT NOT NULL,
          expires_at BIGINT NOT NULL
        )`.execute(db);
        await sql`INSERT INTO nonce_journal (consumer_key, token_key, nonce, expires_at)
          SELECT consumer_key, token_key, nonce, expires_at FROM nonces ORDER BY expires_at`.execute(db);
        await sql`DROP TABLE nonces`.execute(db);
      },
    },
  };
}

/**
 * Machines and nodes (one table, node_type), their interfaces, block devices and IP
 * addresses, zones and resource pools (each with its `default` row: zone id 1, pool id 0, as
 * MAAS, spec/maas-resources.md §2.6.5, §2.10), and the schedule of simulated transitions
 * (DESIGN D7). Booleans are 0/1 integers and times whole seconds, as in 0001.
 */
async function inventory(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'serial' : 'integer';
  const pk = (c: import('kysely').ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('zones')
    .addColumn('id', id, pk)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('resource_pools')
    .addColumn('id', id, pk)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // The default zone takes the first id (1); the default pool is inserted as id 0, below any
  // id a sequence hands out, so PostgreSQL's serial never collides with it.
  await db.insertInto('zones' as never).values({ name: 'default', description: '' } as never).execute();
  await db.insertInto('resource_pools' as never).values({ id: 0, name: 'default', description: 'Default pool' } as never).execute();

  await db.schema
    .createTable('nodes')
    .addColumn('id', id, pk)
    .addColumn('system_id', 'text', (c) => c.notNull().unique())
    .addColumn('node_type', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hostname', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('architecture', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('min_hwe_kernel', 'text')
    .addColumn('hwe_kernel', 'text')
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('previous_status', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('zone_id', 'integer', (c) => c.notNull().references('zones.id'))
    .addColumn('pool_id', 'integer', (c) => c.references('resource_pools.id'))
    .addColumn('cpu_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cpu_speed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('memory', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('swap_size', 'bigint')
    .addColumn('power_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('power_state', 'text', (c) => c.notNull().defaultTo('unknown'))
    .addColumn('power_parameters', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('osystem', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('distro_series', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('agent_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('error_description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status_message', 'text')
    .addColumn('status_action', 'text')
    .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('netboot', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('enlisting', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ephemeral_deploy', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enable_hw_sync', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_dpu', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('commissioning_status', 'integer', (c) => c.notNull().defaultTo(-1))
    .addColumn('testing_status', 'integer', (c) => c.notNull().defaultTo(-1))
    .addColumn('owner_data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('hardware_info', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('hardware_uuid', 'text')
    .addColumn('bios_boot_method', 'text')
    .addColumn('dynamic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pod_id', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('nodes_status').on('nodes').columns(['node_type', 'status']).execute();
  await db.schema.createIndex('nodes_owner').on('nodes').column('owner_id').execute();

  await db.schema
    .createTable('interfaces')
    .addColumn('id', id, pk)
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('physical'))
    .addColumn('mac_address', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_boot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('link_connected', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('link_speed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('interface_speed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('vendor', 'text')
    .addColumn('product', 'text')
    .addColumn('firmware_version', 'text')
    .addColumn('numa_node', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('interfaces_node').on('interfaces').column('node_id').execute();
  await db.schema.createIndex('interfaces_mac').on('interfaces').column('mac_address').execute();

  await db.schema
    .createTable('block_devices')
    .addColumn('id', id, pk)
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('physical'))
    .addColumn('model', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('serial', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('id_path', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('block_size', 'integer', (c) => c.notNull().defaultTo(512))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('firmware_version', 'text')
    .addColumn('is_boot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('numa_node', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('block_devices_node').on('block_devices').column('node_id').execute();

  await db.schema
    .createTable('ip_addresses')
    .addColumn('id', id, pk)
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('interface_id', 'integer', (c) => c.notNull().references('interfaces.id').onDelete('cascade'))
    .addColumn('ip', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ip_addresses_node').on('ip_addresses').column('node_id').execute();

  // At most one pending simulated step per node; `advanceDue` claims a row by deleting it.
  await db.schema
    .createTable('node_transitions')
    .addColumn('node_id', 'integer', (c) => c.primaryKey().references('nodes.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_status', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('node_transitions_due').on('node_transitions').column('due_at').execute();
}

/** Migrates to the latest step, or (for upgrade tests) up to and including `target`. */
export async function migrate(db: Kysely<unknown>, dialect: Dialect, target?: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db, provider });
  const { error } = await (target === undefined ? migrator.migrateToLatest() : migrator.migrateTo(target));
  if (error) throw error;
  // Keep the query planner informed after schema changes (cheap on both dialects).
  await sql`analyze`.execute(db).catch(() => undefined);
}
