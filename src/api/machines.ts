// machines/ — MachinesHandler, AnonMachinesHandler. spec/maas-resources.md §2.6, §3, §4.
//   GET  machines/ [filters §2.6.1]          200 visible machines by id; 400 {"<key>": ["No such constraint."]}
//                                            and other field errors (mac_address, zone, pool, tags, owner, arch…)
//   GET  machines/?op=list (DESIGN D1)       the same, not in describe/
//   POST machines/ (create; anonymous too)   200 the machine (anonymous: limited fields); 400 field errors
//                                            (architecture, mac_addresses, hostname, power_type…); 400 text
//                                            `hwe kernel must be specified using the min_hwe_kernel argument.`
//   GET  machines/?op=is_registered mac_address     200 true|false; 400 No provided mac_address!
//   GET  machines/?op=is_action_in_progress (anon)  200 true|false; 400 No provided mac_address!
//   POST machines/?op=accept machines=…      200 accepted machines; 400 Unknown machine(s): …; 403 not admin;
//                                            409 Cannot accept node enlistment: …; anonymous 401
//                                            `You must be logged in to accept machines.`
//   POST machines/?op=accept_all             200 the machines accepted (non-admin: [])
//   POST machines/?op=allocate [constraints] 200 the machine + constraints_by_type; 400 field errors;
//                                            409 No machine available. / No machine with system ID … /
//                                            No available machine matches constraints: … (no Retry-After)
//   GET  machines/?op=list_allocated [id]    200 the caller's ALLOCATED machines
//   POST machines/?op=release machines=…     200 [system_id…]; 400 Unknown machine(s); 403 You don't have
//                                            the required permission…; 409 Machine(s) cannot be released…
//   GET  machines/?op=power_parameters [id]  200 {system_id: params}; 403 admin only
//   POST machines/?op=set_zone zone nodes=…  200 null; 400 {"system_id": […]} / {"zone": […]}; 403
// Anonymous GET without a known op: 400 Unrecognised signature (the anonymous-handler quirk).
import {
  anonymousMachineJson,
  constraintsByType,
  generateHardware,
  generateHostname,
  lifecycle,
  machineJson,
  NODE_STATUS,
  type NodeDetail,
  normaliseMac,
} from '../model/index.ts';
import { StoreError } from '../store/index.ts';
import { ApiError, badRequest, conflict, forbidden, validationError } from './errors.ts';
import {
  caller,
  catchUp,
  formBool,
  loadMany,
  noMatchMessage,
  normaliseArchitecture,
  parseFilter,
  permits,
  runStep,
} from './machine-common.ts';
import { machineListResult } from './machine-render.ts';
import { isRegisteredAction, isActionInProgressAction, setZoneAction } from './node-ops.ts';
import { parseStringBool } from './params.ts';
import { type Action, type ActionContext, type Resource, action } from './registry.ts';
import { json } from './render.ts';
import { mandatory } from './users.ts';

export const POWER_TYPES = ['', 'manual', 'ipmi', 'virsh', 'lxd', 'redfish', 'amt', 'apc', 'webhook', 'wedge', 'hmc', 'mscm', 'msftocs', 'nova', 'openbmc', 'proxmox', 'recs_box', 'sm15k', 'ucsm', 'vmware', 'dli', 'eaton', 'raritan'];

async function readMachines(ctx: ActionContext) {
  const user = caller(ctx);
  await catchUp(ctx);
  const { filter } = await parseFilter(ctx, ctx.query, 'read');
  return machineListResult(ctx.store, { ...filter, visibleTo: { userId: user.id, isAdmin: user.isSuperuser } });
}

function architectureOf(ctx: ActionContext, errors: Record<string, string[]>): string | undefined {
  const raw = ctx.data.get('architecture');
  const sub = ctx.data.get('subarchitecture');
  if (raw === undefined || raw === '') return undefined;
  if (/^(hwe|ga)-/.test(raw) || (sub !== undefined && /^(hwe|ga)-/.test(sub))) {
    throw badRequest('hwe kernel must be specified using the min_hwe_kernel argument.');
  }
  const arch = normaliseArchitecture(raw.includes('/') || sub === undefined ? raw : `${raw}/${sub}`);
  if (arch === undefined) {
    const choices = ['amd64/generic', 'arm64/generic', 'armhf/generic', 'i386/generic', 'ppc64el/generic', 's390x/generic'];
    // spec §2.6.2: two spaces after the full stop.
    errors['architecture'] = [`'${raw}' is not a valid architecture.  It should be one of: ${choices.map((c) => `'${c}'`).join(', ')}.`];
  }
  return arch;
}

const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

function powerParameters(ctx: ActionContext): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = ctx.data.get('power_parameters');
  if (raw !== undefined && raw !== '') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') for (const [k, v] of Object.entries(parsed)) out[k] = String(v);
    } catch {
      throw validationError({ power_parameters: ['Enter valid JSON.'] });
    }
  }
  for (const [name, value] of ctx.data.entries()) {
    if (name.startsWith('power_parameters_') && name !== 'power_parameters_skip_check') out[name.slice('power_parameters_'.length)] = value;
  }
  return out;
}

async function createMachine(ctx: ActionContext) {
  const user = ctx.user;
  const admin = user?.isSuperuser ?? false;
  const errors: Record<string, string[]> = {};
  const arch = architectureOf(ctx, errors);
  const powerType = ctx.data.get('power_type') ?? '';
  if (!POWER_TYPES.includes(powerType)) errors['power_type'] = [`Select a valid choice. ${powerType} is not one of the available choices.`];
  const deployed = admin && parseStringBool(ctx.data.get('deployed') ?? 'false') === true;
  const macsRaw = ctx.data.getAll('mac_addresses').filter((m) => m !== '');
  const macs: string[] = [];
  for (const m of macsRaw) {
    const mac = normaliseMac(m);
    if (mac === undefined) {
      errors['mac_addresses'] = [`One or more MAC addresses is invalid. ('${m}' is not a valid MAC address.)`];
    } else macs.push(mac);
  }
  const needsHardware = !(powerType === 'ipmi' || (deployed && powerType === ''));
  if (needsHardware && macsRaw.length === 0) errors['mac_addresses'] = ['This field is required.'];
  if (needsHardware && ctx.data.get('architecture') === undefined) errors['architecture'] = ['This field is required.'];
  const minHwe = ctx.data.get('min_hwe_kernel');
  if (minHwe !== undefined && minHwe !== '' && !/^(hwe|ga)-/.test(minHwe)) errors['min_hwe_kernel'] = [`'${minHwe}' is not a valid kernel.`];

  const owners = await ctx.store.macOwners(macs);
  const taken = macs.find((m) => owners.has(m));
  // Anonymous re-enlistment updates the NEW/COMMISSIONING machine with that MAC (spec §2.6.2).
  if (!user && taken !== undefined) {
    const [existing] = await ctx.store.listNodes({ macAddresses: [taken], statuses: [NODE_STATUS.NEW, NODE_STATUS.COMMISSIONING] });
    if (existing) return json(anonymousMachineJson(existing));
  }
  if (taken !== undefined) errors['mac_addresses'] = [`MAC address ${taken} already in use on ${owners.get(taken)}.`];

  let hostname = ctx.data.get('hostname')?.split('.')[0] ?? '';
  if (hostname !== '' && !HOSTNAME.test(hostname)) errors['hostname'] = [`Invalid hostname: ${hostname}`];
  const zoneName = admin ? ctx.data.get('zone') : undefined;
  const poolName = admin ? ctx.data.get('pool') : undefined;
  const zoneIds = zoneName ? await ctx.store.inventoryIds('zone', [zoneName]) : new Map<string, number>();
  const poolIds = poolName ? await ctx.store.inventoryIds('pool', [poolName]) : new Map<string, number>();
  if (zoneName && !zoneIds.has(zoneName)) errors['zone'] = ['Select a valid choice. That choice is not one of the available choices.'];
  if (poolName && !poolIds.has(poolName)) errors['pool'] = ['Select a valid choice. That choice is not one of the available choices.'];
  const cpuCount = admin ? intField(ctx, 'cpu_count', errors) : undefined;
  const memory = admin ? intField(ctx, 'memory', errors) : undefined;
  if (Object.keys(errors).length > 0) throw validationError(errors);

  const hw = generateHardware(ctx.randomBytes, {
    architecture: arch ?? 'amd64/generic',
    macs,
    interfaces: Math.max(macs.length, 1),
    disks: 1,
    ...(cpuCount === undefined ? {} : { cpuCount }),
    ...(memory === undefined ? {} : { memory }),
  });
  const commission = parseStringBool(ctx.data.get('commission') ?? (admin ? 'true' : 'false')) ?? admin;
  const now = ctx.now();
  let status: number = NODE_STATUS.NEW;
  let ownerId: number | null = null;
  if (deployed) {
    status = NODE_STATUS.DEPLOYED;
    ownerId = user!.id;
  } else if (commission) {
    status = NODE_STATUS.COMMISSIONING;
    ownerId = user?.id ?? null;
  }
  const named = hostname !== '';
  for (let attempt = 0; ; attempt++) {
    if (!named) hostname = generateHostname(ctx.randomBytes) + (attempt > 3 ? `-${attempt}` : '');
    try {
      const node = await ctx.store.createNode({
        hostname,
        architecture: hw.architecture,
        minHweKernel: minHwe || null,
        description: ctx.data.get('description') ?? '',
        status,
        ownerId,
        ...(zoneName ? { zoneId: zoneIds.get(zoneName)! } : {}),
        ...(poolName ? { poolId: poolIds.get(poolName)! } : {}),
        cpuCount: hw.cpuCount,
        cpuSpeed: hw.cpuSpeed,
        memory: hw.memory,
        powerType,
        powerState: deployed ? 'on' : status === NODE_STATUS.COMMISSIONING ? 'on' : 'off',
        powerParameters: powerParameters(ctx),
        enlisting: !admin && commission,
        commissioningStatus: status === NODE_STATUS.COMMISSIONING ? 1 : deployed ? 2 : -1,
        testingStatus: status === NODE_STATUS.COMMISSIONING ? 0 : -1,
        statusMessage: status === NODE_STATUS.COMMISSIONING ? 'Commissioning' : deployed ? 'Deployed' : null,
        hardwareInfo: hw.hardwareInfo,
        hardwareUuid: hw.hardwareUuid,
        biosBootMethod: hw.biosBootMethod,
        ...(deployed ? { osystem: 'ubuntu', distroSeries: DEFAULT_SERIES } : {}),
        interfaces: hw.interfaces,
        blockDevices: hw.blockDevices,
        ...(status === NODE_STATUS.COMMISSIONING ? { schedule: { kind: 'commissioning_testing' as const, dueAt: now + ctx.transitionDelay } } : {}),
        assignIps: deployed,
      });
      return json(user ? machineJson(node) : anonymousMachineJson(node));
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'ERR_STORE_DUPLICATE')) throw error;
      if (named || attempt > 8) throw validationError({ hostname: ['Node with this Hostname already exists.'] });
    }
  }
}

function intField(ctx: ActionContext, name: string, errors: Record<string, string[]>): number | undefined {
  const raw = ctx.data.get(name)?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) {
    errors[name] = ['Enter a whole number.'];
    return undefined;
  }
  return Number(raw);
}

export const DEFAULT_SERIES = 'noble';
const SERIES: Record<string, string> = { focal: 'focal', '20.04': 'focal', jammy: 'jammy', '22.04': 'jammy', noble: 'noble', '24.04': 'noble' };

/** deploy's distro_series: `ubuntu/jammy`, `jammy` or `22.04` (spec §3.3). */
export function parseSeries(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_SERIES;
  const bare = value.startsWith('ubuntu/') ? value.slice('ubuntu/'.length) : value;
  const series = SERIES[bare];
  if (series === undefined) {
    const choices = ['ubuntu/focal', 'ubuntu/jammy', 'ubuntu/noble'].map((c) => `'${c}'`).join(', ');
    throw validationError({ distro_series: [`'${value}' is not a valid distro_series.  It should be one of: ${choices}.`] });
  }
  return series;
}

async function allocate(ctx: ActionContext) {
  const user = caller(ctx);
  await catchUp(ctx);
  const { filter, given, storage } = await parseFilter(ctx, ctx.data, 'allocate');
  const dryRun = parseStringBool(ctx.data.get('dry_run') ?? 'false') === true;
  const agentName = ctx.data.get('agent_name') ?? '';
  const node = await ctx.store.allocateNode(
    { ...filter, visibleTo: { userId: user.id, isAdmin: user.isSuperuser } },
    lifecycle.allocation(user.id, agentName),
    ctx.now(),
    dryRun,
  );
  // No Retry-After: gomaasapi would retry the 409 (spec §2.6.3).
  if (!node) throw conflict(noMatchMessage(given));
  return json({ ...machineJson(node), constraints_by_type: constraintsByType(storage?.get(node.id)) });
}

async function listAllocated(ctx: ActionContext) {
  const user = caller(ctx);
  await catchUp(ctx);
  const ids = ctx.query.getAll('id');
  const nodes = await ctx.store.listNodes({
    ownerIds: [user.id],
    statuses: [NODE_STATUS.ALLOCATED],
    ...(ids.length > 0 ? { systemIds: ids } : {}),
  });
  return json(nodes.map(machineJson));
}

async function releaseMany(ctx: ActionContext) {
  const user = caller(ctx);
  const nodes = await loadMany(ctx, ctx.data.getAll('machines'));
  const refused = nodes.filter((n) => !permits(user, n, 'edit'));
  if (refused.length > 0) {
    throw forbidden(`You don't have the required permission to release the following machine(s): ${refused.map((n) => n.systemId).join(', ')}.`);
  }
  const bad = nodes.filter((n) => n.status !== NODE_STATUS.READY && n.status !== NODE_STATUS.RELEASING && !lifecycle.isReleasable(n.status));
  if (bad.length > 0) {
    throw conflict(`Machine(s) cannot be released in their current state: ${bad.map((n) => `${n.systemId} ('${statusName(n)}')`).join(', ')}.`);
  }
  const erase = formBool(ctx.data.get('erase'));
  const released: string[] = [];
  for (const node of nodes) {
    if (node.status === NODE_STATUS.READY) continue;
    await runStep(ctx, node, (n) => lifecycle.release(n, { erase }));
    released.push(node.systemId);
  }
  return json(released);
}

function statusName(node: NodeDetail): string {
  return (machineJson(node)['status_name'] as string) ?? '';
}

async function acceptMany(ctx: ActionContext) {
  const user = caller(ctx);
  const nodes = await loadMany(ctx, ctx.data.getAll('machines'));
  if (!user.isSuperuser) {
    throw forbidden(`You don't have the required permission to accept the following machine(s): ${nodes.map((n) => n.systemId).join(', ')}.`);
  }
  const accepted: NodeDetail[] = [];
  for (const node of nodes) {
    // READY and COMMISSIONING are skipped silently (spec §3.3).
    if (node.status === NODE_STATUS.READY || node.status === NODE_STATUS.COMMISSIONING) continue;
    accepted.push(await runStep(ctx, node, (n) => lifecycle.accept(n, user.id) ?? { changes: {}, noop: true }));
  }
  return json(accepted.map(machineJson));
}

async function acceptAll(ctx: ActionContext) {
  const user = caller(ctx);
  if (!user.isSuperuser) return json([]);
  await catchUp(ctx);
  const nodes = await ctx.store.listNodes({ statuses: [NODE_STATUS.NEW] });
  const accepted: NodeDetail[] = [];
  for (const node of nodes) accepted.push(await runStep(ctx, node, (n) => lifecycle.commission(n, user.id)));
  return json(accepted.map(machineJson));
}

async function powerParametersMany(ctx: ActionContext) {
  const ids = ctx.query.getAll('id');
  const nodes = await ctx.store.listNodes(ids.length > 0 ? { systemIds: ids } : {});
  return json(Object.fromEntries(nodes.map((n) => [n.systemId, n.powerParameters])));
}

const ANON_ACCEPT = async (): Promise<never> => {
  throw new ApiError(401, 'ERR_API_FORBIDDEN', 'You must be logged in to accept machines.');
};

const CREATE_DOC =
  'Create a new machine.\n\nAdding a server to MAAS will (by default) cause the machine to network boot into an ephemeral environment to collect hardware information.\n\n:param architecture: A string containing the architecture type of the machine. (For example, "i386", or "amd64".)\n:type architecture: String\n\n:param mac_addresses: One or more MAC addresses for the machine.\n:type mac_addresses: String\n\n:param hostname: A hostname. If not given, one will be generated.\n:type hostname: String\n\n:param power_type: A power management type, if applicable (e.g. "virsh", "ipmi").\n:type power_type: String\n\n:param commission: Request the newly created machine to be created with status set to COMMISSIONING.\n:type commission: Boolean\n\n:param deployed: Request the newly created machine to be created with status set to DEPLOYED.\n:type deployed: Boolean';

const READ_DOC = 'List Nodes visible to the user, optionally filtered by criteria.\n\nNodes are sorted by id (i.e. most recent last) and grouped by type.\n\n:param hostname: An optional hostname. Only nodes relating to the node with the matching hostname will be returned. This can be specified multiple times to see multiple nodes.\n:type hostname: String\n\n:param mac_address: An optional MAC address.\n:type mac_address: String\n\n:param id: An optional list of system ids.\n:type id: String\n\n:param zone: An optional name for a physical zone.\n:type zone: String\n\n:param pool: An optional name for a resource pool.\n:type pool: String\n\n:param status: Only nodes with the given status (e.g. ready, deployed).\n:type status: String';

const collectionRead = (): Action[] => [
  action('GET', null, READ_DOC.replace('Nodes', 'Machines'), readMachines),
  action('GET', 'list', "The docs' machines/?op=list, answered as a read.", readMachines, { hidden: true }),
];

export const machinesResource: Resource = {
  path: 'machines/',
  auth: {
    name: 'MachinesHandler',
    doc: 'Manage the collection of all the machines in the MAAS.',
    actions: [
      ...collectionRead(),
      action('POST', null, CREATE_DOC, createMachine),
      isRegisteredAction(false),
      action('POST', 'accept', 'Accept declared machines.\n\nAccept declared machines into MAAS.\n\n:param machines: A list of system_ids of the machines whose enlistment is to be accepted.\n:type machines: String', acceptMany),
      action('POST', 'accept_all', 'Accept all declared machines.\n\nAccept all declared machines into MAAS.', acceptAll),
      action(
        'POST',
        'allocate',
        'Allocate a machine.\n\nAllocates an available machine for deployment.\n\n:param name: Hostname or FQDN of the desired machine.\n:type name: String\n\n:param system_id: system_id of the desired machine.\n:type system_id: String\n\n:param arch: Architecture of the returned machine.\n:type arch: String\n\n:param cpu_count: Minimum number of CPUs.\n:type cpu_count: Int\n\n:param mem: The minimum amount of memory (expressed in MB).\n:type mem: Int\n\n:param tags: Tags the machine must match.\n:type tags: String\n\n:param zone: Physical zone name.\n:type zone: String\n\n:param pool: Resource pool name.\n:type pool: String\n\n:param agent_name: An optional agent name to attach to the acquired machine.\n:type agent_name: String\n\n:param dry_run: Optional boolean to indicate that the machine should not actually be acquired.\n:type dry_run: Boolean',
        allocate,
      ),
      action('GET', 'list_allocated', 'List allocated.\n\nList machines that were allocated to the User.', listAllocated),
      action('POST', 'release', 'Release machines.\n\nRelease multiple machines.\n\n:param machines: A list of system_ids of the machines which are to be released.\n:type machines: String\n\n:param comment: Optional comment for the event log.\n:type comment: String', releaseMany),
      action('GET', 'power_parameters', 'Get power parameters.\n\nGet power parameters for multiple machines.\n\n:param id: An optional list of system ids.\n:type id: String', powerParametersMany, { admin: true }),
      setZoneAction(),
    ],
  },
  anon: {
    name: 'AnonMachinesHandler',
    doc: 'Anonymous access to Machines.',
    actions: [
      action('POST', null, CREATE_DOC, createMachine),
      isRegisteredAction(true),
      isActionInProgressAction(),
      action('POST', 'accept', 'Accept a machine\'s enlistment: not allowed to anonymous users.', ANON_ACCEPT),
    ],
  },
};

export { mandatory };
