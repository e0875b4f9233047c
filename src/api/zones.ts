// zones/ — ZonesHandler and ZoneHandler. spec/maas-resources.md §2.9, §4.
//   GET    zones/                       200 every zone, by name
//   POST   zones/ name [description]    200 the zone; 400 {"name": [..]}; 403 This method is reserved for admin users.
//   GET    zones/{name}/                200; 404 No Zone matches the given query.
//   PUT    zones/{name}/ (partial)      200 the zone; 400 {"name": [..]}; 403 (admin_method); 404
//   DELETE zones/{name}/                204, also for an unknown zone; 400 (text) for the default zone;
//                                       403 (admin_method). Its nodes and pods move to the default zone.
//   POST   zones/{name}/                405
import { DEFAULT_ZONE_ID, zoneNameErrors } from '../model/groups.ts';
import { zoneJson } from '../model/index.ts';
import { badRequest, notFound } from './errors.ts';
import { duplicateAsFieldError, FieldErrors } from './form-errors.ts';
import { type ActionContext, action, type Resource } from './registry.ts';
import { deleted, json } from './render.ts';

function zoneForm(ctx: ActionContext, creating: boolean): { name?: string; description?: string } {
  const errors = new FieldErrors();
  const out: { name?: string; description?: string } = {};
  const name = ctx.data.get('name')?.trim();
  if (creating || name !== undefined) {
    errors.add('name', ...zoneNameErrors(name));
    if (name !== undefined) out.name = name;
  }
  const description = ctx.data.get('description');
  if (description !== undefined) out.description = description;
  errors.check();
  return out;
}

async function findZone(ctx: ActionContext) {
  const zone = await ctx.store.findZone(ctx.path['name'] ?? '');
  if (!zone) throw notFound('Zone');
  return zone;
}

const PARAMS =
  ':param name: The name of the zone.\n:type name: String\n\n:param description: A description of what the zone is used for.\n:type description: String';

export const zonesResource: Resource = {
  path: 'zones/',
  auth: {
    name: 'ZonesHandler',
    doc: 'Manage physical zones.',
    actions: [
      action('GET', null, 'List available zones.\n\nGet a listing of all the physical zones.', async (ctx) =>
        json((await ctx.store.listZones()).map(zoneJson)),
      ),
      action(
        'POST',
        null,
        `Create a new zone.\n\nCreates a new zone.\n\n${PARAMS}`,
        async (ctx) => {
          const form = zoneForm(ctx, true);
          const zone = await ctx.store
            .createZone({ name: form.name ?? '', description: form.description ?? '' })
            .catch((error: unknown) => duplicateAsFieldError(error));
          return json(zoneJson(zone));
        },
        { admin: true },
      ),
    ],
  },
};

export const zoneResource: Resource = {
  path: 'zones/{name}/',
  auth: {
    name: 'ZoneHandler',
    doc: 'Manage a physical zone.\n\nAny node is in a physical zone, or "availability zone." These can be used to\ndistinguish and select nodes by their physical location.',
    actions: [
      action('GET', null, 'Retrieve a zone.\n\nReturns a named zone.\n\n:param name: The zone to be retrieved.\n:type name: String', async (ctx) =>
        json(zoneJson(await findZone(ctx))),
      ),
      action(
        'PUT',
        null,
        `Update a zone.\n\nUpdates a zone's name or description.\n\nNote that only 'name' and 'description' parameters are honored. Others, such\nas 'resource-uri' or 'id' will be ignored.\n\n${PARAMS}`,
        async (ctx) => {
          const zone = await findZone(ctx);
          const updated = await ctx.store.updateZone(zone.id, zoneForm(ctx, false)).catch((error: unknown) => duplicateAsFieldError(error));
          if (!updated) throw notFound('Zone');
          return json(zoneJson(updated));
        },
        { admin: true },
      ),
      action(
        'DELETE',
        null,
        'Delete a zone.\n\nDeletes a zone.\n\n:param name: The zone to delete.\n:type name: String',
        async (ctx) => {
          // Idempotent: an unknown zone is 204 too (spec §2.9).
          const zone = await ctx.store.findZone(ctx.path['name'] ?? '');
          if (!zone) return deleted();
          if (zone.id === DEFAULT_ZONE_ID) throw badRequest('This zone is the default zone, it cannot be deleted.');
          await ctx.store.deleteZone(zone.id);
          return deleted();
        },
        { admin: true },
      ),
    ],
  },
};
