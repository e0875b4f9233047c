// The MAAS JSON shapes the typed resources return (spec/maas-resources.md). Field names are
// MAAS's; each shape lists the fields clients read and keeps the rest through an index signature.
export type { TokenJson, TokenListEntry, UserJson, VersionJson } from '../model/index.ts';

/** A reference to another object, as MAAS nests it. */
export interface ZoneJson {
  id: number;
  name: string;
  description: string;
  resource_uri: string;
  [field: string]: unknown;
}

export interface ResourcePoolJson {
  id: number;
  name: string;
  description: string;
  resource_uri: string;
  [field: string]: unknown;
}

export interface TagJson {
  name: string;
  definition: string;
  comment: string;
  kernel_opts: string;
  resource_uri: string;
  [field: string]: unknown;
}

/** spec/maas-resources.md §2.6.5 (the fields most clients read). */
export interface MachineJson {
  system_id: string;
  hostname: string;
  fqdn: string;
  description: string;
  owner: string | null;
  architecture: string;
  cpu_count: number;
  memory: number;
  status: number;
  status_name: string;
  status_message: string | null;
  osystem: string;
  distro_series: string;
  power_type: string;
  power_state: string;
  tag_names: string[];
  ip_addresses: string[];
  zone: ZoneJson;
  pool: ResourcePoolJson;
  locked: boolean;
  node_type: number;
  resource_uri: string;
  [field: string]: unknown;
}

/** A node of any type (machine, device, controller). */
export interface NodeJson {
  system_id: string;
  hostname: string;
  node_type: number;
  resource_uri: string;
  [field: string]: unknown;
}

export interface PodResources {
  cores: number;
  memory: number;
  local_storage: number;
}

/** spec/maas-resources.md §2.7 */
export interface PodJson {
  id: number;
  name: string;
  type: string;
  tags: string[];
  architectures: string[];
  capabilities: string[];
  total: PodResources;
  used: PodResources;
  available: PodResources;
  zone: ZoneJson;
  pool: ResourcePoolJson;
  resource_uri: string;
  [field: string]: unknown;
}

/** MAAS's NODE_STATUS (spec/maas-resources.md §3.1): code → status_name. */
export const NODE_STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'New',
  1: 'Commissioning',
  2: 'Failed commissioning',
  3: 'Missing',
  4: 'Ready',
  5: 'Reserved',
  6: 'Deployed',
  7: 'Retired',
  8: 'Broken',
  9: 'Deploying',
  10: 'Allocated',
  11: 'Failed deployment',
  12: 'Releasing',
  13: 'Releasing failed',
  14: 'Disk erasing',
  15: 'Failed disk erasing',
  16: 'Rescue mode',
  17: 'Entering rescue mode',
  18: 'Failed to enter rescue mode',
  19: 'Exiting rescue mode',
  20: 'Failed to exit rescue mode',
  21: 'Testing',
  22: 'Failed testing',
};

/** Statuses a wait gives up on: the operation failed (MAAS's "Failed" simple status). */
export const FAILED_STATUSES: ReadonlySet<number> = new Set([2, 11, 13, 15, 18, 20, 22]);
