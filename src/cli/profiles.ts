// Stored client profiles, as the maas CLI keeps them (spec/clients.md §1.2): name, API URL,
// credentials (the three key parts, or null for anonymous) and the describe/ document. One
// JSON file, mode 0600, under $XDG_CONFIG_HOME/maaskit/ (default ~/.config/maaskit/), replaced
// atomically. The file system is passed in as a directory: main() decides where it is.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from './admin.ts';

export interface Profile {
  name: string;
  /** The API root, e.g. http://h:5240/MAAS/api/2.0/ */
  url: string;
  /** [consumer_key, token_key, token_secret], or null for anonymous access (as maascli stores them). */
  credentials: [string, string, string] | null;
  /** The describe/ document fetched at login or refresh. */
  description: Describe;
}

/** The parts of describe/ the CLI reads (spec/maas-resources.md §2.2). */
export interface Describe {
  hash?: string;
  resources: DescribedResource[];
  [field: string]: unknown;
}

export interface DescribedResource {
  name: string;
  anon: DescribedHandler | null;
  auth: DescribedHandler | null;
}

export interface DescribedHandler {
  name: string;
  doc?: string | null;
  params: string[];
  path: string;
  uri?: string;
  actions: DescribedAction[];
}

export interface DescribedAction {
  method: string;
  name: string;
  op: string | null;
  restful?: boolean;
  doc?: string | null;
}

/** Built-in commands; a profile may not take one of these names (the command line would be ambiguous). */
export const RESERVED_NAMES: readonly string[] = [
  'serve',
  'createadmin',
  'apikey',
  'seed',
  'login',
  'logout',
  'list',
  'refresh',
  'doctor',
  'help',
];

/** $XDG_CONFIG_HOME/maaskit, else $HOME/.config/maaskit (XDG Base Directory). */
export function configDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg?.startsWith('/')) return join(xdg, 'maaskit');
  const home = env['HOME'];
  if (!home) throw new CommandError('Cannot tell where to keep profiles: neither XDG_CONFIG_HOME nor HOME is set.');
  return join(home, '.config', 'maaskit');
}

export function checkProfileName(name: string): void {
  if (RESERVED_NAMES.includes(name)) {
    throw new CommandError(
      `'${name}' cannot be a profile name: it is a maaskit command (${RESERVED_NAMES.filter((n) => n !== 'help').join(', ')}). Choose another name, e.g. '${name}1' or 'dev'.`,
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new CommandError(
      `'${name.slice(0, 64)}' cannot be a profile name: use letters, digits, '.', '_' and '-', starting with a letter or digit.`,
    );
  }
}

interface ProfileFile {
  profiles: Record<string, Profile>;
}

export class ProfileStore {
  readonly path: string;
  constructor(readonly dir: string) {
    this.path = join(dir, 'profiles.json');
  }

  private read(): ProfileFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return { profiles: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as ProfileFile;
      if (typeof parsed !== 'object' || parsed === null || typeof parsed.profiles !== 'object') throw new Error('shape');
      return parsed;
    } catch {
      throw new CommandError(`${this.path} is not a maaskit profile file. Move it away and log in again.`);
    }
  }

  private write(file: ProfileFile): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  list(): Profile[] {
    return Object.values(this.read().profiles).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): Profile | undefined {
    const profiles = this.read().profiles;
    return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
  }

  save(profile: Profile): void {
    const file = this.read();
    file.profiles[profile.name] = profile;
    this.write(file);
  }

  /** Returns false when there was no such profile. */
  remove(name: string): boolean {
    const file = this.read();
    if (!Object.hasOwn(file.profiles, name)) return false;
    delete file.profiles[name];
    this.write(file);
    return true;
  }
}
