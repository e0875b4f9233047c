// The machine inventory over Kysely (DESIGN D6, D7): nodes with their interfaces, block
// devices and addresses, atomic allocation, and the schedule of simulated transitions. Only
// portable Kysely: the same queries run on SQLite and PostgreSQL, booleans are 0/1, times
// whole seconds. Lists are rendered with a fixed number of set-based queries (no N+1).
import { type ExpressionBuilder, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import {
  generateSystemId,
  type NodeChanges,
  type RandomBytes,
  simulatedIp,
  type Step,
  type TransitionKind,
} from '../model/index.ts';
import { completeTransition } from '../model/lifecycle.ts';
import type { NodeBlockDevice, NodeDetail, NodeInterface, NodeRecord } from '../model/machine.ts';
import { DEFAULT_ZONE_ID } from '../model/groups.ts';
import { NODE_STATUS } from '../model/node-status.ts';
import type { Database, NodesTable } from './schema.ts';
import { StoreError } from './types.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A node to create; interfaces and disks come from the hardware generator or the caller. */
export interface NewNode {
  hostname: string;
  nodeType?: number;
  systemId?: string;
  description?: string;
  architecture: string;
  minHweKernel?: string | null;
  status: number;
  ownerId?: number | null;
  /** Zone id; the default zone (by name) when absent. */
  zoneId?: number;
  /** Pool id; the default pool (id 0) when absent; null for no pool (non-machines). */
  poolId?: number | null;
  cpuCount: number;
  cpuSpeed?: number;
  memory: number;
  swapSize?: number | null;
  powerType?: string;
  powerState?: string;
  powerParameters?: Record<string, string>;
  osystem?: string;
  distroSeries?: string;
  enlisting?: boolean;
  commissioningStatus?: number;
  testingStatus?: number;
  hardwareInfo?: Record<string, string>;
  hardwareUuid?: string | null;
  biosBootMethod?: string | null;
  statusMessage?: string | null;
  dynamic?: boolean;
  podId?: number | null;
  /** None when absent. */
  interfaces?: Array<Omit<NodeInterface, 'id' | 'type' | 'enabled' | 'linkConnected' | 'numaNode'> & { type?: string }>;
  /** None when absent. */
  blockDevices?: Array<Omit<NodeBlockDevice, 'id' | 'type' | 'numaNode'> & { type?: string }>;
  /** A simulated step to schedule now (e.g. commissioning after an admin create). */
  schedule?: { kind: TransitionKind; dueAt: number };
  /** Claim addresses at once (a machine created already deployed). */
  assignIps?: boolean;
}

/** Read filters (spec §2.6.1), already resolved to ids and codes by the API. Fields AND; values OR. */
export interface NodeFilter {
  /** Default: machines only. */
  nodeTypes?: number[];
  /** Node ids (e.g. the nodes of a tag). */
  ids?: number[];
  systemIds?: string[];
  notSystemIds?: string[];
  hostnames?: string[];
  notHostnames?: string[];
  macAddresses?: string[];
  zoneIds?: number[];
  notZoneIds?: number[];
  poolIds?: number[];
  notPoolIds?: number[];
  architectures?: string[];
  notArchitectures?: string[];
  statuses?: number[];
  notStatuses?: number[];
  ownerIds?: number[];
  notOwnerIds?: number[];
  powerStates?: string[];
  notPowerStates?: string[];
  agentNames?: string[];
  notAgentNames?: string[];
  minCpuCount?: number;
  minMemory?: number;
  minCpuSpeed?: number;
  podIds?: number[];
  notPodIds?: number[];
  /** Every one of these tags (ANDed, spec §2.6.1). */
  tags?: string[];
  /** None of these tags. */
  notTags?: string[];
  /** Visibility (spec §4): a non-admin sees unowned nodes and their own. */
  visibleTo?: { userId: number; isAdmin: boolean };
  /** Exclude locked nodes (lists built for edit). */
  unlocked?: boolean;
}

/** Fields PUT machines/{id}/ may change (spec §2.6.4). */
export interface NodeUpdate {
  hostname?: string;
  description?: string;
  architecture?: string;
  minHweKernel?: string | null;
  powerType?: string;
  powerParameters?: Record<string, string>;
  zoneId?: number;
  poolId?: number | null;
  cpuCount?: number;
  memory?: number;
  swapSize?: number | null;
}

/** What a step must find to apply: the status it was computed from (and owner, when it matters). */
export interface StepExpectation {
  status: number;
  ownerId?: number | null;
}

export interface PendingTransition {
  systemId: string;
  kind: TransitionKind;
  fromStatus: number;
  dueAt: number;
}

export interface MachineStore {
  /**
   * Creates a node with its interfaces and disks in one transaction; a fresh system id unless
   * given. @throws StoreError ERR_STORE_DUPLICATE when the hostname is taken.
   */
  createNode(node: NewNode): Promise<NodeDetail>;
  /** Bulk create (seed): batched inserts in one transaction per chunk; returns how many. */
  createNodes(nodes: NewNode[]): Promise<number>;
  /** A node by system id, any node type, with everything its JSON shows. */
  findNode(systemId: string): Promise<NodeDetail | undefined>;
  /** Nodes matching the filter, ordered by id, rendered with a fixed number of queries. */
  listNodes(filter: NodeFilter): Promise<NodeDetail[]>;
  /**
   * The ids of the nodes matching the filter, ordered by id, each with a key that changes
   * whenever anything its JSON shows changes (its version, zone, pool, pod, owner and tag
   * names): for renderers that cache each node's JSON and fetch (nodesByIds) only what changed.
   */
  listNodeKeys(filter: NodeFilter): Promise<Array<{ id: number; key: string }>>;
  /** These nodes in full, in id order (any node type). */
  nodesByIds(ids: number[]): Promise<NodeDetail[]>;
  /** How many nodes match (no rendering). */
  countNodes(filter: NodeFilter): Promise<number>;
  /**
   * Applies a lifecycle Step in one transaction, only if the node still has the expected
   * status (and owner): the conditional UPDATE's row count decides, so concurrent requests
   * and several servers on one database never both win. False when the node had changed.
   */
  applyStep(systemId: string, expect: StepExpectation, step: Step, now: number, delay: number): Promise<boolean>;
  /**
   * Atomic allocation (spec §2.6.3): the cheapest matching READY, unowned, unlocked node gets
   * `changes` by a conditional UPDATE; a lost race retries with the next candidate. Undefined
   * when none is left. `dryRun` only finds it.
   */
  allocateNode(filter: NodeFilter, changes: NodeChanges, now: number, dryRun?: boolean): Promise<NodeDetail | undefined>;
  /** Admin edits (PUT). @throws StoreError ERR_STORE_DUPLICATE for a taken hostname. */
  updateNode(systemId: string, update: NodeUpdate, now: number): Promise<boolean>;
  deleteNode(systemId: string): Promise<boolean>;
  /**
   * Runs every simulated step due at `now`, each claimed exactly once (by deleting its row) and
   * applied in the same transaction, so a crash loses nothing and servers sharing the database
   * never double-advance. Follow-up steps are scheduled `delay` seconds later. Returns how many ran.
   */
  advanceDue(now: number, delay: number): Promise<number>;
  pendingTransitions(): Promise<PendingTransition[]>;
  /** Hostnames of the nodes that have each of these MACs (lower-case, colon form). */
  macOwners(macs: string[]): Promise<Map<string, string>>;
  /** Ids of the zones, pools or users (by username) with these names; unknown names are absent. */
  inventoryIds(kind: 'zone' | 'pool' | 'owner', names: string[]): Promise<Map<string, number>>;
  /** The zone or pool with this id. */
  inventoryName(kind: 'zone' | 'pool', id: number): Promise<string | undefined>;
}

export interface MachineStoreDeps {
  db: Kysely<Database>;
  randomBytes: RandomBytes;
  now: () => number;
  isUniqueViolation: (error: unknown) => boolean;
}

const json = (value: unknown) => JSON.stringify(value);

/** Up to this many ids go into an IN list; larger sets are selected by the filter as a subquery. */
const SMALL = 500;

/** A node without its interfaces, disks and addresses (but with its tag names). */
export type NodeSummary = NodeRecord & { tagNames: string[] };

function parseObject(text: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function changeColumns(changes: NodeChanges): Partial<Record<keyof NodesTable, unknown>> {
  const out: Partial<Record<keyof NodesTable, unknown>> = {};
  if (changes.status !== undefined) out.status = changes.status;
  if (changes.previousStatus !== undefined) out.previous_status = changes.previousStatus;
  if (changes.ownerId !== undefined) out.owner_id = changes.ownerId;
  if (changes.powerState !== undefined) out.power_state = changes.powerState;
  if (changes.osystem !== undefined) out.osystem = changes.osystem;
  if (changes.distroSeries !== undefined) out.distro_series = changes.distroSeries;
  if (changes.hweKernel !== undefined) out.hwe_kernel = changes.hweKernel;
  if (changes.agentName !== undefined) out.agent_name = changes.agentName;
  if (changes.errorDescription !== undefined) out.error_description = changes.errorDescription;
  if (changes.statusMessage !== undefined) out.status_message = changes.statusMessage;
  if (changes.statusAction !== undefined) out.status_action = changes.statusAction;
  if (changes.locked !== undefined) out.locked = changes.locked ? 1 : 0;
  if (changes.enlisting !== undefined) out.enlisting = changes.enlisting ? 1 : 0;
  if (changes.ownerData !== undefined) out.owner_data = json(changes.ownerData);
  if (changes.commissioningStatus !== undefined) out.commissioning_status = changes.commissioningStatus;
  if (changes.testingStatus !== undefined) out.testing_status = changes.testingStatus;
  if (changes.ephemeralDeploy !== undefined) out.ephemeral_deploy = changes.ephemeralDeploy ? 1 : 0;
  if (changes.enableHwSync !== undefined) out.enable_hw_sync = changes.enableHwSync ? 1 : 0;
  return out;
}

type NodeRow = Selectable<NodesTable> & {
  owner_name: string | null;
  zone_name: string;
  zone_description: string;
  pool_name: string | null;
  pool_description: string | null;
  pod_name: string | null;
};

function toRecord(row: NodeRow): NodeRecord {
  return {
    id: Number(row.id),
    systemId: row.system_id,
    nodeType: Number(row.node_type),
    hostname: row.hostname,
    description: row.description,
    architecture: row.architecture,
    minHweKernel: row.min_hwe_kernel,
    hweKernel: row.hwe_kernel,
    status: Number(row.status),
    previousStatus: Number(row.previous_status),
    ownerId: row.owner_id === null ? null : Number(row.owner_id),
    owner: row.owner_name,
    zone: { id: Number(row.zone_id), name: row.zone_name, description: row.zone_description },
    pool:
      row.pool_id === null || row.pool_name === null
        ? null
        : { id: Number(row.pool_id), name: row.pool_name, description: row.pool_description ?? '' },
    cpuCount: Number(row.cpu_count),
    cpuSpeed: Number(row.cpu_speed),
    memory: Number(row.memory),
    swapSize: row.swap_size === null ? null : Number(row.swap_size),
    powerType: row.power_type,
    powerState: row.power_state,
    powerParameters: parseObject(row.power_parameters),
    osystem: row.osystem,
    distroSeries: row.distro_series,
    agentName: row.agent_name,
    errorDescription: row.error_description,
    statusMessage: row.status_message,
    statusAction: row.status_action,
    locked: Boolean(row.locked),
    netboot: Boolean(row.netboot),
    enlisting: Boolean(row.enlisting),
    ephemeralDeploy: Boolean(row.ephemeral_deploy),
    enableHwSync: Boolean(row.enable_hw_sync),
    isDpu: Boolean(row.is_dpu),
    commissioningStatus: Number(row.commissioning_status),
    testingStatus: Number(row.testing_status),
    ownerData: parseObject(row.owner_data),
    hardwareInfo: parseObject(row.hardware_info),
    hardwareUuid: row.hardware_uuid,
    biosBootMethod: row.bios_boot_method,
    dynamic: Boolean(row.dynamic),
    podId: row.pod_id === null ? null : Number(row.pod_id),
    podName: row.pod_name,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function applyFilter(eb: ExpressionBuilder<Database, 'nodes'>, f: NodeFilter) {
  const and = [eb('nodes.node_type', 'in', f.nodeTypes ?? [0])];
  const inList = <V extends string | number>(column: Parameters<typeof eb>[0], values: V[] | undefined, not = false) => {
    if (values === undefined) return;
    if (values.length === 0) and.push(not ? eb.lit(true) : eb.lit(false) as never);
    else and.push(eb(column, not ? 'not in' : 'in', values as never));
  };
  inList('nodes.id', f.ids);
  inList('nodes.system_id', f.systemIds);
  inList('nodes.system_id', f.notSystemIds, true);
  inList('nodes.hostname', f.hostnames);
  inList('nodes.hostname', f.notHostnames, true);
  inList('nodes.zone_id', f.zoneIds);
  inList('nodes.zone_id', f.notZoneIds, true);
  inList('nodes.architecture', f.architectures);
  inList('nodes.architecture', f.notArchitectures, true);
  inList('nodes.status', f.statuses);
  inList('nodes.status', f.notStatuses, true);
  inList('nodes.power_state', f.powerStates);
  inList('nodes.power_state', f.notPowerStates, true);
  inList('nodes.agent_name', f.agentNames);
  inList('nodes.agent_name', f.notAgentNames, true);
  inList('nodes.pool_id', f.poolIds);
  inList('nodes.pod_id', f.podIds);
  if (f.notPoolIds !== undefined && f.notPoolIds.length > 0) {
    and.push(eb.or([eb('nodes.pool_id', 'is', null), eb('nodes.pool_id', 'not in', f.notPoolIds)]));
  }
  if (f.notPodIds !== undefined && f.notPodIds.length > 0) {
    and.push(eb.or([eb('nodes.pod_id', 'is', null), eb('nodes.pod_id', 'not in', f.notPodIds)]));
  }
  if (f.ownerIds !== undefined) and.push(f.ownerIds.length === 0 ? (eb.lit(false) as never) : eb('nodes.owner_id', 'in', f.ownerIds));
  if (f.notOwnerIds !== undefined && f.notOwnerIds.length > 0) {
    and.push(eb.or([eb('nodes.owner_id', 'is', null), eb('nodes.owner_id', 'not in', f.notOwnerIds)]));
  }
  if (f.minCpuCount !== undefined) and.push(eb('nodes.cpu_count', '>=', f.minCpuCount));
  if (f.minMemory !== undefined) and.push(eb('nodes.memory', '>=', f.minMemory));
  if (f.minCpuSpeed !== undefined) and.push(eb('nodes.cpu_speed', '>=', f.minCpuSpeed));
  if (f.unlocked) and.push(eb('nodes.locked', '=', 0));
  if (f.macAddresses !== undefined) {
    and.push(
      eb(
        'nodes.id',
        'in',
        eb.selectFrom('interfaces').select('interfaces.node_id').where('interfaces.mac_address', 'in', f.macAddresses.length ? f.macAddresses : ['']),
      ),
    );
  }
  const tagged = (name: string) =>
    eb
      .selectFrom('node_tags')
      .innerJoin('tags', 'tags.id', 'node_tags.tag_id')
      .select('node_tags.node_id')
      .where('tags.name', '=', name);
  for (const tag of f.tags ?? []) and.push(eb('nodes.id', 'in', tagged(tag)));
  for (const tag of f.notTags ?? []) and.push(eb('nodes.id', 'not in', tagged(tag)));
  if (f.visibleTo && !f.visibleTo.isAdmin) {
    and.push(eb.or([eb('nodes.owner_id', 'is', null), eb('nodes.owner_id', '=', f.visibleTo.userId)]));
  }
  return eb.and(and);
}

export function createMachineStore(deps: MachineStoreDeps): MachineStore {
  const { db } = deps;

  function nodeQuery(q: Db) {
    return q
      .selectFrom('nodes')
      .innerJoin('zones', 'zones.id', 'nodes.zone_id')
      .leftJoin('resource_pools', 'resource_pools.id', 'nodes.pool_id')
      .leftJoin('users', 'users.id', 'nodes.owner_id')
      .leftJoin('pods', 'pods.id', 'nodes.pod_id')
      .selectAll('nodes')
      .select([
        'users.username as owner_name',
        'zones.name as zone_name',
        'zones.description as zone_description',
        'resource_pools.name as pool_name',
        'resource_pools.description as pool_description',
        'pods.name as pod_name',
      ]);
  }

  type Where = (eb: ExpressionBuilder<Database, 'nodes'>) => ReturnType<typeof applyFilter>;
  type NodeIds = number[] | ReturnType<typeof idsWhere>;
  const idsWhere = (q: Db, where: Where) => q.selectFrom('nodes').select('nodes.id').where(where);

  async function tagRows(q: Db, ids: NodeIds) {
    return q
      .selectFrom('node_tags')
      .innerJoin('tags', 'tags.id', 'node_tags.tag_id')
      .select(['node_tags.node_id', 'tags.name'])
      .where('node_tags.node_id', 'in', ids)
      .orderBy('tags.name')
      .execute();
  }

  /** Interfaces, disks and addresses of the nodes `ids` names (a list or a subquery), added to `byNode`. */
  async function attachChildren(q: Db, byNode: Map<number, NodeDetail>, ids: NodeIds): Promise<void> {
    const [ifaces, disks, ips] = await Promise.all([
      q.selectFrom('interfaces').selectAll().where('node_id', 'in', ids).orderBy('id').execute(),
      q.selectFrom('block_devices').selectAll().where('node_id', 'in', ids).orderBy('id').execute(),
      q.selectFrom('ip_addresses').select(['node_id', 'interface_id', 'ip']).where('node_id', 'in', ids).orderBy('id').execute(),
    ]);
    for (const i of ifaces) {
      byNode.get(Number(i.node_id))?.interfaces.push({
        id: Number(i.id),
        name: i.name,
        type: i.type,
        macAddress: i.mac_address,
        enabled: Boolean(i.enabled),
        isBoot: Boolean(i.is_boot),
        linkConnected: Boolean(i.link_connected),
        linkSpeed: Number(i.link_speed),
        interfaceSpeed: Number(i.interface_speed),
        vendor: i.vendor,
        product: i.product,
        firmwareVersion: i.firmware_version,
        numaNode: Number(i.numa_node),
      });
    }
    for (const b of disks) {
      byNode.get(Number(b.node_id))?.blockDevices.push({
        id: Number(b.id),
        name: b.name,
        type: b.type,
        model: b.model,
        serial: b.serial,
        idPath: b.id_path,
        size: Number(b.size),
        blockSize: Number(b.block_size),
        tags: JSON.parse(b.tags) as string[],
        firmwareVersion: b.firmware_version,
        isBoot: Boolean(b.is_boot),
        numaNode: Number(b.numa_node),
      });
    }
    for (const a of ips) byNode.get(Number(a.node_id))?.ipAddresses.push({ interfaceId: Number(a.interface_id), ip: a.ip });
  }

  /** The nodes the filter selects with their tag names: two queries. */
  async function summaries(q: Db, filter: NodeFilter): Promise<NodeSummary[]> {
    const where: Where = (eb) => applyFilter(eb, filter);
    const rows = await nodeQuery(q).where(where).orderBy('nodes.id').execute();
    const out = rows.map((r): NodeSummary => ({ ...toRecord(r as NodeRow), tagNames: [] }));
    if (out.length === 0) return out;
    const byId = new Map(out.map((n) => [n.id, n]));
    const tags = await tagRows(q, out.length <= SMALL ? out.map((n) => n.id) : idsWhere(q, where));
    for (const t of tags) byId.get(Number(t.node_id))?.tagNames.push(t.name);
    return out;
  }

  function emptyDetails(nodes: NodeSummary[]): Map<number, NodeDetail> {
    return new Map(nodes.map((n) => [n.id, { ...n, tagNames: [...n.tagNames], interfaces: [], blockDevices: [], ipAddresses: [] }]));
  }

  async function list(q: Db, filter: NodeFilter): Promise<NodeDetail[]> {
    const nodes = await summaries(q, filter);
    if (nodes.length === 0) return [];
    const byNode = emptyDetails(nodes);
    await attachChildren(q, byNode, nodes.length <= SMALL ? nodes.map((n) => n.id) : idsWhere(q, (eb) => applyFilter(eb, filter)));
    return [...byNode.values()];
  }

  async function find(q: Db, systemId: string): Promise<NodeDetail | undefined> {
    const [node] = await list(q, { systemIds: [systemId], nodeTypes: [0, 1, 2, 3, 4] });
    return node;
  }

  // The default zone is row 1 whatever it is called (renaming it is allowed, spec §2.9).
  async function defaultZoneId(_q: Db): Promise<number> {
    return DEFAULT_ZONE_ID;
  }

  async function freshSystemId(q: Db, taken: Set<string>): Promise<string> {
    for (;;) {
      const id = generateSystemId(deps.randomBytes);
      if (taken.has(id)) continue;
      const row = await q.selectFrom('nodes').select('id').where('system_id', '=', id).executeTakeFirst();
      if (!row) {
        taken.add(id);
        return id;
      }
    }
  }

  function nodeValues(n: NewNode, systemId: string, zoneId: number, now: number) {
    return {
      system_id: systemId,
      node_type: n.nodeType ?? 0,
      hostname: n.hostname,
      description: n.description ?? '',
      architecture: n.architecture,
      min_hwe_kernel: n.minHweKernel ?? null,
      hwe_kernel: null,
      status: n.status,
      previous_status: 0,
      owner_id: n.ownerId ?? null,
      zone_id: n.zoneId ?? zoneId,
      pool_id: n.poolId === undefined ? 0 : n.poolId,
      cpu_count: n.cpuCount,
      cpu_speed: n.cpuSpeed ?? 0,
      memory: n.memory,
      swap_size: n.swapSize ?? null,
      power_type: n.powerType ?? '',
      power_state: n.powerState ?? 'unknown',
      power_parameters: json(n.powerParameters ?? {}),
      osystem: n.osystem ?? '',
      distro_series: n.distroSeries ?? '',
      agent_name: '',
      error_description: '',
      status_message: n.statusMessage ?? null,
      status_action: null,
      locked: 0,
      netboot: 1,
      enlisting: n.enlisting ? 1 : 0,
      ephemeral_deploy: 0,
      enable_hw_sync: 0,
      is_dpu: 0,
      commissioning_status: n.commissioningStatus ?? -1,
      testing_status: n.testingStatus ?? -1,
      owner_data: '{}',
      hardware_info: json(n.hardwareInfo ?? {}),
      hardware_uuid: n.hardwareUuid ?? null,
      bios_boot_method: n.biosBootMethod ?? null,
      dynamic: n.dynamic ? 1 : 0,
      pod_id: n.podId ?? null,
      created_at: now,
      updated_at: now,
    };
  }

  async function insertChildren(q: Db, pairs: Array<{ id: number; node: NewNode }>, now: number): Promise<void> {
    const ifaceRows = pairs.flatMap(({ id, node }) =>
      (node.interfaces ?? []).map((i) => ({
        node_id: id,
        name: i.name,
        type: i.type ?? 'physical',
        mac_address: i.macAddress,
        enabled: 1,
        is_boot: i.isBoot ? 1 : 0,
        link_connected: 1,
        link_speed: i.linkSpeed,
        interface_speed: i.interfaceSpeed,
        vendor: i.vendor,
        product: i.product,
        firmware_version: i.firmwareVersion,
        numa_node: 0,
      })),
    );
    const diskRows = pairs.flatMap(({ id, node }) =>
      (node.blockDevices ?? []).map((b) => ({
        node_id: id,
        name: b.name,
        type: b.type ?? 'physical',
        model: b.model,
        serial: b.serial,
        id_path: b.idPath,
        size: b.size,
        block_size: b.blockSize,
        tags: json(b.tags),
        firmware_version: b.firmwareVersion,
        is_boot: b.isBoot ? 1 : 0,
        numa_node: 0,
      })),
    );
    for (let i = 0; i < ifaceRows.length; i += 500) await q.insertInto('interfaces').values(ifaceRows.slice(i, i + 500)).execute();
    for (let i = 0; i < diskRows.length; i += 500) await q.insertInto('block_devices').values(diskRows.slice(i, i + 500)).execute();
    for (const { id, node } of pairs) {
      if (node.schedule) {
        await q
          .insertInto('node_transitions')
          .values({ node_id: id, kind: node.schedule.kind, from_status: node.status, due_at: node.schedule.dueAt, created_at: now })
          .execute();
      }
      if (node.assignIps) await assignIps(q, id, now);
    }
  }

  async function assignIps(q: Db, nodeId: number, now: number): Promise<void> {
    const boot = await q.selectFrom('interfaces').select('id').where('node_id', '=', nodeId).where('is_boot', '=', 1).execute();
    await q.deleteFrom('ip_addresses').where('node_id', '=', nodeId).execute();
    if (boot.length === 0) return;
    await q
      .insertInto('ip_addresses')
      .values(boot.map((i) => ({ node_id: nodeId, interface_id: Number(i.id), ip: simulatedIp(Number(i.id)), created_at: now })))
      .execute();
  }

  /** The body of applyStep, inside a transaction. */
  async function applyIn(trx: Db, nodeId: number, expect: StepExpectation, step: Step, now: number, delay: number): Promise<boolean> {
    const columns = { ...changeColumns(step.changes), updated_at: now, version: sql`version + 1` };
    let update = trx.updateTable('nodes').set(columns as never).where('id', '=', nodeId).where('status', '=', expect.status);
    if (expect.ownerId !== undefined) {
      update = expect.ownerId === null ? update.where('owner_id', 'is', null) : update.where('owner_id', '=', expect.ownerId);
    }
    const result = await update.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    if (step.schedule !== undefined) {
      await trx.deleteFrom('node_transitions').where('node_id', '=', nodeId).execute();
      if (step.schedule !== null) {
        await trx
          .insertInto('node_transitions')
          .values({
            node_id: nodeId,
            kind: step.schedule.kind,
            from_status: step.changes.status ?? expect.status,
            due_at: now + (step.schedule.immediate ? 0 : delay),
            created_at: now,
          })
          .execute();
      }
    }
    if (step.ips === 'assign') await assignIps(trx, nodeId, now);
    if (step.ips === 'release') await trx.deleteFrom('ip_addresses').where('node_id', '=', nodeId).execute();
    return true;
  }

  async function nodeId(q: Db, systemId: string): Promise<number | undefined> {
    const row = await q.selectFrom('nodes').select('id').where('system_id', '=', systemId).executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  function duplicate(error: unknown, what: string): never {
    if (deps.isUniqueViolation(error)) throw new StoreError('ERR_STORE_DUPLICATE', what, { cause: error });
    throw error;
  }

  return {
    async createNode(node) {
      const now = deps.now();
      try {
        const id = await db.transaction().execute(async (trx) => {
          const systemId = node.systemId ?? (await freshSystemId(trx, new Set()));
          const row = await trx
            .insertInto('nodes')
            .values(nodeValues(node, systemId, await defaultZoneId(trx), now))
            .returning('id')
            .executeTakeFirstOrThrow();
          await insertChildren(trx, [{ id: Number(row.id), node }], now);
          return systemId;
        });
        return (await find(db, id))!;
      } catch (error) {
        return duplicate(error, `Node with this Hostname already exists.`);
      }
    },

    async createNodes(nodes) {
      const now = deps.now();
      const taken = new Set<string>();
      const existing = await db.selectFrom('nodes').select('system_id').execute();
      for (const r of existing) taken.add(r.system_id);
      const zoneId = await defaultZoneId(db);
      const CHUNK = 200;
      for (let at = 0; at < nodes.length; at += CHUNK) {
        const chunk = nodes.slice(at, at + CHUNK);
        await db.transaction().execute(async (trx) => {
          const values = chunk.map((n) => {
            let systemId = n.systemId;
            while (systemId === undefined || taken.has(systemId)) systemId = generateSystemId(deps.randomBytes);
            taken.add(systemId);
            return nodeValues(n, systemId, zoneId, now);
          });
          const rows = await trx.insertInto('nodes').values(values).returning(['id', 'system_id']).execute();
          const idBySystemId = new Map(rows.map((r) => [r.system_id, Number(r.id)]));
          await insertChildren(
            trx,
            values.map((v, i) => ({ id: idBySystemId.get(v.system_id)!, node: chunk[i]! })),
            now,
          );
        });
      }
      return nodes.length;
    },

    findNode: (systemId) => find(db, systemId),

    listNodes: (filter) => list(db, filter),

    async listNodeKeys(filter) {
      const where: Where = (eb) => applyFilter(eb, filter);
      const rows = await db
        .selectFrom('nodes')
        .innerJoin('zones', 'zones.id', 'nodes.zone_id')
        .leftJoin('resource_pools', 'resource_pools.id', 'nodes.pool_id')
        .leftJoin('users', 'users.id', 'nodes.owner_id')
        .leftJoin('pods', 'pods.id', 'nodes.pod_id')
        .select([
          'nodes.id',
          'nodes.version',
          'nodes.zone_id',
          'zones.name as zone_name',
          'zones.description as zone_description',
          'nodes.pool_id',
          'resource_pools.name as pool_name',
          'resource_pools.description as pool_description',
          'nodes.pod_id',
          'pods.name as pod_name',
          'nodes.owner_id',
          'users.username as owner_name',
        ])
        .where(where)
        .orderBy('nodes.id')
        .execute();
      if (rows.length === 0) return [];
      const tags = new Map<number, string[]>();
      for (const t of await tagRows(db, rows.length <= SMALL ? rows.map((r) => Number(r.id)) : idsWhere(db, where))) {
        const id = Number(t.node_id);
        tags.set(id, [...(tags.get(id) ?? []), t.name]);
      }
      return rows.map((r) => ({
        id: Number(r.id),
        key: JSON.stringify([
          r.version, r.zone_id, r.zone_name, r.zone_description, r.pool_id, r.pool_name, r.pool_description, r.pod_id, r.pod_name, r.owner_id, r.owner_name,
          tags.get(Number(r.id)) ?? [],
        ]),
      }));
    },

    async nodesByIds(ids) {
      const out: NodeDetail[] = [];
      for (let at = 0; at < ids.length; at += SMALL) {
        out.push(...(await list(db, { ids: ids.slice(at, at + SMALL), nodeTypes: [0, 1, 2, 3, 4] })));
      }
      return out;
    },

    async countNodes(filter) {
      const row = await db
        .selectFrom('nodes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => applyFilter(eb, filter))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async applyStep(systemId, expect, step, now, delay) {
      return db.transaction().execute(async (trx) => {
        const id = await nodeId(trx, systemId);
        if (id === undefined) return false;
        return applyIn(trx, id, expect, step, now, delay);
      });
    },

    async allocateNode(filter, changes, now, dryRun = false) {
      const candidates = { ...filter, statuses: [NODE_STATUS.READY], unlocked: true };
      for (let attempt = 0; attempt < 10; attempt++) {
        const candidate = await db
          .selectFrom('nodes')
          .select(['id', 'system_id'])
          .where((eb) => applyFilter(eb, candidates))
          .where('owner_id', 'is', null)
          // spec §2.6.3: cheapest first, cost = cpu_count + memory / 1024.
          .orderBy(sql`cpu_count + memory / 1024.0`)
          .orderBy('id')
          .limit(1)
          .executeTakeFirst();
        if (!candidate) return undefined;
        if (dryRun) return find(db, candidate.system_id);
        const result = await db
          .updateTable('nodes')
          .set({ ...(changeColumns(changes) as object), updated_at: now, version: sql`version + 1` } as never)
          .where('id', '=', Number(candidate.id))
          .where('status', '=', NODE_STATUS.READY)
          .where('owner_id', 'is', null)
          .where('locked', '=', 0)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) return find(db, candidate.system_id);
      }
      return undefined;
    },

    async updateNode(systemId, u, now) {
      const set: Partial<Record<keyof NodesTable, unknown>> = { updated_at: now, version: sql`version + 1` };
      if (u.hostname !== undefined) set.hostname = u.hostname;
      if (u.description !== undefined) set.description = u.description;
      if (u.architecture !== undefined) set.architecture = u.architecture;
      if (u.minHweKernel !== undefined) set.min_hwe_kernel = u.minHweKernel;
      if (u.powerType !== undefined) set.power_type = u.powerType;
      if (u.powerParameters !== undefined) set.power_parameters = json(u.powerParameters);
      if (u.zoneId !== undefined) set.zone_id = u.zoneId;
      if (u.poolId !== undefined) set.pool_id = u.poolId;
      if (u.cpuCount !== undefined) set.cpu_count = u.cpuCount;
      if (u.memory !== undefined) set.memory = u.memory;
      if (u.swapSize !== undefined) set.swap_size = u.swapSize;
      try {
        const r = await db.updateTable('nodes').set(set as never).where('system_id', '=', systemId).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      } catch (error) {
        return duplicate(error, 'Node with this Hostname already exists.');
      }
    },

    async deleteNode(systemId) {
      return db.transaction().execute(async (trx) => {
        const id = await nodeId(trx, systemId);
        if (id === undefined) return false;
        // Children explicitly, so nothing depends on the dialect enforcing ON DELETE CASCADE.
        await trx.deleteFrom('node_tags').where('node_id', '=', id).execute();
        await trx.deleteFrom('node_transitions').where('node_id', '=', id).execute();
        await trx.deleteFrom('ip_addresses').where('node_id', '=', id).execute();
        await trx.deleteFrom('interfaces').where('node_id', '=', id).execute();
        await trx.deleteFrom('block_devices').where('node_id', '=', id).execute();
        await trx.deleteFrom('nodes').where('id', '=', id).execute();
        return true;
      });
    },

    async advanceDue(now, delay) {
      let ran = 0;
      // Follow-ups with delay 0 become due at once; a few rounds run them too.
      for (let round = 0; round < 8; round++) {
        const due = await db
          .selectFrom('node_transitions')
          .select(['node_id', 'kind', 'from_status', 'due_at'])
          .where('due_at', '<=', now)
          .orderBy('due_at')
          .limit(500)
          .execute();
        if (due.length === 0) break;
        for (const t of due) {
          const applied = await db.transaction().execute(async (trx) => {
            // The claim: only one transaction can delete this exact row.
            const claim = await trx
              .deleteFrom('node_transitions')
              .where('node_id', '=', t.node_id)
              .where('kind', '=', t.kind)
              .where('due_at', '=', t.due_at)
              .executeTakeFirst();
            if (Number(claim.numDeletedRows) !== 1) return false;
            const row = await nodeQuery(trx).where('nodes.id', '=', t.node_id).executeTakeFirst();
            if (!row) return false;
            const node = toRecord(row as NodeRow);
            const step = completeTransition(t.kind as TransitionKind, node);
            if (!step) return false;
            return applyIn(trx, node.id, { status: Number(t.from_status) }, step, now, delay);
          });
          if (applied) ran++;
        }
      }
      return ran;
    },

    async pendingTransitions() {
      const rows = await db
        .selectFrom('node_transitions')
        .innerJoin('nodes', 'nodes.id', 'node_transitions.node_id')
        .select(['nodes.system_id', 'node_transitions.kind', 'node_transitions.from_status', 'node_transitions.due_at'])
        .orderBy('node_transitions.due_at')
        .execute();
      return rows.map((r) => ({ systemId: r.system_id, kind: r.kind as TransitionKind, fromStatus: Number(r.from_status), dueAt: Number(r.due_at) }));
    },

    async macOwners(macs) {
      if (macs.length === 0) return new Map();
      const rows = await db
        .selectFrom('interfaces')
        .innerJoin('nodes', 'nodes.id', 'interfaces.node_id')
        .select(['interfaces.mac_address', 'nodes.hostname'])
        .where('interfaces.mac_address', 'in', macs)
        .execute();
      return new Map(rows.map((r) => [r.mac_address, r.hostname]));
    },

    async inventoryIds(kind, names) {
      if (names.length === 0) return new Map();
      const rows =
        kind === 'zone'
          ? await db.selectFrom('zones').select(['id', 'name']).where('name', 'in', names).execute()
          : kind === 'pool'
            ? await db.selectFrom('resource_pools').select(['id', 'name']).where('name', 'in', names).execute()
            : await db.selectFrom('users').select(['id', 'username as name']).where('username', 'in', names).execute();
      return new Map(rows.map((r) => [r.name, Number(r.id)]));
    },

    async inventoryName(kind, id) {
      const row =
        kind === 'zone'
          ? await db.selectFrom('zones').select('name').where('id', '=', id).executeTakeFirst()
          : await db.selectFrom('resource_pools').select('name').where('id', '=', id).executeTakeFirst();
      return row?.name;
    },
  };
}
