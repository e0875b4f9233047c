// The client side of the CLI, as the maas CLI behaves (spec/clients.md §1.2, spec/maas-auth.md
// §4.6): login/logout/list/refresh over stored profiles, and `PROFILE RESOURCE ACTION …`
// generated from the profile's describe/. Pure over their I/O: they print through `io` and
// return an outcome; main() turns it into an exit code.
import { basename } from 'node:path';
import {
  apiUrl,
  type FileParam,
  inspectApiKey,
  KeyFormatError,
  MaasClient,
  type MaasResponse,
  MaasClientError,
  type ParamValue,
  parseApiKey,
} from '../client/index.ts';
import { CommandError } from './admin.ts';
import { formatExchange, renderTable } from './client-output.ts';
import {
  checkProfileName,
  type Describe,
  type DescribedAction,
  type DescribedHandler,
  type Profile,
  type ProfileStore,
} from './profiles.ts';

export interface ClientIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  readStdin: () => Promise<string>;
  readFile: (path: string) => Uint8Array;
  /** Asks on the terminal; absent when there is none. */
  prompt?: ((question: string, secret: boolean) => Promise<string>) | undefined;
  profiles: ProfileStore;
  /** The SDK's injectables (tests replace them; main passes the real ones or nothing). */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

function clientOptions(io: ClientIo) {
  return {
    ...(io.fetch ? { fetch: io.fetch } : {}),
    ...(io.sleep ? { sleep: io.sleep } : {}),
    ...(io.now ? { now: io.now } : {}),
  };
}

/** Runs an SDK call and turns its typed failures into CommandErrors (what / why / how to fix). */
async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MaasClientError) throw new CommandError(error.message);
    throw error;
  }
}

/** GET describe/ anonymously; like maascli, it must be exactly application/json. */
async function fetchDescription(client: MaasClient): Promise<Describe> {
  const response = await guarded(() => client.send({ method: 'GET', path: 'describe/', anonymous: true }));
  if (response.status !== 200) {
    throw new CommandError(
      `The MAAS server gave an unexpected response to describe/: ${response.status}. Check the URL: it is the MAAS URL with its /MAAS/ prefix, e.g. http://HOST:5240/MAAS/.`,
    );
  }
  if (response.contentType !== 'application/json') {
    throw new CommandError(
      `Expected application/json from ${client.apiUrl}describe/, got: ${response.contentType || 'no content type'}. ` +
        'This is not the MAAS API; give the MAAS URL with its /MAAS/ prefix, e.g. http://HOST:5240/MAAS/.',
    );
  }
  let description: Describe;
  try {
    description = JSON.parse(response.body) as Describe;
  } catch {
    throw new CommandError(`${client.apiUrl}describe/ answered malformed JSON.`);
  }
  if (!Array.isArray(description.resources)) throw new CommandError(`${client.apiUrl}describe/ has no resources: not a MAAS API description.`);
  return description;
}

export interface LoginArgs {
  profile: string;
  url: string;
  /** The key, '-' to read it from stdin, or undefined to ask (or go anonymous without a terminal). */
  key?: string | undefined;
}

/** maaskit login PROFILE URL [KEY|-] */
export async function login(args: LoginArgs, io: ClientIo): Promise<void> {
  checkProfileName(args.profile);
  let url: string;
  try {
    url = apiUrl(args.url);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  let key = args.key;
  if (key === '-') key = (await io.readStdin()).trim();
  else if (key === undefined) key = io.prompt ? await io.prompt('API key (leave empty for anonymous access): ', true) : '';
  let credentials: Profile['credentials'] = null;
  if (key.trim() !== '') {
    let parts: ReturnType<typeof parseApiKey>;
    try {
      parts = parseApiKey(key);
    } catch (error) {
      if (error instanceof KeyFormatError) throw new CommandError(`${error.message}\nNothing was saved.`);
      throw error;
    }
    const cleaned = inspectApiKey(key).cleaned;
    if (cleaned.length > 0) io.stderr(`Note: removed ${cleaned.map((c) => c.replace(/-/g, ' ')).join(' and ')} around the API key.\n`);
    const client = new MaasClient({ url, apiKey: parts, ...clientOptions(io) });
    // maascli's check_valid_apikey: a signed users/?op=whoami.
    const response = await guarded(() => client.send({ method: 'GET', path: 'users/', op: 'whoami' }));
    if (response.status === 401) {
      const hint = /^Hint: .*$/m.exec(response.body)?.[0];
      throw new CommandError(
        `The MAAS server rejected your API key.${hint ? `\n${hint}` : ''}\n` +
          `\`maaskit doctor ${args.url} KEY\` checks the key part by part. Nothing was saved.`,
      );
    }
    if (response.status !== 200) throw new CommandError(`The MAAS server gave an unexpected response: ${response.status}`);
    credentials = [parts.consumerKey, parts.tokenKey, parts.tokenSecret];
  }
  const description = await fetchDescription(new MaasClient({ url, ...clientOptions(io) }));
  io.profiles.save({ name: args.profile, url, credentials, description });
  io.stdout(
    `You are now logged in to the MAAS server at ${url} with the profile name '${args.profile}'` +
      `${credentials ? '' : ' (anonymous access)'}.\n\nFor the available commands, try:\n\n  maaskit ${args.profile} --help\n`,
  );
}

/** maaskit logout PROFILE */
export function logout(profile: string, io: ClientIo): void {
  if (!io.profiles.remove(profile)) throw new CommandError(`There is no profile named '${profile}'. \`maaskit list\` shows the profiles.`);
}

/** maaskit list: one "NAME URL" line per profile (never the key). */
export function listProfiles(io: ClientIo): void {
  for (const p of io.profiles.list()) io.stdout(`${p.name} ${p.url}${p.credentials ? '' : ' (anonymous)'}\n`);
}

/** maaskit refresh: fetch describe/ again for every profile. */
export async function refresh(io: ClientIo): Promise<void> {
  for (const p of io.profiles.list()) {
    const description = await fetchDescription(new MaasClient({ url: p.url, ...clientOptions(io) }));
    io.profiles.save({ ...p, description });
    io.stdout(`Refreshed the API description of profile '${p.name}'.\n`);
  }
}

// --- PROFILE RESOURCE ACTION ------------------------------------------------------------------

/**
 * A handler's command name as the maas CLI derives it: the camel-case words of the class name,
 * lower-cased, "Handler" dropped, joined with '-' (MachinesHandler → machines,
 * ResourcePoolsHandler → resource-pools, IPAddressesHandler → ipaddresses).
 */
export function resourceCommandName(handlerName: string): string {
  const words = handlerName.match(/[A-Z]*[a-z0-9]+|[A-Z]+/g) ?? [];
  return words.map((w) => w.toLowerCase()).filter((w) => w !== 'handler').join('-') || '...';
}

/** An action's command name: the op (or read/create/update/delete) with '_' as '-'. */
export function actionCommandName(action: DescribedAction): string {
  return action.name.replace(/_/g, '-');
}

export interface CommandResource {
  command: string;
  handler: DescribedHandler;
  actions: Map<string, { handler: DescribedHandler; action: DescribedAction }>;
}

/**
 * The resources a profile offers, as the maas CLI builds them: auth handlers (then anon) when
 * the profile has credentials, only anon ones otherwise; each action name registered once,
 * the first time it is seen.
 */
export function commandResources(profile: Profile): Map<string, CommandResource> {
  const out = new Map<string, CommandResource>();
  const resources = [...profile.description.resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const resource of resources) {
    const handlers = (profile.credentials ? [resource.auth, resource.anon] : [resource.anon]).filter((h): h is DescribedHandler => h !== null);
    const represent = resource.auth ?? resource.anon;
    if (!represent || handlers.length === 0) continue;
    const actions = new Map<string, { handler: DescribedHandler; action: DescribedAction }>();
    for (const handler of handlers) {
      for (const action of handler.actions) {
        const name = actionCommandName(action);
        if (!actions.has(name)) actions.set(name, { handler, action });
      }
    }
    if (actions.size > 0) out.set(resourceCommandName(resource.name), { command: resourceCommandName(resource.name), handler: represent, actions });
  }
  return out;
}

/** How long a --wait waits for, per machine action: the status that means done. */
const WAIT_TARGETS: Readonly<Record<string, string[]>> = {
  deploy: ['Deployed'],
  commission: ['Ready'],
  release: ['Ready', 'New'],
  'mark-fixed': ['Ready', 'Deployed'],
  'rescue-mode': ['Rescue mode'],
  'exit-rescue-mode': ['Ready', 'Deployed', 'New', 'Allocated', 'Broken'],
  test: ['Ready', 'Deployed', 'New', 'Allocated'],
  abort: ['New', 'Allocated', 'Ready', 'Failed disk erasing'],
};

export interface ProfileCommandOutcome {
  /** The HTTP status of the (last) answer; undefined when only help was printed. */
  status?: number;
}

interface Flags {
  debug: boolean;
  output: 'json' | 'table';
  wait: boolean;
  waitTimeoutMs: number;
  waitIntervalMs: number;
  help: boolean;
}

function parseFlags(argv: string[]): { flags: Flags; rest: string[] } {
  const flags: Flags = { debug: false, output: 'json', wait: false, waitTimeoutMs: 30 * 60_000, waitIntervalMs: 5000, help: false };
  const rest: string[] = [];
  const seconds = (name: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < 0) throw new CommandError(`${name} takes a number of seconds, got '${value ?? ''}'.`);
    return n * 1000;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--debug' || name === '-d') flags.debug = true;
    else if (name === '--help' || name === '-h') flags.help = true;
    else if (name === '--wait') flags.wait = true;
    else if (name === '--wait-timeout') flags.waitTimeoutMs = seconds('--wait-timeout', value());
    else if (name === '--wait-interval') flags.waitIntervalMs = seconds('--wait-interval', value());
    else if (name === '--output' || name === '-o') {
      const v = value();
      if (v !== 'json' && v !== 'table') throw new CommandError(`--output is json or table, not '${v ?? ''}'.`);
      flags.output = v;
    } else if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    } else if (arg.startsWith('-') && !arg.includes('=')) {
      throw new CommandError(`Unknown option ${arg}. Options: --output json|table, --debug, --wait, --wait-timeout SECONDS, --help.`);
    } else rest.push(arg);
  }
  return { flags, rest };
}

function firstLine(doc: string | null | undefined): string {
  return (doc ?? '').trim().split('\n', 1)[0] ?? '';
}

function helpForProfile(profile: Profile, resources: Map<string, CommandResource>): string {
  const lines = [`usage: maaskit ${profile.name} RESOURCE ACTION [ARGS] [key=value ...] [key@=file ...]`, '', `Resources of ${profile.url}:`];
  for (const r of resources.values()) lines.push(`  ${r.command.padEnd(24)} ${firstLine(r.handler.doc)}`);
  lines.push('', 'Options: --output json|table, --debug, --wait (machine deploy/commission/release…), --help');
  return `${lines.join('\n')}\n`;
}

function helpForResource(profile: Profile, r: CommandResource): string {
  const params = r.handler.params.map((p) => p.toUpperCase()).join(' ');
  const lines = [`usage: maaskit ${profile.name} ${r.command} ACTION ${params ? `${params} ` : ''}[key=value ...]`, '', firstLine(r.handler.doc), '', 'Actions:'];
  for (const [name, { action }] of r.actions) lines.push(`  ${name.padEnd(32)} ${firstLine(action.doc)}`);
  return `${lines.join('\n')}\n`;
}

function helpForAction(profile: Profile, r: CommandResource, name: string, handler: DescribedHandler, action: DescribedAction): string {
  const params = handler.params.map((p) => p.toUpperCase()).join(' ');
  return (
    `usage: maaskit ${profile.name} ${r.command} ${name} ${params ? `${params} ` : ''}[key=value ...] [key@=file ...]\n\n` +
    `${action.method} ${handler.path}${action.op ? `?op=${action.op}` : ''}\n\n${(action.doc ?? '').trim()}\n`
  );
}

/** key=value and key@=file arguments (maascli's data arguments). */
function dataPairs(args: string[], io: ClientIo): Array<[string, ParamValue]> {
  return args.map((arg): [string, ParamValue] => {
    const file = /^([^=@]+)@=(.*)$/s.exec(arg);
    if (file) {
      const [, key = '', path = ''] = file;
      let content: Uint8Array;
      try {
        content = io.readFile(path);
      } catch (error) {
        throw new CommandError(`Cannot read ${path} for ${key}: ${(error as { code?: string }).code ?? (error as Error).message}.`);
      }
      const param: FileParam = { filename: basename(path), content };
      return [key, param];
    }
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new CommandError(`'${arg}' is not an argument of the form key=value or key@=file.`);
    return [arg.slice(0, eq), arg.slice(eq + 1)];
  });
}

/** maaskit PROFILE [RESOURCE [ACTION [ARGS…]]] */
export async function runProfileCommand(argv: string[], io: ClientIo): Promise<ProfileCommandOutcome> {
  const { flags, rest } = parseFlags(argv);
  const [profileName = '', resourceName, actionName, ...args] = rest;
  const profile = io.profiles.get(profileName);
  if (!profile) {
    const known = io.profiles.list().map((p) => p.name);
    throw new CommandError(
      `'${profileName}' is neither a maaskit command nor a profile. ` +
        (known.length > 0 ? `Profiles: ${known.join(', ')}. ` : '') +
        `Log in first: maaskit login ${profileName || 'PROFILE'} URL KEY (maaskit --help lists the commands).`,
    );
  }
  const resources = commandResources(profile);
  if (resourceName === undefined) {
    io.stdout(helpForProfile(profile, resources));
    return {};
  }
  const resource = resources.get(resourceName);
  if (!resource) {
    throw new CommandError(
      `Profile '${profile.name}' has no resource '${resourceName}'. Resources: ${[...resources.keys()].join(', ')}. ` +
        'If the server gained it since you logged in, run `maaskit refresh`.',
    );
  }
  if (actionName === undefined || (flags.help && !resource.actions.has(actionName))) {
    io.stdout(helpForResource(profile, resource));
    return {};
  }
  const found = resource.actions.get(actionName);
  if (!found) {
    const underscored = actionName.includes('_') && resource.actions.has(actionName.replace(/_/g, '-'));
    throw new CommandError(
      `'${resource.command}' has no action '${actionName}'.` +
        (underscored ? ` Did you mean '${actionName.replace(/_/g, '-')}'? Actions are spelled with hyphens, as in the maas CLI.` : '') +
        ` Actions: ${[...resource.actions.keys()].join(', ')}.`,
    );
  }
  const { handler, action } = found;
  if (flags.help) {
    io.stdout(helpForAction(profile, resource, actionName, handler, action));
    return {};
  }
  const positional = args.slice(0, handler.params.length);
  if (positional.length < handler.params.length || positional.some((p) => p.includes('='))) {
    throw new CommandError(
      `${resource.command} ${actionName} needs ${handler.params.map((p) => p.toUpperCase()).join(' ')} first, e.g. ` +
        `maaskit ${profile.name} ${resource.command} ${actionName} ${handler.params.map((p) => `<${p}>`).join(' ')}.`,
    );
  }
  let path = handler.path;
  handler.params.forEach((param, i) => {
    path = path.replace(`{${param}}`, encodeURIComponent(positional[i] ?? ''));
  });
  const data = dataPairs(args.slice(handler.params.length), io);
  const method = action.method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'DELETE';
  const [ck = '', tk = '', ts = ''] = profile.credentials ?? [];
  const client = new MaasClient({
    url: profile.url,
    ...(profile.credentials ? { apiKey: { consumerKey: ck, tokenKey: tk, tokenSecret: ts } } : {}),
    ...clientOptions(io),
    ...(flags.debug ? { onExchange: (e) => io.stderr(formatExchange(e)) } : {}),
  });
  if ((method === 'GET' || method === 'DELETE') && data.some(([, v]) => typeof v === 'object')) {
    throw new CommandError(`${method} sends its parameters in the query string, which cannot carry a file (key@=file).`);
  }
  const response = await guarded(() => client.send({ method, path, op: action.op ?? undefined, params: data }));
  warnOnHashChange(profile, response, io);
  if (!response.ok) {
    io.stderr(
      response.body.trim() === ''
        ? `Request failed with code ${response.status}.\n`
        : `Request failed with code ${response.status}: ${response.body}${response.body.endsWith('\n') ? '' : '\n'}`,
    );
    return { status: response.status };
  }
  let body = response.body;
  const target = WAIT_TARGETS[actionName];
  if (flags.wait && resource.command === 'machine' && target) {
    const systemId = positional[0] ?? '';
    let last = '';
    const machine = await guarded(() =>
      client.machines.waitForStatus(systemId, target, {
        timeoutMs: flags.waitTimeoutMs,
        intervalMs: flags.waitIntervalMs,
        onProgress: (m) => {
          // Progress is for people: only on a terminal, never mixed into stdout.
          const note = m.status_message && m.status_message !== m.status_name ? ` (${m.status_message})` : '';
          const line = `${systemId}: ${m.status_name}${note}`;
          if (io.stderrIsTTY && line !== last) io.stderr(`${line}\n`);
          last = line;
        },
      }),
    );
    body = JSON.stringify(machine);
  } else if (flags.wait) {
    io.stderr(`Note: --wait applies to machine ${Object.keys(WAIT_TARGETS).join(', ')}; ignored here.\n`);
  }
  print(body, response, flags.output, io);
  return { status: response.status };
}

function print(body: string, response: MaasResponse, output: Flags['output'], io: ClientIo): void {
  if (body === '') return;
  if (output === 'table') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      io.stdout(body.endsWith('\n') ? body : `${body}\n`);
      return;
    }
    io.stdout(`${renderTable(value)}\n`);
    return;
  }
  if (io.stdoutIsTTY && /json|text/.test(response.contentType)) io.stdout('Success.\nMachine-readable output follows:\n');
  io.stdout(body.endsWith('\n') ? body : `${body}\n`);
}

/** maascli's check: the server's API hash differs from the stored description's. */
function warnOnHashChange(profile: Profile, response: MaasResponse, io: ClientIo): void {
  const served = response.headers.get('x-maas-api-hash');
  const stored = profile.description.hash;
  if (served && stored && served !== stored) {
    io.stderr(
      `WARNING: the API of ${profile.url} has changed since profile '${profile.name}' was saved; ` +
        'commands may be missing or fail. Run `maaskit refresh` to fetch the new description.\n',
    );
  }
}
