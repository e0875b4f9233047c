// nodes/ and nodes/{system_id}/ — NodesHandler, AnonNodesHandler, NodeHandler over every node
// type (spec/maas-resources.md §2.5, §4).
//   GET  nodes/ [filters §2.6.1]         200 visible nodes: devices, machines, racks, regions, each by id
//                                        (non-admins never see controllers); 400 field errors
//   GET  nodes/?op=list (DESIGN D1)      the same, not in describe/
//   GET  nodes/?op=is_registered mac_address (auth and anonymous)   200 true|false; 400 No provided mac_address!
//   GET  nodes/?op=is_action_in_progress mac_address (anonymous)    200 true|false; 400 No provided mac_address!
//   POST nodes/?op=set_zone zone nodes=… 200 null; 400 {"system_id": […]} / {"zone": […]}
//   POST nodes/ (no op)                  400 Unrecognised signature: method=POST op=None
//   GET  nodes/{system_id}/              200 the node as its type renders it; 403 another user's; 404 No Node matches the given query.
//   DELETE nodes/{system_id}/            204; 403 (admin, not locked); 404
//   GET  nodes/{system_id}/?op=details   200 application/bson; 403; 404
//   GET  nodes/{system_id}/?op=power_parameters   200 {params}; 403 non-admin; 404
//   POST nodes/{system_id}/              405 (NodeHandler has no POST ops)
// Anonymous GET without a known op: 400 Unrecognised signature (the anonymous-handler quirk).
import { nodeJson } from '../model/index.ts';
import { caller, catchUp, loadNode, parseFilter } from './machine-common.ts';
import { isActionInProgressAction, isRegisteredAction, setZoneAction } from './node-ops.ts';
import { type Action, type ActionContext, type Resource, action } from './registry.ts';
import { deleted, json } from './render.ts';

export { machinesResource } from './machines.ts';
export { machineResource } from './machine.ts';

const READ_DOC =
  'List Nodes visible to the user, optionally filtered by criteria.\n\nNodes are sorted by id (i.e. most recent last) and grouped by type.\n\n:param hostname: An optional hostname.\n:type hostname: String\n\n:param mac_address: An optional MAC address.\n:type mac_address: String\n\n:param id: An optional list of system ids.\n:type id: String';

// spec §2.5: devices, then machines, then rack controllers, then region-only controllers.
const TYPE_ORDER = [1, 0, 2, 4, 3];

async function readNodes(ctx: ActionContext) {
  const user = caller(ctx);
  await catchUp(ctx);
  const { filter } = await parseFilter(ctx, ctx.query, 'read');
  const nodes = await ctx.store.listNodes({
    ...filter,
    nodeTypes: user.isSuperuser ? [0, 1, 2, 3, 4] : [0, 1],
    visibleTo: { userId: user.id, isAdmin: user.isSuperuser },
  });
  nodes.sort((a, b) => TYPE_ORDER.indexOf(a.nodeType) - TYPE_ORDER.indexOf(b.nodeType) || a.id - b.id);
  return json(nodes.map(nodeJson));
}

const collectionRead = (): Action[] => [
  action('GET', null, READ_DOC, readNodes),
  action('GET', 'list', "The docs' nodes/?op=list, answered as a read.", readNodes, { hidden: true }),
];

export const nodesResource: Resource = {
  path: 'nodes/',
  auth: {
    name: 'NodesHandler',
    doc: 'Manage the collection of all the nodes in the MAAS.',
    actions: [...collectionRead(), isRegisteredAction(false), setZoneAction()],
  },
  anon: { name: 'AnonNodesHandler', doc: 'Anonymous access to Nodes.', actions: [isRegisteredAction(true), isActionInProgressAction()] },
};

export const nodeResource: Resource = {
  path: 'nodes/{system_id}/',
  auth: {
    name: 'NodeHandler',
    doc: 'Manage an individual Node.\n\nThe Node is identified by its system_id.',
    actions: [
      action('GET', null, 'Read a node.\n\nReads a node with the given system_id.\n\n:param system_id: A node system_id.\n:type system_id: String', async (ctx) =>
        json(nodeJson(await loadNode(ctx, 'view', 'Node'))),
      ),
      action('DELETE', null, 'Delete a node.\n\nDeletes a node with a given system_id.\n\n:param system_id: A node system_id.\n:type system_id: String', async (ctx) => {
        const node = await loadNode(ctx, 'admin', 'Node');
        await ctx.store.deleteNode(node.systemId);
        return deleted();
      }),
      action('GET', 'details', 'Get system details.\n\nReturns system details -- for example, LLDP and ``lshw`` XML dumps.', async (ctx) => {
        await loadNode(ctx, 'view', 'Node');
        return { status: 200, contentType: 'application/bson', body: String.fromCharCode(0x11, 0, 0, 0, 0x0a, ...Buffer.from('lldp\0'), 0x0a, ...Buffer.from('lshw\0'), 0) };
      }),
      action('GET', 'power_parameters', 'Get power parameters.\n\nGets power parameters for a given system_id, if any.', async (ctx) =>
        json((await loadNode(ctx, 'admin_read', 'Node')).powerParameters),
      ),
    ],
  },
};
