// Runs the real third-party MAAS clients (installed from Debian, see .ci/apt-packages) against a
// server, one request each, and hands back what they got. Used by the e2e tests; not a test itself.
//
// Each client program under test/e2e/clients/ prints one JSON line, {"status", "body"}, and exits 0
// for any HTTP status; a non-zero exit means the client itself crashed, which we turn into a throw.
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const CLIENTS_DIR = join(import.meta.dirname, 'clients');

// Absolute Debian paths on purpose: a pyenv or rbenv shim earlier in PATH would run an interpreter
// that has no python3-requests-oauthlib / ruby-oauth (this very machine has a pyenv python3 first).
const PYTHON = '/usr/bin/python3';
const RUBY = '/usr/bin/ruby';
const GOMAASAPI_SRC = '/usr/share/gocode/src/github.com/juju/gomaasapi';

/** A client's view of one HTTP exchange. */
export interface ClientResponse {
  status: number;
  body: string;
}

/** What gomaasapi-client prints (test/e2e/clients/gomaasapi/main.go). */
export type GomaasapiResult =
  | { ok: true; apiVersion: string; subversion: string; capabilities: string[] }
  | {
      ok: true;
      mode: 'lifecycle';
      machines: number;
      systemId: string;
      statuses: string[];
      ipAddresses: string[];
      zone: string;
      interfaces: number;
      disks: number;
    }
  | { ok: false; error: string; errorKind: string; httpStatus?: number };

export type ClientName = 'python' | 'ruby' | 'curl' | 'httpie' | 'gomaasapi';

/** The Debian packages each client needs, for error messages. */
export const CLIENT_PACKAGES: Readonly<Record<ClientName, string>> = {
  python: 'python3-requests-oauthlib',
  ruby: 'ruby-oauth',
  curl: 'curl',
  httpie: 'httpie',
  gomaasapi: 'golang-go golang-github-juju-gomaasapi-dev',
};

// How to tell, cheaply and without network, that a client can run at all.
const PROBES: Readonly<Record<ClientName, () => void>> = {
  python: () => execFileSync(PYTHON, ['-c', 'import oauthlib, requests_oauthlib'], { stdio: 'ignore' }),
  ruby: () => execFileSync(RUBY, ['-e', 'require "oauth"; require "oauth/signature/plaintext"'], { stdio: 'ignore' }),
  curl: () => execFileSync('curl', ['--version'], { stdio: 'ignore' }),
  httpie: () => execFileSync('http', ['--version'], { stdio: 'ignore', env: childEnv() }),
  gomaasapi: () => {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    if (!existsSync(join(GOMAASAPI_SRC, 'controller.go'))) throw new Error('no gomaasapi source');
  },
};

const availability = new Map<ClientName, boolean>();

/** Whether the Debian packages behind a client are installed (probed once per process). */
export function clientAvailable(name: ClientName): boolean {
  let ok = availability.get(name);
  if (ok === undefined) {
    try {
      PROBES[name]();
      ok = true;
    } catch {
      ok = false;
    }
    availability.set(name, ok);
  }
  return ok;
}

/**
 * For node:test's `skip` option: `test('...', { skip: clientSkip('ruby') }, ...)`.
 * Returns false when the client is installed. When it is missing, returns a reason to skip on a
 * developer machine, but throws under CI (process.env.CI set): there a missing package means a
 * broken CI image, and a silent skip would hide that the interoperability tests did not run.
 */
export function clientSkip(name: ClientName): string | false {
  if (clientAvailable(name)) return false;
  const message = `${name} client unavailable: apt-get install ${CLIENT_PACKAGES[name]} (see .ci/apt-packages)`;
  if (process.env['CI']) throw new Error(message);
  return message;
}

/** GET URL/api/2.0/PATH with requests_oauthlib, PLAINTEXT (the MAAS docs' newer Python example). */
export async function runPythonPlaintext(url: string, key: string, path: string): Promise<ClientResponse> {
  return parseResponse(await run(PYTHON, [join(CLIENTS_DIR, 'python_plaintext.py'), url, key, path]));
}

/**
 * A request signed with HMAC-SHA1 by requests_oauthlib. GET/DELETE params go to the query string,
 * POST/PUT params to a form-urlencoded body (put `?op=` in path). Pass pairs to repeat a name.
 * A name must not contain "=" (the script splits each k=v on the first one).
 */
export async function runPythonHmac(
  url: string,
  key: string,
  method: string,
  path: string,
  params: ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>> = [],
): Promise<ClientResponse> {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const args = pairs.map(([k, v]) => `${k}=${v}`);
  return parseResponse(await run(PYTHON, [join(CLIENTS_DIR, 'python_hmac.py'), url, key, method, path, ...args]));
}

/** GET with the Ruby oauth gem exactly as the MAAS docs' Ruby example (PLAINTEXT, header scheme). */
export async function runRuby(url: string, key: string, path: string): Promise<ClientResponse> {
  return parseResponse(await run(RUBY, [join(CLIENTS_DIR, 'ruby_plaintext.rb'), url, key, path]));
}

/**
 * GET with curl and the MAAS docs' hand-written header: UNQUOTED values, a raw "&" in the
 * signature, a uuidgen-style nonce with "-", and ", " separators.
 */
export async function runCurl(url: string, key: string, path: string): Promise<ClientResponse> {
  const { consumerKey, tokenKey, tokenSecret } = splitKey(key);
  const header =
    `Authorization: OAuth oauth_version=1.0, oauth_signature_method=PLAINTEXT, oauth_consumer_key=${consumerKey}, ` +
    `oauth_token=${tokenKey}, oauth_signature=&${tokenSecret}, oauth_nonce=${randomUUID()}, ` +
    `oauth_timestamp=${Math.floor(Date.now() / 1000)}`;
  // -g: no URL globbing of [] {}; no -f, so HTTP errors still print their body. The status goes
  // on a final line of its own, after the body, which may or may not end in a newline.
  const { stdout } = await run('curl', ['-sS', '-g', '--max-time', '30', '-H', header, '-w', '\n%{http_code}', apiUrl(url, path)]);
  const cut = stdout.lastIndexOf('\n');
  const status = Number(stdout.slice(cut + 1));
  if (cut < 0 || !Number.isInteger(status)) throw new Error(`curl printed no status:\n${stdout}`);
  return { status, body: stdout.slice(0, cut) };
}

/** GET with HTTPie and a quoted, percent-encoded OAuth header in the style of the OAuth libraries. */
export async function runHttpie(url: string, key: string, path: string): Promise<ClientResponse> {
  const { consumerKey, tokenKey, tokenSecret } = splitKey(key);
  const q = encodeURIComponent;
  const header =
    `Authorization:OAuth oauth_consumer_key="${q(consumerKey)}", oauth_token="${q(tokenKey)}", ` +
    `oauth_signature_method="PLAINTEXT", oauth_signature="%26${q(tokenSecret)}", ` +
    `oauth_timestamp="${Math.floor(Date.now() / 1000)}", oauth_nonce="${randomUUID()}", oauth_version="1.0"`;
  // --print=hb gives the status line and headers, a blank line, then the body, unformatted with
  // --pretty=none. --ignore-stdin: stdin is not a terminal under the test runner, and HTTPie would
  // otherwise read it as a request body.
  const { stdout } = await run(
    'http',
    ['--ignore-stdin', '--pretty=none', '--print=hb', '--timeout=30', 'GET', apiUrl(url, path), header],
    { HTTPIE_CONFIG_DIR: httpieConfigDir() },
  );
  const m = /^HTTP\/[\d.]+ (\d{3})\b/.exec(stdout);
  const split = /\r?\n\r?\n/.exec(stdout);
  if (!m?.[1] || !split) throw new Error(`unexpected HTTPie output:\n${stdout}`);
  // Piped (not a terminal), HTTPie writes the body bytes as they came, with no added newline.
  return { status: Number(m[1]), body: stdout.slice(split.index + split[0].length) };
}

let built: Promise<string> | undefined;

/**
 * Builds the gomaasapi client from Debian's source (test/e2e/clients/build-gomaasapi.sh) into a
 * cache dir under os.tmpdir(), once per process; the script itself skips rebuilding when nothing
 * changed, so this is quick after the first run. Resolves to the binary's path.
 */
export function buildGomaasapi(): Promise<string> {
  built ??= run('bash', [join(CLIENTS_DIR, 'build-gomaasapi.sh'), join(tmpdir(), 'maaskit-gomaasapi')], {}, 300_000).then(
    ({ stdout }) => {
      const bin = stdout.trim().split('\n').at(-1);
      if (!bin || !existsSync(bin)) throw new Error(`build-gomaasapi.sh printed no binary:\n${stdout}`);
      return bin;
    },
  );
  return built;
}

/** gomaasapi v2 NewController (GET version/, then signed GET users/?op=whoami), then APIVersionInfo. */
export async function runGomaasapi(bin: string, url: string, key: string, mode?: 'lifecycle'): Promise<GomaasapiResult> {
  const { stdout } = await run(bin, mode ? [url, key, mode] : [url, key], {}, 120_000);
  const parsed: unknown = JSON.parse(lastLine(stdout));
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { ok?: unknown }).ok !== 'boolean') {
    throw new Error(`unexpected gomaasapi-client output:\n${stdout}`);
  }
  return parsed as GomaasapiResult;
}

// ---------------------------------------------------------------------------------------------

function splitKey(key: string): { consumerKey: string; tokenKey: string; tokenSecret: string } {
  const [consumerKey, tokenKey, tokenSecret, ...rest] = key.split(':');
  if (consumerKey === undefined || tokenKey === undefined || tokenSecret === undefined || rest.length > 0) {
    throw new Error(`API key must be consumer_key:token_key:token_secret, got ${JSON.stringify(key)}`);
  }
  return { consumerKey, tokenKey, tokenSecret };
}

/** "http://h:p/MAAS/" + "users/?op=whoami" -> "http://h:p/MAAS/api/2.0/users/?op=whoami". */
function apiUrl(url: string, path: string): string {
  return `${url.replace(/\/+$/, '')}/api/2.0/${path.replace(/^\/+/, '')}`;
}

// Loopback requests must never go through a proxy that CI may have configured.
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_PROXY: '127.0.0.1,localhost,::1', no_proxy: '127.0.0.1,localhost,::1', ...extra };
}

// HTTPie 3 otherwise spawns a background daemon that fetches packages.httpie.io/latest.json
// (update warnings) and would read the user's own config; give it a private one that turns that off.
function httpieConfigDir(): string {
  const dir = join(tmpdir(), 'maaskit-httpie-config');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{"disable_update_warnings": true}\n');
  return dir;
}

async function run(
  file: string,
  args: string[],
  env: Record<string, string> = {},
  timeout = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(file, args, { env: childEnv(env), timeout, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { code?: unknown; signal?: unknown; stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.map((a) => JSON.stringify(a)).join(' ')} failed (code ${String(e.code)}, signal ${String(e.signal)})\n` +
        `stdout: ${e.stdout ?? ''}\nstderr: ${e.stderr ?? ''}`,
      { cause: err },
    );
  }
}

function lastLine(stdout: string): string {
  const line = stdout.trimEnd().split('\n').at(-1);
  if (!line) throw new Error('client printed nothing');
  return line;
}

function parseResponse({ stdout }: { stdout: string }): ClientResponse {
  const parsed: unknown = JSON.parse(lastLine(stdout));
  const r = parsed as { status?: unknown; body?: unknown } | null;
  if (typeof r?.status !== 'number' || typeof r.body !== 'string') {
    throw new Error(`client output is not {"status", "body"}:\n${stdout}`);
  }
  return { status: r.status, body: r.body };
}
