// account/ — AccountHandler: the caller's API keys. spec/maas-auth.md §4.4.
//   POST ?op=create_authorisation_token [name]      200 {token_key, token_secret, consumer_key, name}
//   POST ?op=delete_authorisation_token token_key   204; 400 No provided token_key!; 404
//   POST ?op=update_token_name token name           202 Accepted; 400 No provided token!/name!; 404
//   GET  ?op=list_authorisation_tokens              200 [{name, token}], indented by 4
//   GET/POST without an op                          400 Unrecognised signature; PUT/DELETE 405
// Parameters come from the body only, as MAAS reads request.data.
import { DEFAULT_KEY_NAME, formatApiKey, splitApiKey } from '../model/index.ts';
import { notFound } from './errors.ts';
import { type ActionContext, type Resource, action } from './registry.ts';
import { JSON_TYPE, accepted, deleted, pythonJson } from './render.ts';
import { mandatory } from './users.ts';

function userId(ctx: ActionContext): number {
  return ctx.user?.id ?? -1;
}

/** A full consumer_key:token_key:token_secret or a bare token key → the token key. */
function tokenKeyOf(value: string): string {
  return splitApiKey(value)?.tokenKey ?? value;
}

export const accountResource: Resource = {
  path: 'account/',
  auth: {
    name: 'AccountHandler',
    doc: 'Manage the current logged-in user.',
    actions: [
      action(
        'POST',
        'create_authorisation_token',
        'Create an authorisation token.\n\nCreate an authorisation token for the requesting user.\n\n:param name: Optional name of the token that will be generated.\n:type name: unicode',
        async (ctx) => {
          const key = await ctx.store.createApiKey(userId(ctx), ctx.data.get('name') ?? DEFAULT_KEY_NAME);
          const body = { token_key: key.tokenKey, token_secret: key.tokenSecret, consumer_key: key.consumerKey, name: key.name };
          return { status: 200, contentType: JSON_TYPE, body: pythonJson(body) };
        },
      ),
      action(
        'POST',
        'delete_authorisation_token',
        "Delete an authorisation token.\n\nDelete the requesting user's authorisation token with the given token key.\n\n:param token_key: The key of the token to be deleted.\n:type token_key: unicode",
        async (ctx) => {
          // The token key only: MAAS looks a whole key up as a token key, and finds nothing.
          const tokenKey = mandatory(ctx.data, 'token_key');
          if (!(await ctx.store.deleteApiKey(userId(ctx), tokenKey))) throw notFound('Token');
          return deleted();
        },
      ),
      action(
        'POST',
        'update_token_name',
        'Modify authorisation token.\n\nModify the consumer name of an authorisation token.\n\n:param token: Can be the whole token or only the token key.\n:type token: unicode\n\n:param name: New name of the token.\n:type name: unicode',
        async (ctx) => {
          const token = mandatory(ctx.data, 'token');
          const name = mandatory(ctx.data, 'name');
          if (!(await ctx.store.renameApiKey(userId(ctx), tokenKeyOf(token), name))) throw notFound('Token');
          return accepted();
        },
      ),
      action(
        'GET',
        'list_authorisation_tokens',
        'List authorisation tokens.\n\nList authorisation tokens available to the currently logged-in user.\n\n:return: list of dictionaries representing each key\'s name and token.',
        async (ctx) => {
          const keys = await ctx.store.listApiKeys(userId(ctx));
          const list = keys.map((k) => ({ name: k.name, token: formatApiKey(k) }));
          return { status: 200, contentType: JSON_TYPE, body: pythonJson(list, 4) };
        },
      ),
    ],
  },
};
