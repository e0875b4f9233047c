// nodes/ and machines/ — reads only, until the inventory issue fills them.
//   GET nodes/ (and the docs' GET nodes/?op=list, DESIGN D1)        200 []
//   GET nodes/?op=is_registered mac_address (auth and anonymous)    200 false; 400 No provided mac_address!
//   GET nodes/?op=is_action_in_progress mac_address (anonymous)     200 false
//   GET nodes/{system_id}/                                          404 No Node matches the given query.
//   machines/ and machines/{system_id}/: the same, with Machine in the 404 text.
// Anonymous GET without a known op: 400 Unrecognised signature (the anonymous-handler quirk).
import { notFound } from './errors.ts';
import { type Action, type Resource, action } from './registry.ts';
import { json } from './render.ts';
import { mandatory } from './users.ts';

const READ_DOC = 'List Nodes visible to the user, optionally filtered by criteria.';

function isRegistered(): Action {
  return action(
    'GET',
    'is_registered',
    'MAC address registered.\n\nReturns whether or not the given MAC address is registered within this MAAS\n(and attached to a non-retired node).\n\n:param mac_address: The MAC address to be checked.\n:type mac_address: String',
    async (ctx) => {
      mandatory(ctx.query, 'mac_address');
      return json(false);
    },
  );
}

function isActionInProgress(): Action {
  return action(
    'GET',
    'is_action_in_progress',
    'MAC address of deploying or commissioning node.\n\nReturns whether or not the given MAC address is a machine that\'s\nmoving from commissioning to deploying or vice versa.\n\n:param mac_address: The MAC address to be checked.\n:type mac_address: String',
    async (ctx) => {
      mandatory(ctx.query, 'mac_address');
      return json(false);
    },
  );
}

function collectionRead(what: string): Action[] {
  const read = async () => json([]);
  return [
    action('GET', null, READ_DOC.replace('Nodes', what), read),
    action('GET', 'list', 'The docs\' nodes/?op=list, answered as a read.', read, { hidden: true }),
  ];
}

function itemRead(model: string): Action {
  return action('GET', null, `Read a specific ${model}.\n\n:param system_id: A ${model.toLowerCase()} system_id.\n:type system_id: String`, async () => {
    throw notFound(model);
  });
}

export const nodesResource: Resource = {
  path: 'nodes/',
  auth: { name: 'NodesHandler', doc: 'Manage the collection of all the nodes in the MAAS.', actions: [...collectionRead('Nodes'), isRegistered()] },
  anon: { name: 'AnonNodesHandler', doc: 'Anonymous access to Nodes.', actions: [isRegistered(), isActionInProgress()] },
};

export const nodeResource: Resource = {
  path: 'nodes/{system_id}/',
  auth: { name: 'NodeHandler', doc: 'Manage an individual Node.', actions: [itemRead('Node')] },
};

export const machinesResource: Resource = {
  path: 'machines/',
  auth: { name: 'MachinesHandler', doc: 'Manage the collection of all the machines in the MAAS.', actions: [...collectionRead('Machines'), isRegistered()] },
  anon: { name: 'AnonMachinesHandler', doc: 'Anonymous access to Machines.', actions: [isRegistered(), isActionInProgress()] },
};

export const machineResource: Resource = {
  path: 'machines/{system_id}/',
  auth: { name: 'MachineHandler', doc: 'Manage an individual Machine.', actions: [itemRead('Machine')] },
};
