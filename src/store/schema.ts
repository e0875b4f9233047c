// Table types for Kysely. Booleans are integers (0/1) and times are whole seconds since the
// epoch, so that one set of queries serves SQLite and PostgreSQL alike.
import type { Generated } from 'kysely';
import type { GroupTables } from './schema-groups.ts';

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

export interface Database extends InventoryTables, GroupTables {
  users: UsersTable;
  api_keys: ApiKeysTable;
  nonces: NoncesTable;
  sessions: SessionsTable;
}

// Inventory (migration 0002_inventory).

export interface ZonesTable {
  id: Generated<number>;
  name: string;
  description: string;
  created_at: Generated<number>;
  updated_at: Generated<number>;
}

export interface ResourcePoolsTable {
  id: Generated<number>;
  name: string;
  description: string;
  created_at: Generated<number>;
  updated_at: Generated<number>;
}

/** Machines and every other node type (node_type, spec/maas-resources.md §3.1). */
export interface NodesTable {
  id: Generated<number>;
  system_id: string;
  node_type: number;
  hostname: string;
  description: string;
  architecture: string;
  min_hwe_kernel: string | null;
  hwe_kernel: string | null;
  status: number;
  previous_status: number;
  owner_id: number | null;
  zone_id: number;
  pool_id: number | null;
  cpu_count: number;
  cpu_speed: number;
  memory: number;
  swap_size: number | null;
  power_type: string;
  power_state: string;
  /** JSON object. */
  power_parameters: string;
  osystem: string;
  distro_series: string;
  agent_name: string;
  error_description: string;
  status_message: string | null;
  status_action: string | null;
  locked: number;
  netboot: number;
  /** An enlisting NEW machine returns to NEW after commissioning (spec §2.6.2). */
  enlisting: number;
  ephemeral_deploy: number;
  enable_hw_sync: number;
  is_dpu: number;
  commissioning_status: number;
  testing_status: number;
  /** JSON object<string,string>. */
  owner_data: string;
  /** JSON object<string,string>. */
  hardware_info: string;
  hardware_uuid: string | null;
  bios_boot_method: string | null;
  /** Composed by a pod and deleted on release. */
  dynamic: number;
  pod_id: number | null;
  created_at: number;
  updated_at: number;
  /** Bumped by every write of src/store/machines.ts (migration 0004). */
  version: Generated<number>;
}

export interface InterfacesTable {
  id: Generated<number>;
  node_id: number;
  name: string;
  type: string;
  mac_address: string;
  enabled: number;
  is_boot: number;
  link_connected: number;
  link_speed: number;
  interface_speed: number;
  vendor: string | null;
  product: string | null;
  firmware_version: string | null;
  numa_node: number;
}

export interface BlockDevicesTable {
  id: Generated<number>;
  node_id: number;
  name: string;
  type: string;
  model: string;
  serial: string;
  id_path: string | null;
  size: number;
  block_size: number;
  /** JSON string[]. */
  tags: string;
  firmware_version: string | null;
  is_boot: number;
  numa_node: number;
}

export interface IpAddressesTable {
  id: Generated<number>;
  node_id: number;
  interface_id: number;
  ip: string;
  created_at: number;
}

export interface NodeTransitionsTable {
  node_id: number;
  kind: string;
  from_status: number;
  due_at: number;
  created_at: number;
}

export interface InventoryTables {
  zones: ZonesTable;
  resource_pools: ResourcePoolsTable;
  nodes: NodesTable;
  interfaces: InterfacesTable;
  block_devices: BlockDevicesTable;
  ip_addresses: IpAddressesTable;
  node_transitions: NodeTransitionsTable;
}
