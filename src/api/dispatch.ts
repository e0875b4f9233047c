// MAAS's dispatch rules (spec/maas-auth.md §6.3, spec/maas-resources.md §2.0): find the
// resource, choose the authenticated or anonymous handler, check the method, resolve the op.
// Pure functions over the registry; authentication itself happens at the server edge.
import { API_PREFIX } from '../model/index.ts';
import type { User } from '../store/index.ts';
import { ApiError, badRequest, forbidden } from './errors.ts';
import type { Params } from './params.ts';
import { type Action, type CompiledResource, type Handler, type HttpMethod, allowedMethods, compileResource, type Resource } from './registry.ts';

export interface RouteMatch {
  compiled: CompiledResource;
  path: Record<string, string>;
  /** The op of an `/op-<name>` path, if that form was used. */
  pathOp: string | undefined;
}

export interface Router {
  match(path: string): RouteMatch | undefined;
}

export function createRouter(resources: Resource[]): Router {
  const compiled = resources.map(compileResource);
  return {
    match(path) {
      for (const c of compiled) {
        const m = c.pattern.exec(path);
        const o = m ? undefined : c.opPattern.exec(path);
        const found = m ?? o;
        if (!found) continue;
        const values: Record<string, string> = {};
        c.params.forEach((name, i) => {
          values[name] = safeDecode(found[i + 1] ?? '');
        });
        return { compiled: c, path: values, pathOp: o ? safeDecode(o[c.params.length + 1] ?? '') : undefined };
      }
      return undefined;
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** 404 for any path under /MAAS/api/2.0/ that no handler serves (spec/maas-resources.md §1.2). */
export function unknownEndpoint(path: string): ApiError {
  return new ApiError(404, 'ERR_API_UNKNOWN_ENDPOINT', `Unknown API endpoint: ${path}.`);
}

export function isApiPath(path: string): boolean {
  return path.startsWith(API_PREFIX);
}

/** The "challenge": piston's rc.FORBIDDEN, a 401 whose body is "Forbidden" (spec/maas-auth.md §5). */
export function challenge(hint?: string): ApiError {
  return new ApiError(401, 'ERR_API_FORBIDDEN', hint ? `Forbidden\nHint: ${hint}` : 'Forbidden', {
    contentType: 'text/plain',
  });
}

/**
 * Chooses the handler: the full one for an authenticated user, the anonymous twin when it
 * answers this method, else the challenge. A resource without authentication (version/) is
 * always anonymous.
 */
export function chooseHandler(resource: Resource, method: HttpMethod, user: User | undefined, hint?: string): Handler {
  if (!resource.auth) return resource.anon!;
  if (user) {
    // RestrictedResource: an inactive user's valid key is refused (spec/maas-auth.md §5).
    if (!user.isActive) throw forbidden('User is not allowed access to this API.');
    return resource.auth;
  }
  if (resource.anon && allowedMethods(resource.anon).includes(method)) return resource.anon;
  throw challenge(hint);
}

/** MAAS's op lookup: query, then body (POST/PUT), then the path alias; an empty op is no op. */
export function resolveOp(method: HttpMethod, query: Params, body: Params, pathOp: string | undefined): string | null {
  const fromBody = method === 'POST' || method === 'PUT' ? body.get('op') : undefined;
  return query.get('op') || fromBody || pathOp || null;
}

export function resolveAction(handler: Handler, method: HttpMethod, op: string | null, user: User | undefined): Action {
  const methods = allowedMethods(handler);
  if (!methods.includes(method)) {
    throw new ApiError(405, 'ERR_API_METHOD_NOT_ALLOWED', '', {
      contentType: 'text/html; charset=utf-8',
      headers: { allow: methods.join(', ') },
    });
  }
  const found = handler.actions.find((a) => a.method === method && a.op === op);
  if (!found) {
    throw new ApiError(400, 'ERR_API_UNRECOGNISED_SIGNATURE', `Unrecognised signature: method=${method} op=${op ?? 'None'}`);
  }
  if (found.admin && !user?.isSuperuser) throw forbidden('This method is reserved for admin users.');
  return found;
}

/** piston's reserved `format` parameter: only json is served. */
export function checkFormat(query: Params): void {
  const format = query.get('format');
  if (format !== undefined && format !== 'json') throw badRequest(`Invalid output format specified '${format}'.`);
}
