// users/ — UsersHandler and UserHandler. spec/maas-resources.md §2.3.
//   GET  users/               200 every user, by username
//   GET  users/?op=whoami     200 the caller
//   POST users/               200 the new user; 400 missing/invalid param; 403 non-admin;
//                             409 username taken
//   GET  users/{username}/    200; 404 No User matches the given query.
//   DELETE users/{username}/  204 (also for an unknown user); 400 self-delete; 403 non-admin;
//                             404 unknown transfer_resources_to
import type { UserJson } from '../model/index.ts';
import { API_PREFIX } from '../model/index.ts';
import { StoreError, type User } from '../store/index.ts';
import { ApiError, badRequest, notFound } from './errors.ts';
import type { Params } from './params.ts';
import { type ActionContext, type Resource, action } from './registry.ts';
import { deleted, json } from './render.ts';

export function userJson(user: User): UserJson {
  return {
    is_superuser: user.isSuperuser,
    username: user.username,
    email: user.email,
    is_local: user.isLocal,
    resource_uri: `${API_PREFIX}users/${encodeURIComponent(user.username)}/`,
  };
}

export function mandatory(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw badRequest(`No provided ${name}!`);
  return value;
}

function caller(ctx: ActionContext): User {
  // The dispatcher runs auth handlers with a user only; this narrows the type.
  if (!ctx.user) throw new ApiError(401, 'ERR_API_FORBIDDEN', 'Forbidden', { contentType: 'text/plain' });
  return ctx.user;
}

async function createUser(ctx: ActionContext) {
  const username = mandatory(ctx.data, 'username');
  const email = mandatory(ctx.data, 'email');
  const password = mandatory(ctx.data, 'password');
  const flag = mandatory(ctx.data, 'is_superuser');
  // MAAS's extract_bool takes only "0" and "1" (anything else is a 500 there, a 400 here).
  if (flag !== '0' && flag !== '1') throw badRequest('Invalid is_superuser: expected 0 or 1.');
  if (username === '') throw badRequest('No provided username!');
  try {
    const user = await ctx.store.createUser({ username, email, password, isSuperuser: flag === '1' });
    return json(userJson(user));
  } catch (error) {
    if (error instanceof StoreError && error.code === 'ERR_STORE_DUPLICATE') {
      throw new ApiError(409, 'ERR_API_CONFLICT', error.message);
    }
    throw error;
  }
}

async function deleteUser(ctx: ActionContext) {
  const me = caller(ctx);
  const username = ctx.path['username'] ?? '';
  if (username === me.username) throw badRequest('An administrator cannot self-delete.');
  // MAAS answers 204 for an unknown user too, and looks up transfer_resources_to (an empty
  // value is no transfer) only for a user that exists.
  if (!(await ctx.store.findUser(username))) return deleted();
  const heir = ctx.query.get('transfer_resources_to');
  if (heir && !(await ctx.store.findUser(heir))) throw notFound('User');
  await ctx.store.deleteUser(username);
  return deleted();
}

export const usersResource: Resource = {
  path: 'users/',
  auth: {
    name: 'UsersHandler',
    doc: 'Manage the user accounts of this MAAS.',
    actions: [
      action('GET', null, 'List users.', async (ctx) => json((await ctx.store.listUsers()).map(userJson))),
      action('GET', 'whoami', 'Retrieve logged-in user.\n\nReturns the currently logged-in user.', async (ctx) =>
        json(userJson(caller(ctx))),
      ),
      action(
        'POST',
        null,
        'Create a MAAS user account.\n\nThis is not safe: the password is sent in plaintext. Avoid it for production,\nunless you are confident that you can prevent eavesdroppers from observing the\nrequest.\n\n:param username: Identifier-style username for the new user.\n:type username: String\n\n:param email: Email address for the new user.\n:type email: String\n\n:param password: Password for the new user.\n:type password: String\n\n:param is_superuser: Whether the new user is to be an administrator. (\'0\' for\n    False, \'1\' for True)\n:type is_superuser: Boolean',
        createUser,
        { admin: true },
      ),
    ],
  },
};

export const userResource: Resource = {
  path: 'users/{username}/',
  auth: {
    name: 'UserHandler',
    doc: 'Manage a user account.',
    actions: [
      action('GET', null, 'Retrieve a user.\n\n:param username: The username.\n:type username: String', async (ctx) => {
        const user = await ctx.store.findUser(ctx.path['username'] ?? '');
        if (!user) throw notFound('User');
        return json(userJson(user));
      }),
      action(
        'DELETE',
        null,
        'Delete a user.\n\n:param username: The username to delete.\n:type username: String\n\n:param transfer_resources_to: An optional username. If supplied, the\n    allocated resources of the user being deleted will be transferred to\n    this user.\n:type transfer_resources_to: String',
        deleteUser,
        { admin: true },
      ),
    ],
  },
};
