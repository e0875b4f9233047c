// resourcepools/ and the singular resourcepool/{id}/ — ResourcePoolsHandler and
// ResourcePoolHandler. spec/maas-resources.md §1.2, §2.10, §4.
//   GET    resourcepools/                      200 every pool, by name
//   POST   resourcepools/ name [description]   200 the pool; 400 {"name": [..]}; 403 (empty body) non-admin
//   GET    resourcepool/{id}/                  200; 404 No ResourcePool matches the given query.
//   PUT    resourcepool/{id}/ (partial)        200 the pool; 400 {"name": [..]}; 403 (empty); 404
//   DELETE resourcepool/{id}/                  204; 400 This is the default pool, it cannot be deleted.;
//                                              400 Pool has machines in it, it cannot be deleted.; 403 (empty); 404
//   POST   resourcepool/{id}/                  405
// {id} is a specifier: digits are an id, anything else a name; `id:`/`name:` prefixes force
// one or the other. Item writes look the pool up first, then check permission (403 for a pool
// that exists).
import { DEFAULT_POOL_ID, poolNameErrors } from '../model/groups.ts';
import { poolJson } from '../model/index.ts';
import type { ResourcePool, Store } from '../store/index.ts';
import { badRequest, forbidden, notFound } from './errors.ts';
import { duplicateAsFieldError, FieldErrors } from './form-errors.ts';
import { type ActionContext, action, type Resource } from './registry.ts';
import { deleted, json } from './render.ts';

/** resourcepool/{id}/'s specifier lookup (spec §1.2). */
export async function findPoolBySpecifier(store: Store, specifier: string): Promise<ResourcePool | undefined> {
  const m = /^(id|name):(.*)$/.exec(specifier);
  const kind = m ? m[1] : /^\d+$/.test(specifier) ? 'id' : 'name';
  const value = m ? m[2]! : specifier;
  if (kind === 'id') return /^\d+$/.test(value) ? store.findPoolById(Number(value)) : undefined;
  return store.findPoolByName(value);
}

function poolForm(ctx: ActionContext, creating: boolean): { name?: string; description?: string } {
  const errors = new FieldErrors();
  const out: { name?: string; description?: string } = {};
  const name = ctx.data.get('name')?.trim();
  if (creating || name !== undefined) {
    errors.add('name', ...poolNameErrors(name));
    if (name !== undefined) out.name = name;
  }
  const description = ctx.data.get('description');
  if (description !== undefined) out.description = description;
  errors.check();
  return out;
}

function requireAdmin(ctx: ActionContext): void {
  if (!ctx.user?.isSuperuser) throw forbidden('');
}

async function findPool(ctx: ActionContext): Promise<ResourcePool> {
  const pool = await findPoolBySpecifier(ctx.store, ctx.path['id'] ?? '');
  if (!pool) throw notFound('ResourcePool');
  return pool;
}

const PARAMS =
  ':param name: The name of the resource pool.\n:type name: String\n\n:param description: A brief description of the resource pool.\n:type description: String';

export const resourcePoolsResource: Resource = {
  path: 'resourcepools/',
  auth: {
    name: 'ResourcePoolsHandler',
    doc: 'Manage resource pools.',
    actions: [
      action('GET', null, 'List resource pools.\n\nGet a listing of all resource pools.', async (ctx) =>
        json((await ctx.store.listPools()).map(poolJson)),
      ),
      action('POST', null, `Create a resource pool.\n\nCreates a new resource pool.\n\n${PARAMS}`, async (ctx) => {
        requireAdmin(ctx);
        const form = poolForm(ctx, true);
        const pool = await ctx.store
          .createPool({ name: form.name ?? '', description: form.description ?? '' })
          .catch((error: unknown) => duplicateAsFieldError(error));
        return json(poolJson(pool));
      }),
    ],
  },
};

export const resourcePoolResource: Resource = {
  path: 'resourcepool/{id}/',
  auth: {
    name: 'ResourcePoolHandler',
    doc: 'Manage a resource pool.',
    actions: [
      action('GET', null, 'Get a resource pool.\n\nGets a resource pool with the given ID.\n\n:param id: The resource pool\'s ID or name.\n:type id: String', async (ctx) =>
        json(poolJson(await findPool(ctx))),
      ),
      action('PUT', null, `Update a resource pool.\n\nUpdates a resource pool's name or description.\n\n${PARAMS}`, async (ctx) => {
        const pool = await findPool(ctx);
        requireAdmin(ctx);
        const updated = await ctx.store.updatePool(pool.id, poolForm(ctx, false)).catch((error: unknown) => duplicateAsFieldError(error));
        if (!updated) throw notFound('ResourcePool');
        return json(poolJson(updated));
      }),
      action('DELETE', null, 'Delete a resource pool.\n\nDeletes a resource pool.\n\n:param id: The resource pool\'s ID or name.\n:type id: String', async (ctx) => {
        const pool = await findPool(ctx);
        requireAdmin(ctx);
        if (pool.id === DEFAULT_POOL_ID) throw badRequest('This is the default pool, it cannot be deleted.');
        if ((await ctx.store.countPoolMachines(pool.id)) > 0) throw badRequest('Pool has machines in it, it cannot be deleted.');
        await ctx.store.deletePool(pool.id);
        return deleted();
      }),
    ],
  },
};
