// Table types of migration 0003_tags_pods (src/store/migration-0003.ts): tags and their node
// links, VM hosts (pods) and the disks they gave composed machines. Booleans are 0/1 integers,
// times whole seconds, lists JSON text, as everywhere (DESIGN D6).
import type { Generated } from 'kysely';

export interface TagsTable {
  id: Generated<number>;
  name: string;
  definition: string;
  comment: string;
  kernel_opts: string;
  created_at: number;
  updated_at: number;
}

export interface NodeTagsTable {
  node_id: number;
  tag_id: number;
}

export interface PodsTable {
  id: Generated<number>;
  name: string;
  type: string;
  /** In the clear, for the "same type and parameters" check (spec §2.7). */
  power_address: string;
  /** The whole power-parameter object as JSON, sealed under the server key (DESIGN D2). */
  power_sealed: string;
  zone_id: number;
  pool_id: number;
  /** JSON string[]. */
  tags: string;
  cpu_over_commit_ratio: number;
  memory_over_commit_ratio: number;
  /** id of one of storage_pools. */
  default_storage_pool: string;
  default_macvlan_mode: string | null;
  cores: number;
  memory: number;
  cpu_speed: number;
  /** JSON string[]. */
  architectures: string;
  /** JSON string[]. */
  capabilities: string;
  /** JSON [{id, name, type, path, total}]. */
  storage_pools: string;
  version: string;
  created_at: number;
  updated_at: number;
}

/** A disk a pod gave one of its composed machines: what the pod's storage pools have used. */
export interface PodDisksTable {
  id: Generated<number>;
  pod_id: number;
  node_id: number;
  storage_pool: string;
  size: number;
}

export interface GroupTables {
  tags: TagsTable;
  node_tags: NodeTagsTable;
  pods: PodsTable;
  pod_disks: PodDisksTable;
}
