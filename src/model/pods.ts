// Pods / VM hosts: wire shape, the simulated host discovery, compose's storage constraint and
// the resource arithmetic (spec/maas-resources.md §2.7). No I/O.
import type { ResourcePoolJson, ZoneJson } from './groups.ts';
import { API_PREFIX } from './wire.ts';

export const POD_TYPES = ['virsh', 'lxd'] as const;
export type PodType = (typeof POD_TYPES)[number];

export const MACVLAN_MODES = ['bridge', 'passthru', 'private', 'vepa'] as const;

/** MAAS gives every new VM host this tag (spec §2.7); composed machines carry it too. */
export const POD_CONSOLE_LOGGING_TAG = 'pod-console-logging';
export const POD_CONSOLE_LOGGING_KERNEL_OPTS = 'console=tty1 console=ttyS0';

export interface PodResources {
  cores: number;
  memory: number;
  local_storage: number;
}

export interface StoragePoolJson {
  id: string;
  name: string;
  type: string;
  path: string;
  total: number;
  used: number;
  available: number;
  default: boolean;
}

/** spec §2.7, DISPLAYED_POD_FIELDS. */
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
  cpu_over_commit_ratio: number;
  memory_over_commit_ratio: number;
  storage_pools: StoragePoolJson[];
  host: { system_id: string | null; __incomplete__: true };
  default_macvlan_mode: string | null;
  version: string;
  resource_uri: string;
}

/** Pods are rendered with the vm-hosts URI even when read via pods/ (spec §1.3). */
export function podUri(id: number): string {
  return `${API_PREFIX}vm-hosts/${id}/`;
}

/** A storage pool as discovered on the host. */
export interface HostStoragePool {
  name: string;
  type: string;
  path: string;
  /** Bytes. */
  total: number;
}

/** What maaskit "discovers" on a VM host: a plausible, fixed host per driver type. */
export interface DiscoveredHost {
  cores: number;
  /** MiB. */
  memory: number;
  /** MHz. */
  cpuSpeed: number;
  architectures: string[];
  capabilities: string[];
  version: string;
  storagePools: HostStoragePool[];
}

const GB = 1_000_000_000;

/**
 * The simulated discovery (MAAS asks the rack to probe the host, spec §2.7). Deterministic so
 * that totals are predictable: 16 cores at 2.4 GHz, 32 GiB, one 500 GB storage pool.
 */
export function discoverHost(type: PodType): DiscoveredHost {
  const common = {
    cores: 16,
    memory: 32768,
    cpuSpeed: 2400,
    architectures: ['amd64/generic'],
    capabilities: ['composable', 'dynamic_local_storage', 'over_commit', 'storage_pools'],
  };
  if (type === 'lxd') {
    return {
      ...common,
      version: '5.21.1',
      storagePools: [{ name: 'default', type: 'zfs', path: '/var/snap/lxd/common/lxd/storage-pools/default', total: 500 * GB }],
    };
  }
  return {
    ...common,
    version: '8.0.0',
    storagePools: [{ name: 'default', type: 'dir', path: '/var/lib/libvirt/images', total: 500 * GB }],
  };
}

/** What is available: over-commit ratios scale cores and memory, not storage (spec §2.7). */
export function availableResources(total: PodResources, used: PodResources, cpuRatio: number, memoryRatio: number): PodResources {
  return {
    cores: Math.floor(total.cores * cpuRatio) - used.cores,
    memory: Math.floor(total.memory * memoryRatio) - used.memory,
    local_storage: total.local_storage - used.local_storage,
  };
}

export interface StorageRequest {
  label: string;
  /** Bytes. */
  size: number;
  tags: string[];
}

/** compose's default storage (spec §2.7). */
export const DEFAULT_COMPOSE_STORAGE = 'root:8(local)';

const STORAGE_PART = /^(?:([a-zA-Z0-9]+):)?([0-9]+(?:\.[0-9]+)?)(?:\(([^()]*)\))?$/;

/**
 * Parses compose's `label:sizeGB(tag,tag),…` (sizes in GB of 10^9 bytes; commas inside the
 * parentheses separate tags, not disks). Returns the malformed piece on failure.
 */
export function parseStorage(text: string): { ok: true; disks: StorageRequest[] } | { ok: false; bad: string } {
  const pieces: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      pieces.push(current);
      current = '';
    } else current += c;
  }
  pieces.push(current);
  const disks: StorageRequest[] = [];
  for (const [index, raw] of pieces.entries()) {
    const piece = raw.trim();
    const m = STORAGE_PART.exec(piece);
    const size = m ? Math.round(Number(m[2]) * GB) : 0;
    if (!m || size <= 0) return { ok: false, bad: piece };
    const tags = (m[3] ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
    disks.push({ label: m[1] ?? (index === 0 ? 'root' : `disk${index}`), size, tags });
  }
  return { ok: true, disks };
}
