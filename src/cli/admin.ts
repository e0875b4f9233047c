// Server-side admin commands, as MAAS's `maas createadmin` and `maas apikey` behave
// (spec/maas-auth.md §4.5). Pure over a store: they return the lines to print or throw a
// CommandError; main() owns the streams and exit codes.
import { DEFAULT_KEY_NAME, formatApiKey, malformedKeyMessage, splitApiKey } from '../model/index.ts';
import type { Store } from '../store/types.ts';

export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface CreateAdminArgs {
  username?: string | undefined;
  password?: string | undefined;
  email?: string | undefined;
}

/** As `maas createadmin`, asks for what the options did not give (on a terminal only). */
export async function askMissing(
  args: CreateAdminArgs,
  prompt: (question: string, secret: boolean) => Promise<string>,
): Promise<CreateAdminArgs> {
  const username = args.username || (await prompt('Username: ', false));
  let password = args.password;
  if (!password) {
    password = await prompt('Password: ', true);
    if ((await prompt('Again: ', true)) !== password) throw new CommandError('Passwords do not match');
  }
  const email = args.email || (await prompt('Email: ', false));
  return { username, password, email };
}

/** Creates a superuser (and, as for every new user, one key named "MAAS consumer"). Prints nothing. */
export async function createAdmin(store: Store, args: CreateAdminArgs): Promise<string[]> {
  if (!args.username) throw new CommandError('You must input a username or provide it with --username.');
  if (!args.password) throw new CommandError('Passwords cannot be empty');
  if (!args.email) throw new CommandError('You must input an email or provide it with --email');
  try {
    await store.createUser({ username: args.username, email: args.email, password: args.password, isSuperuser: true });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_STORE_DUPLICATE') {
      throw new CommandError(`A user with the username ${args.username} already exists.`);
    }
    throw error;
  }
  return [];
}

export interface ApiKeyArgs {
  username?: string | undefined;
  generate?: boolean | undefined;
  delete?: string | undefined;
  update?: string | undefined;
  name?: string | undefined;
  withNames?: boolean | undefined;
}

/** Lists, generates, deletes or renames a user's keys, printing `ck:tk:ts[ NAME]` lines. */
export async function apiKey(store: Store, args: ApiKeyArgs): Promise<string[]> {
  if (!args.username) throw new CommandError('You must provide a username with --username.');
  if (args.generate && args.delete !== undefined) throw new CommandError('Specify one of --generate or --delete.');
  if (args.generate && args.update !== undefined) throw new CommandError('Specify one of --generate or --update.');
  if (args.delete !== undefined && args.update !== undefined) throw new CommandError('Specify one of --delete or --update.');
  const user = await store.findUser(args.username);
  if (!user) throw new CommandError('User does not exist.');
  const line = (k: { consumerKey: string; tokenKey: string; tokenSecret: string; name: string }) =>
    args.withNames ? `${formatApiKey(k)} ${k.name}` : formatApiKey(k);

  if (args.generate) {
    return [line(await store.createApiKey(user.id, args.name ?? DEFAULT_KEY_NAME))];
  }
  const target = args.delete ?? args.update;
  if (target !== undefined) {
    const parts = splitApiKey(target);
    // The key is the user's own input; echo only its shape, never the secret part.
    if (!parts) throw new CommandError(malformedKeyMessage(`${target.split(':').length} part(s)`));
    const keys = await store.listApiKeys(user.id);
    const match = keys.find((k) => k.consumerKey === parts.consumerKey && k.tokenKey === parts.tokenKey && k.tokenSecret === parts.tokenSecret);
    if (!match) throw new CommandError('No matching api key found.');
    if (args.delete !== undefined) {
      await store.deleteApiKey(user.id, match.tokenKey);
    } else {
      if (args.name === undefined) throw new CommandError('Should specify new name for the updated key .');
      await store.renameApiKey(user.id, match.tokenKey, args.name);
    }
    return [];
  }
  return (await store.listApiKeys(user.id)).map(line);
}
