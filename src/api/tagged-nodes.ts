// The nodes of a tag (GET tags/{name}/?op=machines|nodes|…, spec/maas-resources.md §2.8),
// each rendered as its node type renders it, and only those the caller may view (§4):
// unowned or own machines and devices; controllers for admins only.
import { machineJson, NODE_TYPE, nodeJson } from '../model/index.ts';
import { catchUp } from './machine-common.ts';
import type { ActionContext } from './registry.ts';

export type TaggedNodeKind = 'nodes' | 'machines' | 'devices' | 'rack_controllers' | 'region_controllers';

const T = NODE_TYPE;
const NODE_TYPES: Record<TaggedNodeKind, number[]> = {
  nodes: [T.MACHINE, T.DEVICE, T.RACK_CONTROLLER, T.REGION_CONTROLLER, T.REGION_AND_RACK_CONTROLLER],
  machines: [T.MACHINE],
  devices: [T.DEVICE],
  rack_controllers: [T.RACK_CONTROLLER, T.REGION_AND_RACK_CONTROLLER],
  region_controllers: [T.REGION_CONTROLLER, T.REGION_AND_RACK_CONTROLLER],
};
const CONTROLLERS: readonly number[] = [T.RACK_CONTROLLER, T.REGION_CONTROLLER, T.REGION_AND_RACK_CONTROLLER];

export async function taggedNodesJson(ctx: ActionContext, tagName: string, kind: TaggedNodeKind): Promise<unknown[]> {
  const isAdmin = ctx.user?.isSuperuser ?? false;
  const nodeTypes = NODE_TYPES[kind].filter((type) => isAdmin || !CONTROLLERS.includes(type));
  if (nodeTypes.length === 0) return [];
  await catchUp(ctx);
  const nodes = await ctx.store.listNodes({ nodeTypes, tags: [tagName], visibleTo: { userId: ctx.user?.id ?? -1, isAdmin } });
  return nodes.map((node) => (kind === 'machines' ? machineJson(node) : nodeJson(node)));
}
