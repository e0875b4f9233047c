// Migration 0003_tags_pods: tags and node↔tag links (spec/maas-resources.md §2.8), VM hosts
// and the disks they compose (§2.7). nodes.pod_id (0002) links a composed machine to its pod.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from './migrations.ts';

export async function tagsAndPods(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'serial' : 'integer';
  const pk = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('tags')
    .addColumn('id', id, pk)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('definition', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kernel_opts', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('node_tags')
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('node_tags_pk', ['node_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('node_tags_tag').on('node_tags').column('tag_id').execute();

  await db.schema
    .createTable('pods')
    .addColumn('id', id, pk)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('power_address', 'text', (c) => c.notNull())
    .addColumn('power_sealed', 'text', (c) => c.notNull())
    .addColumn('zone_id', 'integer', (c) => c.notNull().references('zones.id'))
    .addColumn('pool_id', 'integer', (c) => c.notNull().references('resource_pools.id'))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cpu_over_commit_ratio', 'double precision', (c) => c.notNull().defaultTo(1))
    .addColumn('memory_over_commit_ratio', 'double precision', (c) => c.notNull().defaultTo(1))
    .addColumn('default_storage_pool', 'text', (c) => c.notNull())
    .addColumn('default_macvlan_mode', 'text')
    .addColumn('cores', 'integer', (c) => c.notNull())
    .addColumn('memory', 'integer', (c) => c.notNull())
    .addColumn('cpu_speed', 'integer', (c) => c.notNull())
    .addColumn('architectures', 'text', (c) => c.notNull())
    .addColumn('capabilities', 'text', (c) => c.notNull())
    .addColumn('storage_pools', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('pod_disks')
    .addColumn('id', id, pk)
    .addColumn('pod_id', 'integer', (c) => c.notNull().references('pods.id').onDelete('cascade'))
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('storage_pool', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pod_disks_pod').on('pod_disks').column('pod_id').execute();
  await db.schema.createIndex('nodes_pod').on('nodes').column('pod_id').execute();
}
