// One declaration per MAAS handler (DESIGN D8): path, actions (method, op, who may call it,
// doc) and the code that runs them. Routing, describe/, X-MAAS-API-Hash and the docs'
// coverage table are all derived from this table.
import { API_PREFIX } from '../model/index.ts';
import type { RandomBytes } from '../model/index.ts';
import type { Store, User } from '../store/index.ts';
import type { Params, UploadedFile } from './params.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestInfo {
  method: HttpMethod;
  /** The request path, /MAAS/… included, without the query. */
  path: string;
  /** scheme://host[:port] the client used, for absolute URIs in describe/. */
  origin: string;
}

export interface ActionContext {
  /** The authenticated user; undefined in an anonymous handler. */
  user: User | undefined;
  store: Store;
  /** Query-string parameters. */
  query: Params;
  /** Body parameters (form or multipart fields). */
  body: Params;
  /** MAAS's request.data: the body for POST and PUT, the query for GET and DELETE. */
  data: Params;
  files: UploadedFile[];
  /** Values of the path's {placeholders}. */
  path: Record<string, string>;
  request: RequestInfo;
  /** The API description, for describe/. */
  describe: () => unknown;
  /** The injected clock, whole seconds since the epoch (DESIGN D7). */
  now: () => number;
  randomBytes: RandomBytes;
  /** Seconds a simulated lifecycle step takes (`serve --transition-delay`). */
  transitionDelay: number;
}

export interface ActionResult {
  status: number;
  contentType: string;
  body: string;
  /** The body already encoded (long machine lists), sent instead of `body` when present. */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export interface Action {
  /** The op name, or read/create/update/delete for the op-less CRUD actions. */
  name: string;
  method: HttpMethod;
  op: string | null;
  doc: string;
  /** admin_method in MAAS: 403 for non-admins. */
  admin?: boolean;
  /** Served but left out of describe/ (e.g. the docs' nodes/?op=list, DESIGN D1). */
  hidden?: boolean;
  run(ctx: ActionContext): Promise<ActionResult>;
}

export interface Handler {
  /** MAAS's class name, e.g. MachinesHandler: clients bind to it (spec/maas-resources.md §2.2). */
  name: string;
  doc: string;
  actions: Action[];
}

export interface Resource {
  /** Path below /MAAS/api/2.0/, with {placeholders}, ending in '/'. */
  path: string;
  auth?: Handler;
  anon?: Handler;
}

export function crud(method: HttpMethod): string {
  return { GET: 'read', POST: 'create', PUT: 'update', DELETE: 'delete' }[method];
}

/** Builds an Action for an op (`op` set) or a CRUD method (`op` null). */
export function action(
  method: HttpMethod,
  op: string | null,
  doc: string,
  run: Action['run'],
  flags: { admin?: boolean; hidden?: boolean } = {},
): Action {
  return { name: op ?? crud(method), method, op, doc, run, ...flags };
}

export interface CompiledResource {
  resource: Resource;
  params: string[];
  pattern: RegExp;
  /** The `<path>/op-<name>` alias (MAAS 3.3+; no trailing slash). */
  opPattern: RegExp;
}

export function compileResource(resource: Resource): CompiledResource {
  const params: string[] = [];
  const source = `${API_PREFIX}${resource.path}`
    .split(/(\{[a-z_]+\})/)
    .map((piece) => {
      const m = /^\{([a-z_]+)\}$/.exec(piece);
      if (m?.[1]) {
        params.push(m[1]);
        return '([^/]+)';
      }
      return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return {
    resource,
    params,
    pattern: new RegExp(`^${source}$`),
    opPattern: new RegExp(`^${source.replace(/\/$/, '')}/op-([^/]+)$`),
  };
}

/** The methods a handler answers, for 405's Allow header. */
export function allowedMethods(handler: Handler): HttpMethod[] {
  return [...new Set(handler.actions.map((a) => a.method))];
}
