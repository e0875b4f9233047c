// VM hosts (pods, spec/maas-resources.md §2.7): the host as discovered, its settings, and what
// its composed machines use. A composed machine is a node with pod_id set; its cores and
// memory are the node's, its storage the pod_disks rows (which go with the node).
import type { Selectable } from 'kysely';
import type { KyselyStoreDeps } from './kysely-store.ts';
import type { PodsTable } from './schema-groups.ts';
import { StoreError } from './types.ts';

export interface PodStoragePool {
  id: string;
  name: string;
  type: string;
  path: string;
  /** Bytes. */
  total: number;
}

export interface PodSettings {
  name: string;
  tags: string[];
  zoneId: number;
  poolId: number;
  cpuOverCommitRatio: number;
  memoryOverCommitRatio: number;
  /** The id of one of storagePools. */
  defaultStoragePool: string;
  defaultMacvlanMode: string | null;
}

/** What discovery found (spec §2.7: MAAS probes the host on create and refresh). */
export interface PodHost {
  cores: number;
  /** MiB. */
  memory: number;
  cpuSpeed: number;
  architectures: string[];
  capabilities: string[];
  storagePools: PodStoragePool[];
  version: string;
}

export interface Pod extends PodSettings, PodHost {
  id: number;
  type: string;
  powerAddress: string;
}

export interface NewPod extends PodSettings, PodHost {
  type: string;
  /** power_address, power_user, power_pass, project, certificate, key, password… */
  powerParameters: Record<string, string>;
}

export interface PodUsage {
  cores: number;
  memory: number;
  /** Bytes, all storage pools. */
  storage: number;
  /** Bytes per storage pool id. */
  byPool: Map<string, number>;
  /** Node ids of the composed machines. */
  nodeIds: number[];
}

export interface PodStore {
  /** Every pod, by id. */
  listPods(): Promise<Pod[]>;
  findPod(id: number): Promise<Pod | undefined>;
  /** A pod with this type and power address (spec §2.7's "already exist" check). */
  findPodByAddress(type: string, powerAddress: string): Promise<Pod | undefined>;
  /** The power parameters, unsealed (GET op=parameters). */
  podPowerParameters(id: number): Promise<Record<string, string> | undefined>;
  /** @throws StoreError ERR_STORE_DUPLICATE when the name is taken. */
  createPod(pod: NewPod): Promise<Pod>;
  /** @throws StoreError ERR_STORE_DUPLICATE when a new name is taken. */
  updatePod(
    id: number,
    changes: Partial<PodSettings & PodHost> & { powerParameters?: Record<string, string> },
  ): Promise<Pod | undefined>;
  /** Deletes the pod; with `decompose` its composed machines too, else they are unlinked. */
  deletePod(id: number, options: { decompose: boolean }): Promise<boolean>;
  /** What each pod's composed machines use (zero for a pod without any). */
  podUsage(ids: readonly number[]): Promise<Map<number, PodUsage>>;
  /** Links a machine to the pod that composed it, with the disks taken from its storage pools. */
  attachComposed(podId: number, nodeId: number, disks: ReadonlyArray<{ storagePool: string; size: number }>): Promise<void>;
  /** The pod of each composed node, for the machine's `pod` field. */
  podsOfNodes(nodeIds: readonly number[]): Promise<Map<number, { id: number; name: string }>>;
}

const COLUMNS = [
  'id',
  'name',
  'type',
  'power_address',
  'zone_id',
  'pool_id',
  'tags',
  'cpu_over_commit_ratio',
  'memory_over_commit_ratio',
  'default_storage_pool',
  'default_macvlan_mode',
  'cores',
  'memory',
  'cpu_speed',
  'architectures',
  'capabilities',
  'storage_pools',
  'version',
] as const;

/** A pods row as read: the schema's columns named in COLUMNS. */
type Row = Pick<Selectable<PodsTable>, (typeof COLUMNS)[number]>;

function toPod(row: Row): Pod {
  return {
    id: Number(row.id),
    name: row.name,
    type: row.type,
    powerAddress: row.power_address,
    zoneId: Number(row.zone_id),
    poolId: Number(row.pool_id),
    tags: JSON.parse(row.tags) as string[],
    cpuOverCommitRatio: Number(row.cpu_over_commit_ratio),
    memoryOverCommitRatio: Number(row.memory_over_commit_ratio),
    defaultStoragePool: row.default_storage_pool,
    defaultMacvlanMode: row.default_macvlan_mode,
    cores: Number(row.cores),
    memory: Number(row.memory),
    cpuSpeed: Number(row.cpu_speed),
    architectures: JSON.parse(row.architectures) as string[],
    capabilities: JSON.parse(row.capabilities) as string[],
    storagePools: JSON.parse(row.storage_pools) as PodStoragePool[],
    version: row.version,
  };
}

function duplicate(error: unknown): StoreError {
  return new StoreError('ERR_STORE_DUPLICATE', 'Pod with this Name already exists.', { cause: error });
}

type Changes = Parameters<PodStore['updatePod']>[1];

function columnsOf(changes: Changes, seal: (text: string) => string): Partial<Row> & { power_sealed?: string } {
  const set: Partial<Row> & { power_sealed?: string } = {};
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.tags !== undefined) set.tags = JSON.stringify(changes.tags);
  if (changes.zoneId !== undefined) set.zone_id = changes.zoneId;
  if (changes.poolId !== undefined) set.pool_id = changes.poolId;
  if (changes.cpuOverCommitRatio !== undefined) set.cpu_over_commit_ratio = changes.cpuOverCommitRatio;
  if (changes.memoryOverCommitRatio !== undefined) set.memory_over_commit_ratio = changes.memoryOverCommitRatio;
  if (changes.defaultStoragePool !== undefined) set.default_storage_pool = changes.defaultStoragePool;
  if (changes.defaultMacvlanMode !== undefined) set.default_macvlan_mode = changes.defaultMacvlanMode;
  if (changes.cores !== undefined) set.cores = changes.cores;
  if (changes.memory !== undefined) set.memory = changes.memory;
  if (changes.cpuSpeed !== undefined) set.cpu_speed = changes.cpuSpeed;
  if (changes.architectures !== undefined) set.architectures = JSON.stringify(changes.architectures);
  if (changes.capabilities !== undefined) set.capabilities = JSON.stringify(changes.capabilities);
  if (changes.storagePools !== undefined) set.storage_pools = JSON.stringify(changes.storagePools);
  if (changes.version !== undefined) set.version = changes.version;
  if (changes.powerParameters !== undefined) {
    set.power_address = changes.powerParameters['power_address'] ?? '';
    set.power_sealed = seal(JSON.stringify(changes.powerParameters));
  }
  return set;
}

export function createPodStore(deps: KyselyStoreDeps): PodStore {
  const { db, secrets } = deps;
  const seal = (text: string) => secrets.seal(text);

  return {
    async listPods() {
      return (await db.selectFrom('pods').select(COLUMNS).orderBy('id').execute()).map(toPod);
    },

    async findPod(id) {
      const row = await db.selectFrom('pods').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return row && toPod(row);
    },

    async findPodByAddress(type, powerAddress) {
      const row = await db
        .selectFrom('pods')
        .select(COLUMNS)
        .where('type', '=', type)
        .where('power_address', '=', powerAddress)
        .executeTakeFirst();
      return row && toPod(row);
    },

    async podPowerParameters(id) {
      const row = await db.selectFrom('pods').select('power_sealed').where('id', '=', id).executeTakeFirst();
      return row && (JSON.parse(secrets.open(row.power_sealed)) as Record<string, string>);
    },

    async createPod(pod) {
      const now = deps.now();
      const { powerParameters, type } = pod;
      try {
        const row = await db
          .insertInto('pods')
          .values({
            name: pod.name,
            type,
            power_address: powerParameters['power_address'] ?? '',
            power_sealed: seal(JSON.stringify(powerParameters)),
            zone_id: pod.zoneId,
            pool_id: pod.poolId,
            tags: JSON.stringify(pod.tags),
            cpu_over_commit_ratio: pod.cpuOverCommitRatio,
            memory_over_commit_ratio: pod.memoryOverCommitRatio,
            default_storage_pool: pod.defaultStoragePool,
            default_macvlan_mode: pod.defaultMacvlanMode,
            cores: pod.cores,
            memory: pod.memory,
            cpu_speed: pod.cpuSpeed,
            architectures: JSON.stringify(pod.architectures),
            capabilities: JSON.stringify(pod.capabilities),
            storage_pools: JSON.stringify(pod.storagePools),
            version: pod.version,
            created_at: now,
            updated_at: now,
          })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toPod(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(error);
        throw error;
      }
    },

    async updatePod(id, changes) {
      const set = { ...columnsOf(changes, seal), updated_at: deps.now() };
      try {
        const row = await db.updateTable('pods').set(set).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
        return row && toPod(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(error);
        throw error;
      }
    },

    async deletePod(id, options) {
      return db.transaction().execute(async (trx) => {
        if (options.decompose) await trx.deleteFrom('nodes').where('pod_id', '=', id).execute();
        else await trx.updateTable('nodes').set({ pod_id: null }).where('pod_id', '=', id).execute();
        await trx.deleteFrom('pod_disks').where('pod_id', '=', id).execute();
        const result = await trx.deleteFrom('pods').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async podUsage(ids) {
      const out = new Map<number, PodUsage>();
      if (ids.length === 0) return out;
      for (const id of ids) out.set(id, { cores: 0, memory: 0, storage: 0, byPool: new Map(), nodeIds: [] });
      const nodes = await db
        .selectFrom('nodes')
        .select(['id', 'pod_id', 'cpu_count', 'memory'])
        .where('pod_id', 'in', [...ids])
        .orderBy('id')
        .execute();
      for (const node of nodes) {
        const usage = out.get(Number(node.pod_id));
        if (!usage) continue;
        usage.cores += Number(node.cpu_count);
        usage.memory += Number(node.memory);
        usage.nodeIds.push(Number(node.id));
      }
      // Only disks of machines still composed by that pod count (a node unlinked from its pod
      // keeps nothing there).
      const disks = await db
        .selectFrom('pod_disks')
        .innerJoin('nodes', 'nodes.id', 'pod_disks.node_id')
        .select(['pod_disks.pod_id', 'pod_disks.storage_pool', 'pod_disks.size'])
        .where('pod_disks.pod_id', 'in', [...ids])
        .whereRef('nodes.pod_id', '=', 'pod_disks.pod_id')
        .execute();
      for (const disk of disks) {
        const usage = out.get(Number(disk.pod_id));
        if (!usage) continue;
        const size = Number(disk.size);
        usage.storage += size;
        usage.byPool.set(disk.storage_pool, (usage.byPool.get(disk.storage_pool) ?? 0) + size);
      }
      return out;
    },

    async attachComposed(podId, nodeId, disks) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('nodes').set({ pod_id: podId }).where('id', '=', nodeId).execute();
        if (disks.length > 0) {
          await trx
            .insertInto('pod_disks')
            .values(disks.map((d) => ({ pod_id: podId, node_id: nodeId, storage_pool: d.storagePool, size: d.size })))
            .execute();
        }
      });
    },

    async podsOfNodes(nodeIds) {
      const out = new Map<number, { id: number; name: string }>();
      if (nodeIds.length === 0) return out;
      const ids = [...new Set(nodeIds)];
      // Bounded IN lists: well below SQLite's and PostgreSQL's parameter limits.
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('nodes')
          .innerJoin('pods', 'pods.id', 'nodes.pod_id')
          .select(['nodes.id as node_id', 'pods.id', 'pods.name'])
          .where('nodes.id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const row of rows) out.set(Number(row.node_id), { id: Number(row.id), name: row.name });
      }
      return out;
    },
  };
}
