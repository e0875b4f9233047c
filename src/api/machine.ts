// machines/{system_id}/ — MachineHandler. spec/maas-resources.md §2.6.0, §2.6.4, §3.3, §4.
// Every op: 404 `No Machine matches the given query.` for an unknown id or another node type;
// 403 with an empty body when the caller lacks the permission (§4); anonymous 401.
//   GET    (read)                         200 the machine (view)
//   PUT    (update) [fields §2.6.4]       200 the machine; 400 field errors; 403 (admin, not locked)
//   DELETE                                204; 403 (admin, not locked)
//   GET  op=details                       200 application/bson {lldp: null, lshw: null}
//   GET  op=power_parameters              200 {params}; 403 non-admin
//   GET  op=query_power_state             200 {"state": on|off|unknown|error}
//   GET  op=get_token                     200 null; 403 non-admin
//   GET  op=get_curtin_config             200 text/plain YAML; 400 Machine <hostname> is not in a deployment state.
//   POST op=deploy [distro_series …]      200 the machine, DEPLOYING; 400 {"distro_series": […]};
//                                         400 install_rackd text; 409 Can't deploy a machine that is in the '<s>' state;
//                                         409 Can't allocate a machine belonging to another user.
//   POST op=release [erase …]             200 the machine (RELEASING, DISK_ERASING or READY); 403 locked/other's;
//                                         409 Machine cannot be released in its current state ('<s>').
//   POST op=commission                    200 COMMISSIONING; 400 {"__all__": ["Commission is not available …"]}; 403
//   POST op=abort                         200 the machine as it was (the change follows at once);
//                                         409 Cannot abort in current state: node <id> is in state <s>.
//   POST op=power_on                      200 (ALLOCATED: deploys); 409 Can't start node: it hasn't been allocated.
//   POST op=power_off                     200 the machine
//   POST op=test                          200 TESTING; 400 {"__all__": ["Test is not available …"]}; 403
//   POST op=override_failed_testing       200; 409 Unable to override node status. …; 403
//   POST op=mark_broken [comment]         200 BROKEN; 403 unless the caller owns it (or nobody does)
//   POST op=mark_fixed                    200 READY/DEPLOYED; 409 Can't mark a non-broken node as 'Ready'.; 403
//   POST op=rescue_mode / exit_rescue_mode 200; 409 Invalid transition: <a> -> <b>.; 403
//   POST op=lock / unlock                 200; 409 Can't lock, node is not deployed or deploying /
//                                         Machine is already locked / Machine is not locked
//   POST op=set_workload_annotations, op=set_owner_data   200; 409 Cannot set workload annotation: …
//   POST op=set_storage_layout storage_layout   200; 400 field error; 409 … not Ready.; 403
//   POST op=clear_default_gateways        200; 403
//   POST op=restore_networking_configuration | restore_storage_configuration | restore_default_configuration
//                                         200; 409 unless READY or FAILED_TESTING; 403
import { lifecycle, NODE_STATUS, type NodeDetail, statusLabel } from '../model/index.ts';
import { StoreError } from '../store/index.ts';
import { badRequest, conflict, validationError } from './errors.ts';
import { caller, denied, formBool, loadNode, machine, normaliseArchitecture, type Permission, runStep } from './machine-common.ts';
import { DEFAULT_SERIES, POWER_TYPES, parseSeries } from './machines.ts';
import { parseStringBool } from './params.ts';
import { type Action, type ActionContext, type ActionResult, type Resource, action } from './registry.ts';
import { deleted, json, text } from './render.ts';

const S = NODE_STATUS;

function op(
  method: 'GET' | 'POST',
  name: string | null,
  doc: string,
  perm: Permission,
  run: (ctx: ActionContext, node: NodeDetail) => Promise<ActionResult>,
): Action {
  return action(method, name, doc, async (ctx) => run(ctx, await loadNode(ctx, perm)));
}

function deployOptions(ctx: ActionContext, node: NodeDetail): lifecycle.DeployOptions {
  if (ctx.data.has('install_rackd') && parseStringBool(ctx.data.get('install_rackd') ?? '') === true) {
    throw badRequest("Deploying a machine as a rackd has been disabled and it's not supported anymore.");
  }
  const agentName = ctx.data.get('agent_name');
  return {
    osystem: 'ubuntu',
    distroSeries: parseSeries(ctx.data.get('distro_series') || undefined),
    hweKernel: ctx.data.get('hwe_kernel') || node.hweKernel,
    ...(agentName === undefined ? {} : { agentName }),
    ephemeralDeploy: parseStringBool(ctx.data.get('ephemeral_deploy') ?? 'false') === true,
    enableHwSync: parseStringBool(ctx.data.get('enable_hw_sync') ?? 'false') === true,
  };
}

async function deploy(ctx: ActionContext, node: NodeDetail) {
  const user = caller(ctx);
  const options = deployOptions(ctx, node);
  // A READY machine is acquired by the caller as part of the deploy (spec §3.3).
  const done = await runStep(ctx, node, (n) => lifecycle.deploy(n, user.id, options), true);
  return machine(done);
}

async function release(ctx: ActionContext, node: NodeDetail) {
  const erase = formBool(ctx.data.get('erase')) || formBool(ctx.data.get('secure_erase')) || formBool(ctx.data.get('quick_erase'));
  return machine(await runStep(ctx, node, (n) => lifecycle.release(n, { erase })));
}

async function commission(ctx: ActionContext, node: NodeDetail) {
  const user = caller(ctx);
  const testing = ctx.data.get('testing_scripts');
  const skipTesting = testing?.split(',').map((s) => s.trim()).includes('none') === true;
  return machine(await runStep(ctx, node, (n) => lifecycle.commission(n, user.id, { skipTesting })));
}

async function powerOn(ctx: ActionContext, node: NodeDetail) {
  const user = caller(ctx);
  const options = deployOptions(ctx, node);
  return machine(await runStep(ctx, node, (n) => lifecycle.powerOn(n, user.id, options)));
}

async function markBroken(ctx: ActionContext, node: NodeDetail) {
  const user = caller(ctx);
  // spec §2.6.0: the caller must own it (admins included), or nobody does.
  if (node.ownerId !== null && node.ownerId !== user.id) throw denied();
  const comment = ctx.data.get('comment') ?? ctx.data.get('error_description') ?? '';
  return machine(await runStep(ctx, node, (n) => lifecycle.markBroken(n, comment)));
}

async function setOwnerData(ctx: ActionContext, node: NodeDetail) {
  const user = caller(ctx);
  const pairs = ctx.data.entries().filter(([k]) => k !== 'op');
  return machine(await runStep(ctx, node, (n) => lifecycle.setOwnerData(n, user.id, pairs)));
}

function swapSize(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(raw.trim());
  if (!m) return undefined;
  const factor = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]!.toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

async function update(ctx: ActionContext, node: NodeDetail) {
  const d = ctx.data;
  const errors: Record<string, string[]> = {};
  const u: import('../store/index.ts').NodeUpdate = {};
  const hostname = d.get('hostname');
  if (hostname !== undefined) {
    const h = hostname.split('.')[0]!;
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(h)) errors['hostname'] = [`Invalid hostname: ${hostname}`];
    else u.hostname = h;
  }
  if (d.has('description')) u.description = d.get('description')!;
  if (d.has('architecture')) {
    const arch = normaliseArchitecture(d.get('architecture')!);
    if (arch === undefined) errors['architecture'] = [`'${d.get('architecture')}' is not a valid architecture.`];
    else u.architecture = arch;
  }
  if (d.has('min_hwe_kernel')) u.minHweKernel = d.get('min_hwe_kernel') || null;
  if (d.has('power_type')) {
    const p = d.get('power_type')!;
    if (!POWER_TYPES.includes(p)) errors['power_type'] = [`Select a valid choice. ${p} is not one of the available choices.`];
    else u.powerType = p;
  }
  const power = { ...node.powerParameters };
  let powerChanged = false;
  for (const [k, v] of d.entries()) {
    if (k.startsWith('power_parameters_') && k !== 'power_parameters_skip_check') {
      power[k.slice('power_parameters_'.length)] = v;
      powerChanged = true;
    }
  }
  if (powerChanged) u.powerParameters = power;
  for (const [key, kind] of [
    ['zone', 'zone'],
    ['pool', 'pool'],
  ] as const) {
    const name = d.get(key);
    if (name === undefined) continue;
    const ids = await ctx.store.inventoryIds(kind, [name]);
    if (!ids.has(name)) errors[key] = ['Select a valid choice. That choice is not one of the available choices.'];
    else if (kind === 'zone') u.zoneId = ids.get(name)!;
    else u.poolId = ids.get(name)!;
  }
  for (const key of ['cpu_count', 'memory'] as const) {
    const raw = d.get(key);
    if (raw === undefined) continue;
    if (!/^\d+$/.test(raw.trim())) errors[key] = ['Enter a whole number.'];
    else if (key === 'cpu_count') u.cpuCount = Number(raw);
    else u.memory = Number(raw);
  }
  if (d.has('swap_size')) {
    const raw = d.get('swap_size')!;
    const size = raw === '' ? null : swapSize(raw);
    if (size === undefined) errors['swap_size'] = ['Invalid size for swap: ' + raw];
    else u.swapSize = size;
  }
  if (d.has('disable_ipv4') && formBool(d.get('disable_ipv4'))) errors['disable_ipv4'] = ['If specified, disable_ipv4 must be False.'];
  const domain = d.get('domain');
  if (domain !== undefined && domain !== '' && domain !== 'maas' && domain !== '0') {
    errors['domain'] = ['Select a valid choice. That choice is not one of the available choices.'];
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  try {
    await ctx.store.updateNode(node.systemId, u, ctx.now());
  } catch (error) {
    if (error instanceof StoreError && error.code === 'ERR_STORE_DUPLICATE') throw validationError({ hostname: ['Node with this Hostname already exists.'] });
    throw error;
  }
  return machine((await ctx.store.findNode(node.systemId)) ?? node);
}

/** A BSON document {lldp: null, lshw: null} (spec §2.5 details): 17 bytes. */
function emptyDetailsBson(): string {
  const parts = [0x11, 0, 0, 0, 0x0a, ...Buffer.from('lldp\0'), 0x0a, ...Buffer.from('lshw\0'), 0];
  return String.fromCharCode(...parts);
}

function curtinConfig(node: NodeDetail): string {
  return [
    'apt:',
    '  preserve_sources_list: false',
    'debconf_selections:',
    '  maas: |',
    '    cloud-init   cloud-init/datasources  multiselect MAAS',
    `install:`,
    `  log_file: /tmp/install.log`,
    `kernel:`,
    `  package: linux-generic`,
    `sources:`,
    `  '00':`,
    `    type: tgz`,
    `    uri: http://localhost:5248/images/ubuntu/${node.architecture.split('/')[0]}/ga-24.04/${node.distroSeries || DEFAULT_SERIES}/stable/root-tgz`,
    '',
  ].join('\n');
}

function restore(name: string, what: string): Action {
  return op('POST', name, `Restore ${what} configuration.\n\nRestores the ${what} configuration options to their initial state.`, 'admin', async (_ctx, node) => {
    if (node.status !== S.READY && node.status !== S.FAILED_TESTING) {
      throw conflict(`Machine must be in a ready or failed testing state to restore ${what} configuration.`);
    }
    return machine(node);
  });
}

const STORAGE_LAYOUTS = ['flat', 'lvm', 'bcache', 'vmfs6', 'vmfs7', 'custom', 'blank'];

const simpleStep = (name: string, doc: string, perm: Permission, compute: (n: NodeDetail, ctx: ActionContext) => lifecycle.Step) =>
  op('POST', name, doc, perm, async (ctx, node) => machine(await runStep(ctx, node, (n) => compute(n, ctx))));

export const machineResource: Resource = {
  path: 'machines/{system_id}/',
  auth: {
    name: 'MachineHandler',
    doc: 'Manage an individual Machine.\n\nThe Machine is identified by its system_id.',
    actions: [
      op('GET', null, 'Read a node.\n\nReads a node with the given system_id.\n\n:param system_id: A machine system_id.\n:type system_id: String', 'view', async (_ctx, node) => machine(node)),
      action('PUT', null, 'Update a machine.\n\n:param hostname: The new hostname for this machine.\n:type hostname: String\n\n:param description: The new description for this machine.\n:type description: String\n\n:param architecture: The new architecture for this machine.\n:type architecture: String\n\n:param zone: Name of a valid physical zone in which to place this machine.\n:type zone: String\n\n:param pool: Name of the resource pool the machine should belong to.\n:type pool: String\n\n:param cpu_count: The amount of CPU cores the machine has.\n:type cpu_count: Int\n\n:param memory: How much memory the machine has, in MiB.\n:type memory: String', async (ctx) => update(ctx, await loadNode(ctx, 'admin'))),
      action('DELETE', null, 'Delete a machine.\n\nDeletes a machine with the given system_id.', async (ctx) => {
        const node = await loadNode(ctx, 'admin');
        await ctx.store.deleteNode(node.systemId);
        return deleted();
      }),
      op('GET', 'details', 'Get system details.\n\nReturns system details -- for example, LLDP and ``lshw`` XML dumps.', 'view', async () => ({
        status: 200,
        contentType: 'application/bson',
        body: emptyDetailsBson(),
      })),
      op('GET', 'power_parameters', 'Get power parameters.\n\nGets power parameters for a given system_id, if any.', 'admin_read', async (_ctx, node) => json(node.powerParameters)),
      op('GET', 'query_power_state', 'Get the power state of a node.\n\nGets the power state of a given node.', 'view', async (_ctx, node) => json({ state: node.powerState })),
      op('GET', 'get_token', "Get a machine token.\n\nGets the machine's token.", 'admin_read', async () => json(null)),
      op('GET', 'get_curtin_config', 'Get curtin configuration.\n\nReturn the rendered curtin configuration for the machine.', 'view', async (_ctx, node) => {
        if (![S.DEPLOYING, S.DEPLOYED, S.FAILED_DEPLOYMENT].includes(node.status as never)) {
          throw badRequest(`Machine ${node.hostname} is not in a deployment state.`);
        }
        return text(curtinConfig(node));
      }),
      op('POST', 'deploy', 'Deploy a machine.\n\nDeploys an operating system to a machine.\n\n:param user_data: If present, this blob of base64-encoded user-data to be made available to the machines through the metadata service.\n:type user_data: String\n\n:param distro_series: If present, this parameter specifies the OS release the machine will use.\n:type distro_series: String\n\n:param hwe_kernel: If present, this parameter specified the kernel to be used on the machine.\n:type hwe_kernel: String\n\n:param agent_name: An optional agent name to attach to the acquired machine.\n:type agent_name: String\n\n:param comment: Optional comment for the event log.\n:type comment: String', 'edit', deploy),
      op('POST', 'release', 'Release a machine.\n\nReleases a machine. Note that this operation is the opposite of allocating a machine.\n\n:param comment: Optional comment for the event log.\n:type comment: String\n\n:param erase: Erase the disk when releasing.\n:type erase: Boolean', 'edit', release),
      op('POST', 'commission', 'Commission a machine.\n\nBegin commissioning process for a machine.\n\n:param enable_ssh: Whether to enable SSH for the commissioning environment.\n:type enable_ssh: Int\n\n:param testing_scripts: A comma seperated list of testing script names and tags to be run. Set to "none" to skip testing.\n:type testing_scripts: String', 'admin', commission),
      simpleStep('abort', "Abort a node operation.\n\nAbort a node's current operation.\n\n:param comment: Optional comment for the event log.\n:type comment: String", 'edit', (n) => lifecycle.abort(n)),
      op('POST', 'power_on', 'Turn on a node.\n\nPowers on a given node.\n\n:param user_data: Base64-encoded blob of data to be made available to the nodes through the metadata service.\n:type user_data: String\n\n:param comment: Optional comment for the event log.\n:type comment: String', 'edit', powerOn),
      simpleStep('power_off', 'Power off a node.\n\nPowers off a given node.\n\n:param stop_mode: Power-off mode. If \'soft\', perform a soft power down if the node\'s power type supports it, otherwise perform a hard power off.\n:type stop_mode: String\n\n:param comment: Optional comment for the event log.\n:type comment: String', 'edit', () => lifecycle.powerOff()),
      simpleStep('test', 'Begin testing process for a node.\n\nBegins the testing process for a given node.', 'admin', (n) => lifecycle.test(n)),
      simpleStep('override_failed_testing', 'Ignore failed tests.\n\nIgnore failed tests and put node back into a usable state.', 'admin', (n) => lifecycle.overrideFailedTesting(n)),
      op('POST', 'mark_broken', 'Mark a machine as Broken.\n\nMark a machine as \'Broken\'.\n\n:param comment: Optional comment for the event log.\n:type comment: String', 'edit', markBroken),
      simpleStep('mark_fixed', "Mark a machine as Fixed.\n\nMark a machine as 'Fixed'.\n\n:param comment: Optional comment for the event log.\n:type comment: String", 'admin', (n) => lifecycle.markFixed(n)),
      op('POST', 'rescue_mode', 'Enter rescue mode.\n\nBegins the rescue mode process on a given machine.', 'admin', async (ctx, node) => {
        const user = caller(ctx);
        return machine(await runStep(ctx, node, (n) => lifecycle.rescueMode(n, user.id)));
      }),
      simpleStep('exit_rescue_mode', 'Exit rescue mode.\n\nExits the rescue mode process on a given machine.', 'admin', (n) => lifecycle.exitRescueMode(n)),
      simpleStep('lock', 'Lock a machine.\n\nMark a machine as \'Locked\' to prevent changes.\n\n:param comment: Optional comment for the event log.\n:type comment: String', 'lock', (n) => lifecycle.lock(n)),
      simpleStep('unlock', 'Unlock a machine.\n\nMark a machine as \'Unlocked\' to allow changes.\n\n:param comment: Optional comment for the event log.\n:type comment: String', 'lock', (n) => lifecycle.unlock(n)),
      op('POST', 'set_workload_annotations', 'Set key=value data.\n\nSet key=value data for the current owner. Pass any key=value form data to this method to add, modify, or remove. A key is removed when the value for that key is set to an empty string.', 'edit', setOwnerData),
      op('POST', 'set_owner_data', 'Deprecated, use set-workload-annotations.\n\nSet key=value data for the current owner.', 'edit', setOwnerData),
      op('POST', 'set_storage_layout', 'Change storage layout.\n\nChanges the storage layout on machine with the given system_id.\n\n:param storage_layout: Storage layout for the machine: ``flat``, ``lvm``, ``bcache``, ``vmfs6``, ``vmfs7``, ``custom`` or ``blank``.\n:type storage_layout: String', 'admin', async (ctx, node) => {
        const layout = ctx.data.get('storage_layout');
        if (node.status !== S.READY) throw conflict('Cannot change the storage layout on a machine that is not Ready.');
        if (layout === undefined || !STORAGE_LAYOUTS.includes(layout)) {
          throw validationError({ storage_layout: [`Select a valid choice. ${layout ?? ''} is not one of the available choices.`] });
        }
        return machine(node);
      }),
      op('POST', 'clear_default_gateways', 'Clear set default gateways.\n\nClear any set default gateways on a machine.', 'admin', async (_ctx, node) => machine(node)),
      restore('restore_networking_configuration', 'networking'),
      restore('restore_storage_configuration', 'storage'),
      restore('restore_default_configuration', 'default'),
    ],
  },
};

/** The status label, for messages naming a machine's state. */
export const labelOf = (node: NodeDetail) => statusLabel(node.status);
