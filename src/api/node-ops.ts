// Ops nodes/ and machines/ both answer (spec/maas-resources.md §2.5): is_registered,
// is_action_in_progress (anonymous only) and set_zone.
import { NODE_STATUS } from '../model/index.ts';
import { normaliseMac } from '../model/index.ts';
import { validationError } from './errors.ts';
import { caller, catchUp, permits } from './machine-common.ts';
import { type Action, action } from './registry.ts';
import { json } from './render.ts';
import { mandatory } from './users.ts';

const S = NODE_STATUS;

/** is_registered: authenticated ignores RETIRED; anonymous also ignores NEW and COMMISSIONING (spec §2.5). */
export function isRegisteredAction(anonymous: boolean): Action {
  return action(
    'GET',
    'is_registered',
    'MAC address registered.\n\nReturns whether or not the given MAC address is registered within this MAAS\n(and attached to a non-retired node).\n\n:param mac_address: The MAC address to be checked.\n:type mac_address: String',
    async (ctx) => {
      const raw = mandatory(ctx.query, 'mac_address');
      await catchUp(ctx);
      const mac = normaliseMac(raw);
      if (mac === undefined) return json(false);
      const ignored: number[] = anonymous ? [S.RETIRED, S.NEW, S.COMMISSIONING] : [S.RETIRED];
      const nodes = await ctx.store.listNodes({ macAddresses: [mac], notStatuses: ignored, nodeTypes: [0, 1, 2, 3, 4] });
      return json(nodes.length > 0);
    },
  );
}

export function isActionInProgressAction(): Action {
  return action(
    'GET',
    'is_action_in_progress',
    "MAC address of deploying or commissioning node.\n\nReturns whether or not the given MAC address is a machine that's\nmoving from commissioning to deploying or vice versa.\n\n:param mac_address: The MAC address to be checked.\n:type mac_address: String",
    async (ctx) => {
      const raw = mandatory(ctx.query, 'mac_address');
      await catchUp(ctx);
      const mac = normaliseMac(raw);
      if (mac === undefined) return json(false);
      const nodes = await ctx.store.listNodes({ macAddresses: [mac], statuses: [S.COMMISSIONING, S.DEPLOYING], nodeTypes: [0, 1, 2, 3, 4] });
      return json(nodes.length > 0);
    },
  );
}

/** set_zone: admin permission on every node, else 400 (BulkNodeSetZoneForm, spec §2.5); 200 null. */
export function setZoneAction(): Action {
  return action(
    'POST',
    'set_zone',
    'Assign nodes to a physical zone.\n\nAssigns a given node to a given zone.\n\n:param zone: The zone name.\n:type zone: String\n\n:param nodes: The node to add.\n:type nodes: String',
    async (ctx) => {
      const user = caller(ctx);
      const zoneName = ctx.data.get('zone') ?? '';
      const ids = ctx.data.getAll('nodes');
      const zones = zoneName === '' ? new Map<string, number>() : await ctx.store.inventoryIds('zone', [zoneName]);
      const errors: Record<string, string[]> = {};
      if (!zones.has(zoneName)) errors['zone'] = [zoneName === '' ? 'This field is required.' : 'Select a valid choice. That choice is not one of the available choices.'];
      const nodes = ids.length === 0 ? [] : await ctx.store.listNodes({ systemIds: ids, nodeTypes: [0, 1, 2, 3, 4] });
      if (ids.length === 0) errors['system_id'] = ['No node selected.'];
      else if (nodes.length !== new Set(ids).size || nodes.some((n) => !permits(user, n, 'admin'))) {
        errors['system_id'] = ['Some of the given system ids are invalid system ids.'];
      }
      if (Object.keys(errors).length > 0) throw validationError(errors);
      for (const node of nodes) await ctx.store.updateNode(node.systemId, { zoneId: zones.get(zoneName)! }, ctx.now());
      return json(null);
    },
  );
}
