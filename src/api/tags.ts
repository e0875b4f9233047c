// tags/ — TagsHandler and TagHandler. spec/maas-resources.md §2.8, §4.
//   GET    tags/                          200 every tag, by id
//   POST   tags/ name [comment definition kernel_opts]
//                                         200 the tag; 400 {"name"|"definition": [..]}; 403 (empty body) non-admin
//   GET    tags/{name}/                   200; 404 No Tag matches the given query.
//   PUT    tags/{name}/ (partial)         200 the tag; 400 {field: [..]}; 403 (empty); 404
//   DELETE tags/{name}/                    204; 403 (empty); 404
//   GET    tags/{name}/?op=nodes|machines|devices|rack_controllers|region_controllers
//                                         200 the tagged nodes of that type the caller may view; 404
//   POST   tags/{name}/?op=rebuild        200 {"rebuilding": name}; 403 (empty); 404
//   POST   tags/{name}/?op=update_nodes add=… remove=… [definition]
//                                         200 {"added": n, "removed": n}; 403 (empty); 404;
//                                         409 Definition supplied '<x>' doesn't match current definition '<y>'
// Writes are PermissionDenied() in MAAS, so 403 has an empty body, checked before the lookup.
import { tagNameErrors, tagUri, type TagJson, xpathError } from '../model/groups.ts';
import type { Tag, TagFields } from '../store/index.ts';
import { ApiError, forbidden, notFound } from './errors.ts';
import { duplicateAsFieldError, FieldErrors } from './form-errors.ts';
import type { Params } from './params.ts';
import { type Action, type ActionContext, action, type Resource } from './registry.ts';
import { deleted, json } from './render.ts';
import { taggedNodesJson } from './tagged-nodes.ts';

export function tagJson(tag: Tag): TagJson {
  return {
    name: tag.name,
    definition: tag.definition,
    comment: tag.comment,
    kernel_opts: tag.kernelOpts,
    resource_uri: tagUri(tag.name),
  };
}

function requireAdmin(ctx: ActionContext): void {
  if (!ctx.user?.isSuperuser) throw forbidden('');
}

async function findTag(ctx: ActionContext): Promise<Tag> {
  const tag = await ctx.store.findTag(ctx.path['name'] ?? '');
  if (!tag) throw notFound('Tag');
  return tag;
}

/** The form fields present in `data`, validated (all of them for create, the given ones for update). */
function tagForm(data: Params, creating: boolean): Partial<TagFields> {
  const errors = new FieldErrors();
  const out: Partial<TagFields> = {};
  const name = data.get('name')?.trim();
  if (creating || name !== undefined) {
    errors.add('name', ...tagNameErrors(name));
    if (name !== undefined) out.name = name;
  }
  const definition = data.get('definition');
  if (definition !== undefined) {
    const problem = xpathError(definition);
    if (problem) errors.add('definition', `Invalid xpath expression: ${problem}`);
    out.definition = definition;
  }
  const comment = data.get('comment');
  if (comment !== undefined) out.comment = comment;
  const kernelOpts = data.get('kernel_opts');
  if (kernelOpts !== undefined) out.kernelOpts = kernelOpts;
  errors.check();
  return out;
}

async function createTag(ctx: ActionContext) {
  requireAdmin(ctx);
  const form = tagForm(ctx.data, true);
  const tag = await ctx.store
    .createTag({ name: form.name ?? '', definition: form.definition ?? '', comment: form.comment ?? '', kernelOpts: form.kernelOpts ?? '' })
    .catch((error: unknown) => duplicateAsFieldError(error));
  return json(tagJson(tag));
}

async function updateTag(ctx: ActionContext) {
  requireAdmin(ctx);
  const tag = await findTag(ctx);
  const form = tagForm(ctx.data, false);
  const updated = await ctx.store.updateTag(tag.id, form).catch((error: unknown) => duplicateAsFieldError(error));
  if (!updated) throw notFound('Tag');
  return json(tagJson(updated));
}

async function deleteTag(ctx: ActionContext) {
  requireAdmin(ctx);
  const tag = await findTag(ctx);
  await ctx.store.deleteTag(tag.id);
  return deleted();
}

async function updateNodes(ctx: ActionContext) {
  requireAdmin(ctx);
  const tag = await findTag(ctx);
  const definition = ctx.data.get('definition');
  if (definition !== undefined && definition !== tag.definition) {
    throw new ApiError(
      409,
      'ERR_API_CONFLICT',
      `Definition supplied '${definition}' doesn't match current definition '${tag.definition}'`,
    );
  }
  const counts = await ctx.store.updateTagNodes(tag.id, ctx.data.getAll('add'), ctx.data.getAll('remove'));
  return json(counts);
}

const NODE_OPS = {
  nodes: ['List Nodes', 'nodes'],
  machines: ['List machines', 'machines'],
  devices: ['List devices', 'devices'],
  rack_controllers: ['List rack controllers', 'rack controllers'],
  region_controllers: ['List region controllers', 'region controllers'],
} as const;

function nodeOp(op: keyof typeof NODE_OPS): Action {
  const [title, what] = NODE_OPS[op];
  return action(
    'GET',
    op,
    `${title}.\n\nGet a JSON list containing ${what} objects that match the given tag name.\n\n:param name: A tag name.\n:type name: String`,
    async (ctx) => {
      const tag = await findTag(ctx);
      return json(await taggedNodesJson(ctx, tag.name, op));
    },
  );
}

const NAME_PARAMS =
  ':param name: The new tag name. Because the name will be used in urls, it should be short.\n:type name: String\n\n:param comment: A description of what the the tag will be used for in natural language.\n:type comment: String\n\n:param definition: An XPATH query that is evaluated against the hardware_details stored for all nodes (output of `lshw -xml`).\n:type definition: String\n\n:param kernel_opts: Nodes associated with this tag will add this string to their kernel options when booting. The value overrides the global `kernel_opts` setting. If more than one tag is associated with a node, command line will be concatenated from all associated tags, in alphabetic tag name order.\n:type kernel_opts: String';

export const tagsResource: Resource = {
  path: 'tags/',
  auth: {
    name: 'TagsHandler',
    doc: 'Manage all tags known to MAAS.',
    actions: [
      action('GET', null, 'List tags.\n\nOutputs a JSON object containing an array of all currently defined tag objects.', async (ctx) =>
        json((await ctx.store.listTags()).map(tagJson)),
      ),
      action('POST', null, `Create a new tag.\n\nCreate a new tag with the given name, comment, definition and kernel options.\n\n${NAME_PARAMS}`, createTag),
    ],
  },
};

export const tagResource: Resource = {
  path: 'tags/{name}/',
  auth: {
    name: 'TagHandler',
    doc: 'Tags are properties that can be associated with a Node and serve as criteria for selecting and allocating nodes.',
    actions: [
      action('GET', null, 'Read a specific tag.\n\nReturns a JSON object containing information about a specific tag.\n\n:param name: A tag name.\n:type name: String', async (ctx) =>
        json(tagJson(await findTag(ctx))),
      ),
      action('PUT', null, `Update a tag.\n\nUpdate elements of a given tag.\n\n${NAME_PARAMS}`, updateTag),
      action('DELETE', null, 'Delete a tag.\n\nDeletes a tag by name.\n\n:param name: A tag name.\n:type name: String', deleteTag),
      nodeOp('nodes'),
      nodeOp('machines'),
      nodeOp('devices'),
      nodeOp('rack_controllers'),
      nodeOp('region_controllers'),
      action(
        'POST',
        'rebuild',
        "Trigger a tag-node mapping rebuild.\n\nTells MAAS to rebuild the tag-to-node mappings. maaskit never evaluates definitions, so links are kept.\n\n:param name: A tag name.\n:type name: String",
        async (ctx) => {
          requireAdmin(ctx);
          const tag = await findTag(ctx);
          return json({ rebuilding: tag.name });
        },
      ),
      action(
        'POST',
        'update_nodes',
        "Update nodes associated with this tag.\n\nAdd or remove nodes associated with the given tag. Note that you must supply either the add or remove parameter.\n\n:param add: The system_id to tag.\n:type add: String\n\n:param remove: The system_id to untag.\n:type remove: String\n\n:param definition: If given, the definition (XPATH expression) will be validated against the current definition of the tag. If the value does not match, MAAS assumes the Tag was changed in the meantime and the request is refused (409).\n:type definition: String",
        updateNodes,
      ),
    ],
  },
};
