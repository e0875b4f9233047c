// vm-hosts/ and pods/ — VmHostsHandler/VmHostHandler and their deprecated twins
// PodsHandler/PodHandler, which behave identically. spec/maas-resources.md §2.7, §4.
//   GET    vm-hosts/                     200 every pod, by id
//   POST   vm-hosts/ type power_address [name zone pool tags cpu_over_commit_ratio
//          memory_over_commit_ratio default_storage_pool default_macvlan_mode power_user
//          power_pass project password certificate key]
//                                        200 the pod; 400 {field: [..]} (also `__all__` for a pod
//                                        with the same type and address); 403 admin_method
//   GET    vm-hosts/{id}/                200; 404 `Not Found` (piston's default read)
//   PUT    vm-hosts/{id}/ (partial)      200 the pod; 400 {field: [..]} (type cannot change); 403; 404
//   DELETE vm-hosts/{id}/ [decompose]    204 (decompose=true deletes its composed machines); 400 bad flag; 403; 404
//   POST   vm-hosts/{id}/?op=refresh     200 the pod, rediscovered; 403; 404
//   GET    vm-hosts/{id}/?op=parameters  200 the power parameters; 403; 404
//   POST   vm-hosts/{id}/?op=compose [cores memory cpu_speed architecture storage hostname zone pool
//          skip_commissioning …]         200 {system_id, resource_uri}; 400 {field: [..]}; 403; 404
//   POST   vm-hosts/{id}/?op=add_tag|remove_tag tag
//                                        200 the pod; 400 No provided tag! / a comma; 403; 404
// Missing items other than GET read: 404 No Pod matches the given query. Every response
// renders resource_uri /MAAS/api/2.0/vm-hosts/{id}/, also under pods/ (spec §1.3).
import { DEFAULT_POOL_ID, DEFAULT_ZONE_ID } from '../model/groups.ts';
import type { NodeDetail } from '../model/index.ts';
import { NODE_STATUS, generateHostname, generateMac, lifecycle, poolJson, zoneJson } from '../model/index.ts';
import {
  availableResources,
  DEFAULT_COMPOSE_STORAGE,
  discoverHost,
  MACVLAN_MODES,
  POD_CONSOLE_LOGGING_KERNEL_OPTS,
  POD_CONSOLE_LOGGING_TAG,
  POD_TYPES,
  type PodJson,
  type PodType,
  parseStorage,
  podUri,
} from '../model/pods.ts';
import { API_PREFIX } from '../model/wire.ts';
import { type Pod, type PodStoragePool, type PodUsage, type Store, StoreError } from '../store/index.ts';
import { ApiError, badRequest, notFound, validationError } from './errors.ts';
import { atMost, duplicateAsFieldError, FieldErrors, INVALID_CHOICE, invalidChoice, REQUIRED } from './form-errors.ts';
import { formBool, runStep } from './machine-common.ts';
import { type Params, parseStringBool } from './params.ts';
import { type Action, type ActionContext, action, type Handler, type Resource } from './registry.ts';
import { deleted, json } from './render.ts';
import { mandatory } from './users.ts';

const NO_USAGE: PodUsage = { cores: 0, memory: 0, storage: 0, byPool: new Map(), nodeIds: [] };

export function podJson(pod: Pod, usage: PodUsage, zone: { id: number; name: string; description: string }, pool: { id: number; name: string; description: string }): PodJson {
  const total = { cores: pod.cores, memory: pod.memory, local_storage: pod.storagePools.reduce((n, p) => n + p.total, 0) };
  const used = { cores: usage.cores, memory: usage.memory, local_storage: usage.storage };
  return {
    id: pod.id,
    name: pod.name,
    type: pod.type,
    tags: pod.tags,
    architectures: pod.architectures,
    capabilities: pod.capabilities,
    total,
    used,
    available: availableResources(total, used, pod.cpuOverCommitRatio, pod.memoryOverCommitRatio),
    zone: zoneJson(zone),
    pool: poolJson(pool),
    cpu_over_commit_ratio: pod.cpuOverCommitRatio,
    memory_over_commit_ratio: pod.memoryOverCommitRatio,
    storage_pools: pod.storagePools.map((p) => {
      const poolUsed = usage.byPool.get(p.id) ?? 0;
      return { id: p.id, name: p.name, type: p.type, path: p.path, total: p.total, used: poolUsed, available: p.total - poolUsed, default: p.id === pod.defaultStoragePool };
    }),
    host: { system_id: null, __incomplete__: true },
    default_macvlan_mode: pod.defaultMacvlanMode,
    version: pod.version,
    resource_uri: podUri(pod.id),
  };
}

/** Renders pods with a fixed number of queries (zones, pools, usage). */
async function renderPods(store: Store, pods: Pod[]): Promise<PodJson[]> {
  const [zones, pools, usage] = await Promise.all([store.listZones(), store.listPools(), store.podUsage(pods.map((p) => p.id))]);
  const zoneById = new Map(zones.map((z) => [z.id, z]));
  const poolById = new Map(pools.map((p) => [p.id, p]));
  return pods.map((pod) =>
    podJson(
      pod,
      usage.get(pod.id) ?? NO_USAGE,
      zoneById.get(pod.zoneId) ?? { id: pod.zoneId, name: '', description: '' },
      poolById.get(pod.poolId) ?? { id: pod.poolId, name: '', description: '' },
    ),
  );
}

async function renderPod(store: Store, pod: Pod) {
  const [rendered] = await renderPods(store, [pod]);
  return json(rendered);
}

async function lookup(ctx: ActionContext): Promise<Pod | undefined> {
  const id = ctx.path['id'] ?? '';
  return /^\d{1,15}$/.test(id) ? ctx.store.findPod(Number(id)) : undefined;
}

/** get_pod_or_404 (spec §2.7). */
async function findPod(ctx: ActionContext): Promise<Pod> {
  const pod = await lookup(ctx);
  if (!pod) throw notFound('Pod');
  return pod;
}

/** A libvirt-style UUID for a discovered storage pool. */
function uuid(randomBytes: ActionContext['randomBytes']): string {
  const hex = Buffer.from(randomBytes(16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Discovery's storage pools, keeping the ids of pools already known by name. */
function discoveredPools(ctx: ActionContext, type: PodType, known: PodStoragePool[] = []): PodStoragePool[] {
  return discoverHost(type).storagePools.map((p) => ({ ...p, id: known.find((k) => k.name === p.name)?.id ?? uuid(ctx.randomBytes) }));
}

const POWER_FIELDS: Record<PodType, readonly string[]> = {
  virsh: ['power_address', 'power_user', 'power_pass'],
  lxd: ['power_address', 'project', 'password', 'certificate', 'key'],
};

function powerParameters(data: Params, type: PodType, current: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of POWER_FIELDS[type]) {
    const value = data.get(field) ?? current[field];
    if (value !== undefined && value !== '') out[field] = value;
  }
  if (type === 'lxd') out['project'] ??= 'default';
  return out;
}

function commaList(value: string): string[] {
  return value.split(',').map((t) => t.trim()).filter((t) => t !== '');
}

interface PodForm {
  name?: string;
  tags?: string[];
  zoneId?: number;
  poolId?: number;
  cpuOverCommitRatio?: number;
  memoryOverCommitRatio?: number;
  defaultStoragePool?: string;
  defaultMacvlanMode?: string | null;
}

/** The settings create and update share, validated; the storage pools to pick a default from. */
async function podForm(ctx: ActionContext, errors: FieldErrors, storagePools: PodStoragePool[]): Promise<PodForm> {
  const { data, store } = ctx;
  const out: PodForm = {};
  const name = data.get('name')?.trim();
  if (name !== undefined && name !== '') {
    if (name.length > 255) errors.add('name', `Ensure this value has at most 255 characters (it has ${name.length}).`);
    out.name = name;
  }
  const tags = data.get('tags');
  if (tags !== undefined) out.tags = commaList(tags);
  const zone = data.get('zone');
  if (zone !== undefined && zone !== '') {
    const found = await store.findZone(zone);
    if (found) out.zoneId = found.id;
    else errors.add('zone', INVALID_CHOICE);
  }
  const pool = data.get('pool');
  if (pool !== undefined && pool !== '') {
    const found = await store.findPoolByName(pool);
    if (found) out.poolId = found.id;
    else errors.add('pool', INVALID_CHOICE);
  }
  const cpu = errors.float(data, 'cpu_over_commit_ratio', { min: 0, max: 10 });
  if (cpu !== undefined) out.cpuOverCommitRatio = cpu;
  const memory = errors.float(data, 'memory_over_commit_ratio', { min: 0, max: 10 });
  if (memory !== undefined) out.memoryOverCommitRatio = memory;
  const storage = data.get('default_storage_pool');
  if (storage !== undefined && storage !== '') {
    const found = storagePools.find((p) => p.id === storage || p.name === storage);
    if (found) out.defaultStoragePool = found.id;
    else errors.add('default_storage_pool', INVALID_CHOICE);
  }
  const macvlan = data.get('default_macvlan_mode');
  if (macvlan !== undefined) {
    if (macvlan === '') out.defaultMacvlanMode = null;
    else if ((MACVLAN_MODES as readonly string[]).includes(macvlan)) out.defaultMacvlanMode = macvlan;
    else errors.add('default_macvlan_mode', invalidChoice(macvlan));
  }
  return out;
}

/** MAAS gives VM hosts the pod-console-logging tag, which exists as a tag too (spec §2.7). */
async function ensureConsoleTag(store: Store) {
  const tag = await store.findTag(POD_CONSOLE_LOGGING_TAG);
  if (tag) return tag;
  return store
    .createTag({ name: POD_CONSOLE_LOGGING_TAG, definition: '', comment: 'Set kernel parameters for console logging on VMs.', kernelOpts: POD_CONSOLE_LOGGING_KERNEL_OPTS })
    .catch(async (error: unknown) => {
      // Created concurrently by another request: use that one.
      const again = await store.findTag(POD_CONSOLE_LOGGING_TAG);
      if (again) return again;
      throw error;
    });
}

async function sameHost(store: Store, type: string, address: string, project: string | undefined, except?: number) {
  const other = await store.findPodByAddress(type, address);
  if (!other || other.id === except) return undefined;
  if (type === 'lxd' && project !== undefined) {
    const params = await store.podPowerParameters(other.id);
    if ((params?.['project'] ?? 'default') !== project) return undefined;
  }
  return other;
}

function duplicateHost(name: string): ApiError {
  return validationError({ __all__: [`Pod ${name} with type and parameters already exist.`] });
}

async function createPod(ctx: ActionContext) {
  const errors = new FieldErrors();
  const typeValue = ctx.data.get('type');
  let type: PodType | undefined;
  if (typeValue === undefined || typeValue === '') errors.add('type', REQUIRED);
  else if ((POD_TYPES as readonly string[]).includes(typeValue)) type = typeValue as PodType;
  else errors.add('type', invalidChoice(typeValue));
  const address = ctx.data.get('power_address');
  if (type && (address === undefined || address === '')) errors.add('power_address', REQUIRED);
  const storagePools = type ? discoveredPools(ctx, type) : [];
  const form = await podForm(ctx, errors, storagePools);
  errors.check();
  if (!type || !address) throw validationError({ type: [REQUIRED] });

  const params = powerParameters(ctx.data, type);
  const other = await sameHost(ctx.store, type, address, params['project']);
  if (other) throw duplicateHost(other.name);
  const host = discoverHost(type);
  await ensureConsoleTag(ctx.store);
  const tags = [...new Set([...(form.tags ?? []), POD_CONSOLE_LOGGING_TAG])];
  const settings = {
    tags,
    zoneId: form.zoneId ?? DEFAULT_ZONE_ID,
    poolId: form.poolId ?? DEFAULT_POOL_ID,
    cpuOverCommitRatio: form.cpuOverCommitRatio ?? 1,
    memoryOverCommitRatio: form.memoryOverCommitRatio ?? 1,
    defaultStoragePool: form.defaultStoragePool ?? storagePools[0]?.id ?? '',
    defaultMacvlanMode: form.defaultMacvlanMode ?? null,
    cores: host.cores,
    memory: host.memory,
    cpuSpeed: host.cpuSpeed,
    architectures: host.architectures,
    capabilities: host.capabilities,
    storagePools,
    version: host.version,
    type,
    powerParameters: params,
  };
  // An unnamed pod gets a petname, as MAAS does; retry if the name happens to be taken.
  for (let attempt = 0; ; attempt++) {
    const name = form.name ?? generateHostname(ctx.randomBytes);
    try {
      return await renderPod(ctx.store, await ctx.store.createPod({ ...settings, name }));
    } catch (error) {
      const taken = error instanceof StoreError && error.code === 'ERR_STORE_DUPLICATE';
      if (!taken || form.name !== undefined || attempt >= 5) duplicateAsFieldError(error);
    }
  }
}

async function updatePod(ctx: ActionContext) {
  const pod = await findPod(ctx);
  const type = pod.type as PodType;
  const errors = new FieldErrors();
  const typeValue = ctx.data.get('type');
  if (typeValue !== undefined && typeValue !== '' && typeValue !== pod.type) {
    errors.add('type', 'Cannot change the type of a pod. Delete and re-create the pod with a different type.');
  }
  const form = await podForm(ctx, errors, pod.storagePools);
  if (ctx.data.get('power_address') === '') errors.add('power_address', REQUIRED);
  errors.check();
  const current = (await ctx.store.podPowerParameters(pod.id)) ?? {};
  const params = powerParameters(ctx.data, type, current);
  const address = params['power_address'] ?? pod.powerAddress;
  const other = await sameHost(ctx.store, type, address, params['project'], pod.id);
  if (other) throw duplicateHost(other.name);
  // MAAS re-syncs the host after an update (spec §2.7).
  const host = discoverHost(type);
  const updated = await ctx.store
    .updatePod(pod.id, {
      ...form,
      ...(form.tags === undefined ? {} : { tags: [...new Set([...form.tags, POD_CONSOLE_LOGGING_TAG])] }),
      powerParameters: params,
      cores: host.cores,
      memory: host.memory,
      cpuSpeed: host.cpuSpeed,
      version: host.version,
    })
    .catch((error: unknown) => duplicateAsFieldError(error));
  if (!updated) throw notFound('Pod');
  return renderPod(ctx.store, updated);
}

async function deletePod(ctx: ActionContext) {
  const pod = await findPod(ctx);
  const flag = ctx.query.get('decompose');
  const decompose = flag === undefined || flag === '' ? false : parseStringBool(flag);
  if (decompose === undefined) throw badRequest(`Invalid decompose: Value should be "true" or "false"`);
  await ctx.store.deletePod(pod.id, { decompose });
  return deleted();
}

async function refreshPod(ctx: ActionContext) {
  const pod = await findPod(ctx);
  const type = pod.type as PodType;
  const host = discoverHost(type);
  const storagePools = discoveredPools(ctx, type, pod.storagePools);
  const updated = await ctx.store.updatePod(pod.id, {
    cores: host.cores,
    memory: host.memory,
    cpuSpeed: host.cpuSpeed,
    architectures: host.architectures,
    capabilities: host.capabilities,
    storagePools,
    version: host.version,
    ...(storagePools.some((p) => p.id === pod.defaultStoragePool) ? {} : { defaultStoragePool: storagePools[0]?.id ?? '' }),
  });
  if (!updated) throw notFound('Pod');
  return renderPod(ctx.store, updated);
}

async function podTag(ctx: ActionContext, add: boolean) {
  const pod = await findPod(ctx);
  const tag = mandatory(ctx.data, 'tag');
  if (tag.includes(',')) throw badRequest('Tag may not contain a ",".');
  const tags = add ? [...new Set([...pod.tags, tag])] : pod.tags.filter((t) => t !== tag);
  const updated = await ctx.store.updatePod(pod.id, { tags });
  if (!updated) throw notFound('Pod');
  return renderPod(ctx.store, updated);
}

interface ComposeRequest {
  cores: number;
  memory: number;
  cpuSpeed: number;
  architecture: string;
  disks: Array<{ size: number; storagePool: string }>;
  hostname: string | undefined;
  zoneId: number;
  poolId: number;
  skipCommissioning: boolean;
}

/** ComposeMachineForm (spec §2.7): limits are what the pod has available now. */
async function composeForm(ctx: ActionContext, pod: Pod): Promise<ComposeRequest> {
  const { data, store } = ctx;
  const usage = (await store.podUsage([pod.id])).get(pod.id) ?? NO_USAGE;
  const total = { cores: pod.cores, memory: pod.memory, local_storage: pod.storagePools.reduce((n, p) => n + p.total, 0) };
  const available = availableResources(total, { cores: usage.cores, memory: usage.memory, local_storage: usage.storage }, pod.cpuOverCommitRatio, pod.memoryOverCommitRatio);
  const errors = new FieldErrors();
  const cores = errors.int(data, 'cores', { min: 1, max: available.cores }) ?? 1;
  if (!data.has('cores') && available.cores < 1) errors.add('cores', atMost(available.cores));
  const memory = errors.int(data, 'memory', { min: 1024, max: available.memory }) ?? 2048;
  if (!data.has('memory') && available.memory < 2048) errors.add('memory', atMost(available.memory));
  const cpuSpeed = errors.int(data, 'cpu_speed', { min: 300, max: pod.cpuSpeed }) ?? pod.cpuSpeed;
  const architecture = data.get('architecture') || pod.architectures[0] || 'amd64/generic';
  if (!pod.architectures.includes(architecture)) errors.add('architecture', invalidChoice(architecture));

  const disks: ComposeRequest['disks'] = [];
  const storageText = data.get('storage') || DEFAULT_COMPOSE_STORAGE;
  const parsed = parseStorage(storageText);
  if (!parsed.ok) errors.add('storage', `Malformed storage constraint, "${parsed.bad}".`);
  else {
    const wanted = new Map<string, number>();
    for (const disk of parsed.disks) {
      // A tag naming one of the host's storage pools picks it; otherwise the default pool.
      const pool = pod.storagePools.find((p) => disk.tags.includes(p.name)) ?? pod.storagePools.find((p) => p.id === pod.defaultStoragePool);
      if (!pool) {
        errors.add('storage', 'The VM host has no storage pool for this request.');
        break;
      }
      disks.push({ size: disk.size, storagePool: pool.id });
      wanted.set(pool.id, (wanted.get(pool.id) ?? 0) + disk.size);
    }
    for (const [poolId, size] of wanted) {
      const pool = pod.storagePools.find((p) => p.id === poolId)!;
      if (size > pool.total - (usage.byPool.get(poolId) ?? 0)) {
        errors.add('storage', `Not enough space in storage pool "${pool.name}" of the VM host.`);
      }
    }
  }
  const hostname = data.get('hostname')?.trim() || undefined;
  if (hostname !== undefined && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(hostname)) {
    errors.add('hostname', 'Node hostname must be a valid hostname.');
  }
  let zoneId = pod.zoneId;
  const zone = data.get('zone');
  if (zone !== undefined && zone !== '') {
    const found = /^\d+$/.test(zone) ? await store.findZoneById(Number(zone)) : undefined;
    if (found) zoneId = found.id;
    else errors.add('zone', INVALID_CHOICE);
  }
  let poolId = pod.poolId;
  const pool = data.get('pool');
  if (pool !== undefined && pool !== '') {
    const found = /^\d+$/.test(pool) ? await store.findPoolById(Number(pool)) : undefined;
    if (found) poolId = found.id;
    else errors.add('pool', INVALID_CHOICE);
  }
  errors.check();
  return { cores, memory, cpuSpeed, architecture, disks, hostname, zoneId, poolId, skipCommissioning: formBool(data.get('skip_commissioning')) };
}

async function createComposed(ctx: ActionContext, pod: Pod, request: ComposeRequest): Promise<NodeDetail> {
  for (let attempt = 0; ; attempt++) {
    const hostname = request.hostname ?? generateHostname(ctx.randomBytes);
    const powerId = pod.type === 'lxd' ? { instance_name: hostname } : { power_id: hostname };
    const params = (await ctx.store.podPowerParameters(pod.id)) ?? {};
    try {
      return await ctx.store.createNode({
        hostname,
        architecture: request.architecture,
        status: NODE_STATUS.NEW,
        ownerId: null,
        zoneId: request.zoneId,
        poolId: request.poolId,
        cpuCount: request.cores,
        cpuSpeed: request.cpuSpeed,
        memory: request.memory,
        powerType: pod.type,
        powerState: 'off',
        powerParameters: { power_address: params['power_address'] ?? pod.powerAddress, ...powerId, ...(params['project'] ? { project: params['project'] } : {}) },
        podId: pod.id,
        interfaces: [
          {
            name: pod.type === 'lxd' ? 'eth0' : 'ens3',
            macAddress: generateMac(ctx.randomBytes),
            isBoot: true,
            linkSpeed: 0,
            interfaceSpeed: 0,
            vendor: 'Red Hat, Inc.',
            product: 'Virtio network device',
            firmwareVersion: null,
          },
        ],
        blockDevices: request.disks.map((disk, i) => ({
          name: `sd${String.fromCharCode(97 + (i % 26))}`,
          model: 'QEMU HARDDISK',
          serial: `QM${String(pod.id).padStart(5, '0')}${String(i + 1).padStart(3, '0')}`,
          idPath: null,
          size: disk.size,
          blockSize: 512,
          tags: [],
          firmwareVersion: null,
          isBoot: i === 0,
        })),
      });
    } catch (error) {
      const taken = error instanceof StoreError && error.code === 'ERR_STORE_DUPLICATE';
      if (taken && request.hostname !== undefined) throw validationError({ hostname: ['Node with this Hostname already exists.'] });
      if (!taken || attempt >= 5) throw error;
    }
  }
}

/**
 * Whether the machine `nodeId` still fits once every machine the pod composed is counted. Two
 * composes racing for the last resources both pass the form; counting machines in id order,
 * each racer reaches the same verdict, so the earlier one stays and the later gives its
 * machine back (no lock needed, also across servers sharing a database).
 */
async function fitsInOrder(store: Store, pod: Pod, nodeId: number): Promise<boolean> {
  const total = { cores: pod.cores, memory: pod.memory, local_storage: pod.storagePools.reduce((n, p) => n + p.total, 0) };
  const limit = availableResources(total, { cores: 0, memory: 0, local_storage: 0 }, pod.cpuOverCommitRatio, pod.memoryOverCommitRatio);
  const nodes = await store.listNodes({ podIds: [pod.id] });
  let cores = 0;
  let memory = 0;
  let storage = 0;
  for (const node of nodes) {
    if (node.id > nodeId) break;
    cores += node.cpuCount;
    memory += node.memory;
    storage += node.blockDevices.reduce((n, d) => n + d.size, 0);
  }
  return cores <= limit.cores && memory <= limit.memory && storage <= limit.local_storage;
}

async function composePod(ctx: ActionContext) {
  const pod = await findPod(ctx);
  if (!pod.capabilities.includes('composable')) throw badRequest('VM host does not support composability.');
  const request = await composeForm(ctx, pod);
  const node = await createComposed(ctx, pod, request);
  await ctx.store.attachComposed(pod.id, node.id, request.disks);

  if (!(await fitsInOrder(ctx.store, pod, node.id))) {
    await ctx.store.deleteNode(node.systemId);
    throw validationError({ __all__: ['The VM host does not have enough resources left for this machine.'] });
  }

  // The new machine is NEW, then commissions to READY (spec §2.7), or is READY at once.
  await runStep(ctx, node, (current) =>
    request.skipCommissioning
      ? { changes: { ...lifecycle.statusChange(current, NODE_STATUS.READY), statusMessage: 'Ready' } }
      : lifecycle.commission(current, ctx.user?.id ?? 0),
  );
  const consoleTag = await ctx.store.findTag(POD_CONSOLE_LOGGING_TAG);
  if (consoleTag && pod.tags.includes(POD_CONSOLE_LOGGING_TAG)) await ctx.store.tagNodes(consoleTag.id, [node.id]);
  return json({ system_id: node.systemId, resource_uri: `${API_PREFIX}machines/${node.systemId}/` });
}

const ID_PARAM = ':param id: The VM host\'s ID.\n:type id: Int';

const CREATE_DOC = `Create a VM host.\n\n:param type: The type of VM host to create: \`\`lxd\`\` or \`\`virsh\`\`.\n:type type: String\n\n:param power_address: Address that gives MAAS access to the VM host power control. For example, for virsh \`\`qemu+ssh://172.16.99.2/system\`\`; for lxd, this is just the address of the host.\n:type power_address: String\n\n:param power_user: Username to use for power control of the VM host. Required for virsh VM hosts that do not have SSH set up for public-key authentication.\n:type power_user: String\n\n:param power_pass: Password to use for power control of the VM host. Required virsh VM hosts that do not have SSH set up for public-key authentication and for lxd if the MAAS certificate is not registered already in the LXD server.\n:type power_pass: String\n\n:param name: The new VM host's name.\n:type name: String\n\n:param zone: The new VM host's zone.\n:type zone: String\n\n:param pool: The name of the resource pool the new VM host will belong to. Machines composed from this VM host will be assigned to this resource pool by default.\n:type pool: String\n\n:param tags: A tag or list of tags ( comma delimited) to assign to the new VM host.\n:type tags: String\n\n:param project: For \`\`lxd\`\` VM hosts, the project that MAAS will manage. If not provided, the \`\`default\`\` project will be used. If a nonexistent name is given, a new project with that name will be created.\n:type project: String`;

const COMPOSE_DOC = `Compose a virtual machine on the host.\n\nCompose a new machine from a VM host.\n\n:param cores: The minimum number of CPU cores.\n:type cores: Int\n\n:param memory: The minimum amount of memory, specified in MiB (e.g. 2 MiB == 2*1024*1024).\n:type memory: Int\n\n:param hugepages_backed: Whether to request hugepages backing for the machine.\n:type hugepages_backed: Boolean\n\n:param pinned_cores: List of host CPU cores to pin the VM to. If this is passed, the "cores" parameter is ignored.\n:type pinned_cores: Int\n\n:param cpu_speed: The minimum CPU speed, specified in MHz.\n:type cpu_speed: Int\n\n:param architecture: The architecture of the new machine (e.g. amd64). This must be an architecture the VM host supports.\n:type architecture: String\n\n:param storage: A list of storage constraint identifiers in the form \`\`label:size(tag,tag,...), label:size(tag,tag,...)\`\`. For more information please see the CLI VM host management page of the official MAAS documentation.\n:type storage: String\n\n:param interfaces: A labeled constraint map associating constraint labels with desired interface properties. MAAS will assign interfaces that match the given interface properties.\n:type interfaces: String\n\n:param hostname: The hostname of the newly composed machine.\n:type hostname: String\n\n:param domain: The ID of the domain in which to put the newly composed machine.\n:type domain: Int\n\n:param zone: The ID of the zone in which to put the newly composed machine.\n:type zone: Int\n\n:param pool: The ID of the pool in which to put the newly composed machine.\n:type pool: Int\n\n:param skip_commissioning: Whether to skip commissioning the newly composed machine.\n:type skip_commissioning: Boolean`;

function collectionHandler(name: string, noun: string): Handler {
  return {
    name,
    doc: `Manage ${noun}s.`,
    actions: [
      action('GET', null, `List ${noun}s.\n\nGet a listing of all ${noun}s.`, async (ctx) => json(await renderPods(ctx.store, await ctx.store.listPods()))),
      action('POST', null, CREATE_DOC, createPod, { admin: true }),
    ],
  };
}

function itemActions(noun: string): Action[] {
  return [
    action('GET', null, `Read a ${noun}.\n\n${ID_PARAM}`, async (ctx) => {
      // piston's default read: a plain pk lookup whose miss is `Not Found` (spec §2.7, §5).
      const pod = await lookup(ctx);
      if (!pod) throw new ApiError(404, 'ERR_API_NOT_FOUND', 'Not Found', { contentType: 'text/plain' });
      return renderPod(ctx.store, pod);
    }),
    action('PUT', null, `Update a specific ${noun} by ID.\n\n${ID_PARAM}\n\n:param name: The VM host's name.\n:type name: String\n\n:param cpu_over_commit_ratio: CPU overcommit ratio (0-10)\n:type cpu_over_commit_ratio: Int\n\n:param memory_over_commit_ratio: CPU overcommit ratio (0-10)\n:type memory_over_commit_ratio: Int\n\n:param default_storage_pool: Default KVM storage pool to use when the VM host has storage pools.\n:type default_storage_pool: String\n\n:param zone: The VM host's zone.\n:type zone: String\n\n:param pool: The name of the resource pool associated with this VM host.\n:type pool: String\n\n:param tags: Tag or tags (command separated) associated with the VM host.\n:type tags: String`, updatePod, { admin: true }),
    action('DELETE', null, `Deletes a ${noun}.\n\n${ID_PARAM}\n\n:param decompose: Whether to also also decompose all machines in the VM host on removal. If not provided, machines will not be removed.\n:type decompose: Boolean`, deletePod, { admin: true }),
    action('POST', 'refresh', `Refresh a ${noun}.\n\nPerforms VM host discovery and updates all discovered information and discovered machines.\n\n${ID_PARAM}`, refreshPod, { admin: true }),
    action('GET', 'parameters', `Obtain ${noun} parameters.\n\nThis returns a ${noun}'s configuration parameters. For some types of ${noun}, this will include private information such as passwords and secret keys.\n\n${ID_PARAM}`, async (ctx) => {
      const pod = await findPod(ctx);
      return json((await ctx.store.podPowerParameters(pod.id)) ?? {});
    }, { admin: true }),
    action('POST', 'compose', COMPOSE_DOC, composePod, { admin: true }),
    action('POST', 'add_tag', `Add a tag to a ${noun}.\n\n${ID_PARAM}\n\n:param tag: The tag to add.\n:type tag: String`, (ctx) => podTag(ctx, true), { admin: true }),
    action('POST', 'remove_tag', `Remove a tag from a ${noun}.\n\n${ID_PARAM}\n\n:param tag: The tag to remove.\n:type tag: String`, (ctx) => podTag(ctx, false), { admin: true }),
  ];
}

export const vmHostsResource: Resource = { path: 'vm-hosts/', auth: collectionHandler('VmHostsHandler', 'VM host') };
export const vmHostResource: Resource = {
  path: 'vm-hosts/{id}/',
  auth: { name: 'VmHostHandler', doc: 'Manage an individual VM host.\n\nA VM host is a physical machine that hosts virtual machines (VMs).', actions: itemActions('VM host') },
};
export const podsResource: Resource = { path: 'pods/', auth: collectionHandler('PodsHandler', 'VM host') };
export const podResource: Resource = {
  path: 'pods/{id}/',
  auth: { name: 'PodHandler', doc: 'Manage an individual VM host (the deprecated pods/ alias of vm-hosts/).', actions: itemActions('VM host') },
};
