// The `storage` constraint of machines/ read and allocate (spec §2.6.1, §2.6.3), as MAAS's
// FilterNodeForm parses it (`storage_validator`, `get_storage_constraints_from_string`) and
// matches it (`nodes_by_storage`), over a simulated machine's disks. No I/O.
import type { NodeBlockDevice, NodeDetail } from './machine.ts';

export interface StorageConstraint {
  /** '' when the constraint has no label (then it is matched but not reported). */
  label: string;
  /** Bytes: the GB given × 10^9, truncated. */
  size: number;
  /** Tags the disk must all carry; null when none were given. */
  tags: string[] | null;
}

// Optional `label:`, mandatory size, optional `(tag,tag)`: MAAS's STORAGE_REGEX.
const STORAGE_GROUP = /(?:([a-zA-Z0-9]+):)?([0-9.]+)(?:\(([^)]+)\))?/g;

/**
 * Parses `label:size(tags),…` (e.g. `root:80(ssd),data:400`); undefined when malformed: MAAS
 * re-renders what its regex found and refuses anything that differs from the input. The
 * first constraint stays first (it is the root disk); the others are sorted by how many tags
 * they name, most first, so the most specific disk is picked before the others.
 */
export function parseStorageConstraint(value: string): StorageConstraint[] | undefined {
  const groups = [...value.matchAll(STORAGE_GROUP)];
  if (groups.length === 0) return undefined;
  const rendered = groups.map(([, label, size, tags]) => `${label ? `${label}:` : ''}${size}${tags ? `(${tags})` : ''}`);
  if (rendered.join(',') !== value) return undefined;
  const out: StorageConstraint[] = [];
  for (const [, label, size, tags] of groups) {
    const gb = Number(size);
    if (!Number.isFinite(gb)) return undefined;
    out.push({ label: label ?? '', size: Math.trunc(gb * 1000 ** 3), tags: tags ? tags.split(',') : null });
  }
  const [head, ...tail] = out;
  tail.sort((a, b) => (b.tags?.length ?? 0) - (a.tags?.length ?? 0));
  return [head!, ...tail];
}

const carries = (disk: NodeBlockDevice, tags: string[] | null) => tags === null || tags.every((t) => disk.tags.includes(t));

/**
 * The disks of `node` that meet the constraints, as device id → label (labelled constraints
 * only), or undefined when the node does not match. As in MAAS after commissioning, the root
 * filesystem is on the boot disk (else the first): the first constraint must fit that disk;
 * each other one takes the smallest other disk left that is large enough and carries its
 * tags. Simulated disks have no partitions, so a `partition` tag matches nothing.
 */
export function matchStorage(node: NodeDetail, constraints: readonly StorageConstraint[]): Map<number, string> | undefined {
  const disks = [...node.blockDevices].sort((a, b) => a.id - b.id);
  const root = disks.find((d) => d.isBoot) ?? disks[0];
  const taken = new Set<number>();
  const out = new Map<number, string>();
  for (const [index, c] of constraints.entries()) {
    if (c.tags?.includes('partition')) return undefined;
    const disk =
      index === 0
        ? root && root.size >= c.size && carries(root, c.tags) ? root : undefined
        : disks
            .filter((d) => d !== root && !taken.has(d.id) && d.size >= c.size && carries(d, c.tags))
            .sort((a, b) => a.size - b.size || a.id - b.id)[0];
    if (!disk) return undefined;
    taken.add(disk.id);
    if (c.label !== '') out.set(disk.id, c.label);
  }
  return out;
}

/** allocate's `constraints_by_type` (spec §2.6.3): `{storage: {label: [device ids]}}` when any labelled disk matched. */
export function constraintsByType(storage: Map<number, string> | undefined): Record<string, unknown> {
  if (!storage || storage.size === 0) return {};
  const byLabel: Record<string, number[]> = {};
  for (const [id, label] of storage) byLabel[label] = [...(byLabel[label] ?? []), id];
  return { storage: byLabel };
}
