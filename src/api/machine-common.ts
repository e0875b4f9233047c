// What the nodes/ and machines/ handlers share: the caller, permissions (spec §4), read and
// allocate filters (§2.6.1, §2.6.3), lifecycle errors mapped to MAAS's statuses (§5), and
// running a lifecycle step against the store.
import {
  ARCHITECTURES,
  LifecycleError,
  machineJson,
  matchStorage,
  NODE_STATUS,
  type NodeDetail,
  normaliseMac,
  parseStorageConstraint,
  type Step,
  STATUS_BY_FILTER_NAME,
  simpleStatusCodes,
} from '../model/index.ts';
import type { NodeFilter, User } from '../store/index.ts';
import { ApiError, badRequest, conflict, forbidden, notFound, validationError } from './errors.ts';
import type { Params } from './params.ts';
import type { ActionContext } from './registry.ts';
import { json } from './render.ts';

export function caller(ctx: ActionContext): User {
  if (!ctx.user) throw new ApiError(401, 'ERR_API_FORBIDDEN', 'Forbidden', { contentType: 'text/plain' });
  return ctx.user;
}

/** Runs the simulated steps that are due, so every answer reflects the clock (DESIGN D7). */
export async function catchUp(ctx: ActionContext): Promise<void> {
  await ctx.store.advanceDue(ctx.now(), ctx.transitionDelay);
}

/** A plain PermissionDenied: 403 with an empty body (spec §4). */
export const denied = (): ApiError => forbidden('');

export type Permission = 'view' | 'edit' | 'admin' | 'admin_read' | 'lock';

/** spec §4: whether `user` has `perm` on `node`. */
export function permits(user: User, node: NodeDetail, perm: Permission): boolean {
  const mineOrFree = node.ownerId === null || node.ownerId === user.id || user.isSuperuser;
  switch (perm) {
    case 'view':
      return mineOrFree;
    case 'edit':
      return mineOrFree && !node.locked;
    case 'admin':
      return user.isSuperuser && !node.locked;
    case 'admin_read':
      return user.isSuperuser;
    case 'lock':
      return node.pool !== null && mineOrFree;
  }
}

/**
 * The node at {system_id}, if the caller may `perm` it: a node of another type, or none, is
 * 404 `No <Model> matches the given query.`; not permitted is 403 with an empty body (spec §4, §5).
 */
export async function loadNode(ctx: ActionContext, perm: Permission, model: 'Machine' | 'Node' = 'Machine'): Promise<NodeDetail> {
  const user = caller(ctx);
  await catchUp(ctx);
  const node = await ctx.store.findNode(ctx.path['system_id'] ?? '');
  if (!node || (model === 'Machine' && node.nodeType !== 0)) throw notFound(model);
  if (model === 'Node' && !user.isSuperuser && node.nodeType >= 2) throw notFound(model);
  if (!permits(user, node, perm)) throw denied();
  return node;
}

/** A refused lifecycle op, as MAAS answers it (spec §3.3, §5). */
export function lifecycleError(error: LifecycleError): ApiError {
  switch (error.kind) {
    case 'conflict':
      return conflict(error.message);
    case 'forbidden':
      return forbidden(error.message);
    case 'validation':
      return validationError(error.fields ?? { __all__: [error.message] });
    case 'bad_request':
      return badRequest(error.message);
  }
}

/** Computes a step from a fresh read of the node (lifecycle errors mapped), or rethrows. */
export function plan(compute: () => Step): Step {
  try {
    return compute();
  } catch (error) {
    if (error instanceof LifecycleError) throw lifecycleError(error);
    throw error;
  }
}

/**
 * Applies `compute(node)` to the node, conditionally on the status it was computed from; a
 * concurrent change is retried against the new state a few times, then answered 409.
 */
export async function runStep(
  ctx: ActionContext,
  node: NodeDetail,
  compute: (node: NodeDetail) => Step,
  expectOwner = false,
): Promise<NodeDetail> {
  let current = node;
  for (let attempt = 0; attempt < 5; attempt++) {
    const step = plan(() => compute(current));
    if (step.noop) return current;
    const expect = expectOwner ? { status: current.status, ownerId: current.ownerId } : { status: current.status };
    if (await ctx.store.applyStep(current.systemId, expect, step, ctx.now(), ctx.transitionDelay)) {
      return (await ctx.store.findNode(current.systemId)) ?? current;
    }
    const again = await ctx.store.findNode(current.systemId);
    if (!again) throw notFound('Machine');
    current = again;
  }
  throw conflict('The machine changed while the request ran; try again.');
}

export const machine = (node: NodeDetail) => json(machineJson(node));

// ---------------------------------------------------------------------------------------------
// Filters (spec §2.6.1)

/** Keys read and allocate always ignore (spec §2.6.1). */
const IGNORED = new Set(['op', 'comment', 'bridge_all', 'bridge_type', 'bridge_stp', 'bridge_fd', 'dry_run', 'verbose', 'format']);

/**
 * Constraints MAAS knows but maaskit's simulated network and storage cannot evaluate: they are
 * accepted and match every machine (docs/compatibility.md).
 */
const UNEVALUATED = new Set([
  'fabrics', 'not_fabrics', 'fabric_classes', 'not_fabric_classes', 'subnets', 'not_subnets', 'vlans', 'not_vlans',
  'link_speed', 'deployment_target', 'not_deployment_target', 'interfaces', 'devices',
]);

const READ_KEYS = new Set([
  'pod', 'not_pod', 'pod_type', 'not_pod_type',
  'id', 'system_id', 'not_id', 'hostname', 'not_hostname', 'mac_address', 'domain', 'not_domain', 'agent_name',
  'not_agent_name', 'zone', 'not_in_zone', 'pool', 'not_in_pool', 'arch', 'not_arch', 'tags', 'not_tags', 'status',
  'not_status', 'simple_status', 'not_simple_status', 'owner', 'not_owner', 'power_state', 'not_power_state',
  'cpu_count', 'mem', 'cpu_speed', 'storage',
]);

/** Allocation takes the hardware constraints, not the read-only ones (spec §2.6.3). */
const ALLOCATE_KEYS = new Set([
  'pod', 'not_pod', 'pod_type', 'not_pod_type',
  'name', 'system_id', 'arch', 'not_arch', 'cpu_count', 'mem', 'cpu_speed', 'tags', 'not_tags', 'zone', 'not_in_zone',
  'pool', 'not_in_pool', 'domain', 'not_domain', 'storage',
]);

const NUMERIC = new Set(['cpu_count', 'mem', 'cpu_speed']);

/** Architectures as `arch/subarch`; a bare `arch` means `arch/generic` (spec §2.6.2). */
export function normaliseArchitecture(value: string): string | undefined {
  const v = value.includes('/') ? value : `${value}/generic`;
  return (ARCHITECTURES as readonly string[]).includes(v) ? v : undefined;
}

export interface ParsedFilter {
  filter: NodeFilter;
  /** The constraints given, in request order, for allocate's 409 text. */
  given: Array<[string, string[]]>;
  /** With a `storage` constraint: the matched disks (device id → label) by node id. */
  storage?: Map<number, Map<number, string>>;
}

/**
 * Parses read (`mode: 'read'`) or allocate constraints into a store filter. Unknown keys are
 * 400 `{"<key>": ["No such constraint."]}`; unknown names and bad values are 400 field errors.
 */
export async function parseFilter(ctx: ActionContext, params: Params, mode: 'read' | 'allocate'): Promise<ParsedFilter> {
  const known = mode === 'read' ? READ_KEYS : ALLOCATE_KEYS;
  const errors: Record<string, string[]> = {};
  const add = (key: string, message: string) => {
    errors[key] = [...(errors[key] ?? []), message];
  };
  const filter: NodeFilter = {};
  const given: Array<[string, string[]]> = [];
  for (const key of params.names()) {
    if (IGNORED.has(key) || (mode === 'allocate' && key === 'agent_name')) continue;
    if (UNEVALUATED.has(key)) {
      given.push([key, params.getAll(key)]);
      continue;
    }
    if (!known.has(key)) add(key, 'No such constraint.');
    else given.push([key, params.getAll(key)]);
  }
  const values = (key: string) => params.getAll(key).flatMap((v) => (key.endsWith('tags') ? v.split(',') : [v])).map((v) => v.trim()).filter((v) => v !== '');
  const list = (key: string): string[] | undefined => (params.has(key) ? values(key) : undefined);

  const ids = [...(list('id') ?? []), ...(list('system_id') ?? [])];
  if (ids.length > 0) filter.systemIds = ids;
  if (list('not_id')) filter.notSystemIds = list('not_id')!;
  const names = list('hostname') ?? (mode === 'allocate' ? list('name')?.map((n) => n.split('.')[0]!) : undefined);
  if (names) filter.hostnames = names;
  if (list('not_hostname')) filter.notHostnames = list('not_hostname')!;
  const macs = list('mac_address');
  if (macs) {
    const parsed: string[] = [];
    for (const mac of macs) {
      const m = normaliseMac(mac);
      if (m === undefined) add('mac_address', `'${mac}' is not a valid MAC address.`);
      else parsed.push(m);
    }
    filter.macAddresses = parsed;
  }
  // One domain (`maas`) exists: naming it matches everything, naming another matches nothing.
  const domains = list('domain');
  if (domains && !domains.every((d) => d === 'maas')) filter.ids = [];
  const notDomains = list('not_domain');
  if (notDomains?.includes('maas')) filter.ids = [];

  for (const [key, target, notTarget, model, label] of [
    ['zone', 'zoneIds', 'notZoneIds', 'zone', 'zone'],
    ['pool', 'poolIds', 'notPoolIds', 'pool', 'pool'],
  ] as const) {
    const wanted = list(key);
    const unwanted = list(key === 'zone' ? 'not_in_zone' : 'not_in_pool');
    const all = [...(wanted ?? []), ...(unwanted ?? [])];
    if (all.length === 0) continue;
    const found = await ctx.store.inventoryIds(model, all);
    const missing = [...new Set(all.filter((n) => !found.has(n)))];
    if (missing.length > 0) add(wanted?.some((n) => missing.includes(n)) ? key : key === 'zone' ? 'not_in_zone' : 'not_in_pool', `No such ${label}(s): ${missing.join(', ')}.`);
    if (wanted) filter[target] = wanted.flatMap((n) => (found.has(n) ? [found.get(n)!] : []));
    if (unwanted) filter[notTarget] = unwanted.flatMap((n) => (found.has(n) ? [found.get(n)!] : []));
  }

  for (const [key, target] of [
    ['arch', 'architectures'],
    ['not_arch', 'notArchitectures'],
  ] as const) {
    const archs = list(key);
    if (!archs) continue;
    const parsed = archs.flatMap((a) => (a.includes('/') ? [a] : ARCHITECTURES.filter((x) => x.startsWith(`${a}/`))));
    if (archs.some((a) => normaliseArchitecture(a) === undefined && !ARCHITECTURES.some((x) => x === a))) add(key, 'Architecture not recognised.');
    filter[target] = parsed;
  }

  for (const [key, target] of [
    ['tags', 'tags'],
    ['not_tags', 'notTags'],
  ] as const) {
    const tags = list(key);
    if (!tags) continue;
    const missing: string[] = [];
    for (const tag of tags) if (!(await ctx.store.findTag(tag))) missing.push(tag);
    if (missing.length > 0) add(key, `No such tag(s): ${missing.map((t) => `'${t}'`).join(', ')}.`);
    filter[target] = tags;
  }

  for (const [key, target] of [
    ['status', 'statuses'],
    ['not_status', 'notStatuses'],
  ] as const) {
    const names = list(key);
    if (!names) continue;
    const codes: number[] = [];
    for (const n of names) {
      const code = STATUS_BY_FILTER_NAME.get(n);
      if (code === undefined) add(key, `Select a valid choice. ${n} is not one of the available choices.`);
      else codes.push(code);
    }
    filter[target] = codes;
  }
  for (const [key, target] of [
    ['simple_status', 'statuses'],
    ['not_simple_status', 'notStatuses'],
  ] as const) {
    const names = list(key);
    if (!names) continue;
    const codes: number[] = [];
    for (const n of names) {
      const c = simpleStatusCodes(n);
      if (c === undefined) add(key, `Select a valid choice. ${n} is not one of the available choices.`);
      else codes.push(...c);
    }
    filter[target] = filter[target] ? filter[target]!.filter((c) => codes.includes(c)) : codes;
  }

  for (const [key, target] of [
    ['owner', 'ownerIds'],
    ['not_owner', 'notOwnerIds'],
  ] as const) {
    const owners = list(key);
    if (!owners) continue;
    const found = await ctx.store.inventoryIds('owner', owners);
    for (const o of owners) if (!found.has(o)) add(key, `No such owner: '${o}'.`);
    filter[target] = [...found.values()];
  }
  // pod / pod_type (spec §2.6.1): single-valued (the last value counts, as Django's QueryDict
  // does), never validated. Any of the four keeps only machines some VM host composed, among
  // the hosts named `pod` (else not named `not_pod`) of type `pod_type`, not of `not_pod_type`
  // (MAAS FilterNodeForm.filter_by_pod_or_pod_type); an unknown name matches nothing.
  const one = (key: string) => list(key)?.at(-1);
  const [pod, notPod, podType, notPodType] = [one('pod'), one('not_pod'), one('pod_type'), one('not_pod_type')];
  if (pod !== undefined || notPod !== undefined || podType !== undefined || notPodType !== undefined) {
    filter.podIds = (await ctx.store.listPods())
      .filter((p) => (pod !== undefined ? p.name === pod : p.name !== notPod))
      .filter((p) => (podType === undefined || p.type === podType) && p.type !== notPodType)
      .map((p) => p.id);
  }
  if (list('power_state')) filter.powerStates = list('power_state')!;
  if (list('not_power_state')) filter.notPowerStates = list('not_power_state')!;
  if (mode === 'read' && list('agent_name')) filter.agentNames = list('agent_name')!;
  if (list('not_agent_name')) filter.notAgentNames = list('not_agent_name')!;

  for (const key of NUMERIC) {
    const raw = params.get(key);
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      add(key, 'Enter a number.');
      continue;
    }
    if (key === 'cpu_count') filter.minCpuCount = n;
    if (key === 'mem') filter.minMemory = n;
    if (key === 'cpu_speed') filter.minCpuSpeed = n;
  }
  // storage (spec §2.6.3): single-valued; MAAS's `Malformed storage constraint, "<v>".`
  const storageText = one('storage');
  const storage = storageText === undefined ? undefined : parseStorageConstraint(storageText);
  if (storageText !== undefined && !storage) add('storage', `Malformed storage constraint, "${storageText}".`);
  if (Object.keys(errors).length > 0) throw validationError(errors);
  if (!storage) return { filter, given };
  // Disks are matched in memory, over the candidates the other constraints leave (allocate
  // takes only Ready machines); the filter is then narrowed to the ids that matched.
  const candidates = await ctx.store.listNodes(
    mode === 'allocate' ? { ...filter, statuses: [NODE_STATUS.READY] } : { ...filter, nodeTypes: [0, 1, 2, 3, 4] },
  );
  const matched = new Map<number, Map<number, string>>();
  for (const node of candidates) {
    const disks = matchStorage(node, storage);
    if (disks) matched.set(node.id, disks);
  }
  filter.ids = [...matched.keys()];
  return { filter, given, storage: matched };
}

function pyRepr(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * allocate's 409 text (spec §2.6.3): `No machine available.`, `No machine with system ID <id>
 * available.`, or the constraints as Python reprs plus their cleaned form.
 */
export function noMatchMessage(given: Array<[string, string[]]>): string {
  if (given.length === 0) return 'No machine available.';
  const systemId = given.find(([k]) => k === 'system_id');
  if (systemId && given.length === 1) return `No machine with system ID ${systemId[1].at(-1)} available.`;
  const raw = `[${given.map(([k, vs]) => `(${pyRepr(k)}, [${vs.map(pyRepr).join(', ')}])`).join(', ')}]`;
  const resolved = [...given]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, vs]) => `${k}=${vs.map((v) => (NUMERIC.has(k) && Number.isInteger(Number(v)) ? `${Number(v)}.0` : v)).join(',')}`)
    .join(' ');
  return `No available machine matches constraints: ${raw} (resolved to "${resolved}")`;
}

/** Django BooleanField in forms: false, 0 and empty are false, anything else true (spec §6). */
export function formBool(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return !(v === '' || v === 'false' || v === '0');
}

/** The repeated `machines=` (or `nodes=`) ids; unknown → 400 `Unknown machine(s): a, b.` (spec §3.3). */
export async function loadMany(ctx: ActionContext, ids: string[]): Promise<NodeDetail[]> {
  await catchUp(ctx);
  const nodes = ids.length === 0 ? [] : await ctx.store.listNodes({ systemIds: ids });
  const found = new Set(nodes.map((n) => n.systemId));
  const unknown = ids.filter((id) => !found.has(id));
  if (unknown.length > 0) throw badRequest(`Unknown machine(s): ${unknown.join(', ')}.`);
  return nodes;
}

export const READY = NODE_STATUS.READY;
