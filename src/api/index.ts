// The MAAS API 2.0 handlers and the rules that dispatch to them (DESIGN D8).
import { accountResource } from './account.ts';
import { machineResource, machinesResource, nodeResource, nodesResource } from './nodes.ts';
import { podResource, podsResource, vmHostResource, vmHostsResource } from './pods.ts';
import type { Resource } from './registry.ts';
import { resourcePoolResource, resourcePoolsResource } from './resourcepools.ts';
import { tagResource, tagsResource } from './tags.ts';
import { userResource, usersResource } from './users.ts';
import { versionResource } from './version.ts';
import { zoneResource, zonesResource } from './zones.ts';

/** Every resource served under /MAAS/api/2.0/. */
export const RESOURCES: readonly Resource[] = [
  versionResource,
  usersResource,
  userResource,
  accountResource,
  nodesResource,
  nodeResource,
  machinesResource,
  machineResource,
  tagsResource,
  tagResource,
  zonesResource,
  zoneResource,
  resourcePoolsResource,
  resourcePoolResource,
  vmHostsResource,
  vmHostResource,
  podsResource,
  podResource,
];

export { type ApiDescription, createDescription } from './describe.ts';
export {
  challenge,
  checkFormat,
  chooseHandler,
  createRouter,
  isApiPath,
  type RouteMatch,
  type Router,
  resolveAction,
  resolveOp,
  unknownEndpoint,
} from './dispatch.ts';
export { ApiError, type ApiErrorCode, badRequest, forbidden, notFound } from './errors.ts';
export { BodyError, type DecodedBody, decodeBody, Params, parseUrlEncoded, type UploadedFile } from './params.ts';
export type { Action, ActionContext, ActionResult, Handler, HttpMethod, Resource } from './registry.ts';
export { pythonJson } from './render.ts';
export { allowedMethods } from './registry.ts';
export { userJson } from './users.ts';
