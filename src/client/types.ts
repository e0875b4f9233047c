// The MAAS JSON shapes the typed resources return (spec/maas-resources.md). Field names are
// MAAS's; each shape lists the fields clients read and keeps the rest through an index signature.
import type * as Model from '../model/groups.ts';
import type * as Pods from '../model/pods.ts';
import { SIMPLE_STATUSES, STATUS_LABELS } from '../model/index.ts';

export type { TokenJson, TokenListEntry, UserJson, VersionJson } from '../model/index.ts';

// Zones, pools and tags as the server renders them (model/groups.ts), plus whatever else a
// newer MAAS may send.
export interface ZoneJson extends Model.ZoneJson {
  [field: string]: unknown;
}

export interface ResourcePoolJson extends Model.ResourcePoolJson {
  [field: string]: unknown;
}

export interface TagJson extends Model.TagJson {
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

/** spec/maas-resources.md §2.7, as the server renders it (model/pods.ts). */
export interface PodJson extends Pods.PodJson {
  [field: string]: unknown;
}

/** MAAS's NODE_STATUS (spec/maas-resources.md §3.1): code → status_name. */
export const NODE_STATUS_NAMES: Readonly<Record<number, string>> = STATUS_LABELS;

/** Statuses a wait gives up on: the operation failed (MAAS's "failed" simple status). */
export const FAILED_STATUSES: ReadonlySet<number> = new Set(SIMPLE_STATUSES['failed']);
