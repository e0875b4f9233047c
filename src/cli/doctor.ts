// maaskit doctor URL KEY: explains why a key is refused, one line per check, in order — URL
// reachable; /MAAS prefix and api/2.0; version/ and capabilities; the key's shape; whoami with
// PLAINTEXT; the parts' order; HMAC-SHA1; clock skew. Only public API behaviour is used, so it
// works against real MAAS; maaskit's Hint: lines are shown when present. Never prints a secret.
import {
  apiUrl,
  type ApiKeyParts,
  inspectApiKey,
  isHtml,
  MaasClient,
  MaasClientError,
  type MaasResponse,
  parseHint,
  type RequestSpec,
} from '../client/index.ts';
import { CONSUMER_KEY_LENGTH, KEY_ALPHABET, TOKEN_KEY_LENGTH, TOKEN_SECRET_LENGTH } from '../model/index.ts';

export interface DoctorIo {
  stdout: (text: string) => void;
  fetch?: typeof fetch;
  /** The local clock in ms (tests shift it to play a skewed client). */
  now?: () => number;
  timeoutMs?: number;
}

export interface DoctorResult {
  /** True when the key, as given (trimmed), is accepted at the URL as given. */
  ok: boolean;
}

type Level = 'ok' | 'FAIL' | 'warn' | 'info' | 'skip';

const KEY_SHAPE = 'consumer_key:token_key:token_secret';
/** MAAS's window (piston's 300 s; maaskit's default --timestamp-window). */
const WINDOW_SECONDS = 300;

const PERMUTATIONS: ReadonlyArray<readonly [number, number, number]> = [
  [1, 0, 2],
  [0, 2, 1],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

function looksLikeKeyAt(parts: string[], i: number): boolean {
  const ok = (s: string | undefined, n: number) => s !== undefined && s.length === n && [...s].every((c) => KEY_ALPHABET.includes(c));
  return ok(parts[i], CONSUMER_KEY_LENGTH) && ok(parts[i + 1], TOKEN_KEY_LENGTH) && ok(parts[i + 2], TOKEN_SECRET_LENGTH);
}

function statusLine(r: MaasResponse): string {
  const first = r.body.trim().split('\n', 1)[0] ?? '';
  return `${r.status}${first ? ` ${first.slice(0, 160)}` : ''}`;
}

export async function doctor(args: { url: string; key: string }, io: DoctorIo): Promise<DoctorResult> {
  const now = io.now ?? Date.now;
  const say = (level: Level, text: string) => io.stdout(`${level.padEnd(5)} ${text}\n`);
  const detail = (text: string) => io.stdout(`      ${text}\n`);
  let lastDate: { server: number; local: number } | undefined;
  let failed = false;
  const fail = (text: string) => {
    failed = true;
    say('FAIL', text);
  };

  let api: string;
  try {
    api = apiUrl(args.url);
  } catch (error) {
    fail(`URL: ${(error as Error).message}`);
    return { ok: false };
  }
  const clientFor = (url: string, offsetMs = 0) =>
    new MaasClient({
      url,
      retries: 0,
      timeoutMs: io.timeoutMs ?? 10_000,
      now: () => now() + offsetMs,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
  const send = async (client: MaasClient, spec: RequestSpec): Promise<MaasResponse> => {
    const r = await client.send(spec);
    if (r.serverDate !== undefined) lastDate = { server: r.serverDate, local: now() };
    return r;
  };

  // 1. The URL is reachable.
  const given = new URL(args.url.trim());
  try {
    const r = await send(clientFor(api), { method: 'GET', path: given.href, anonymous: true });
    say('ok', `URL reachable: ${given.origin} answered ${r.status} to GET ${given.pathname}.`);
  } catch (error) {
    fail(`URL reachable: ${error instanceof MaasClientError ? error.message : String(error)}`);
    return stopEarly();
  }

  // 2. The /MAAS prefix and api/2.0 are served.
  const probeVersion = async (root: string): Promise<{ r?: MaasResponse; json?: unknown; why: string }> => {
    try {
      const r = await send(clientFor(root), { method: 'GET', path: 'version/', anonymous: true });
      if (r.status !== 200) return { r, why: `answered ${statusLine(r)}${isHtml(r.contentType) ? ' (an HTML page)' : ''}` };
      if (isHtml(r.contentType)) return { r, why: 'answered an HTML page where the MAAS API answers JSON' };
      try {
        return { r, json: JSON.parse(r.body), why: '' };
      } catch {
        return { r, why: `answered ${r.contentType || 'a body'} that is not JSON` };
      }
    } catch (error) {
      return { why: error instanceof MaasClientError ? error.message : String(error) };
    }
  };
  let version = await probeVersion(api);
  let urlAsGivenWorks = true;
  if (version.json === undefined) {
    urlAsGivenWorks = false;
    const why = version.why;
    const candidates = [`${given.origin}/MAAS/api/2.0/`, `${given.origin}/api/2.0/`].filter((c) => c !== api);
    let fixed: string | undefined;
    for (const candidate of candidates) {
      const alt = await probeVersion(candidate);
      if (alt.json !== undefined) {
        fixed = candidate;
        version = alt;
        break;
      }
    }
    if (fixed) {
      const site = fixed.replace(/api\/2\.0\/$/, '');
      fail(`API: ${api}version/ ${why}; the MAAS API is at ${fixed}. Use the URL ${site}`);
      api = fixed;
      detail(`(the checks below use ${site})`);
    } else {
      fail(
        `API: ${api}version/ ${why}. This is not the MAAS API: give the MAAS URL with its /MAAS/ prefix, ` +
          `e.g. http://HOST:5240/MAAS/ (neither ${candidates.join(' nor ')} answered either).`,
      );
      return stopEarly();
    }
  } else {
    say('ok', `API: ${api} serves the MAAS API (version/ answered JSON).`);
  }

  // 3. version/ and its capabilities.
  const v = version.json as { version?: unknown; subversion?: unknown; capabilities?: unknown };
  if (typeof v?.version !== 'string' || !Array.isArray(v.capabilities)) {
    fail('version/: the answer lacks "version" (a string) or "capabilities" (a list); gomaasapi and python-libmaas refuse such a server.');
  } else {
    const caps = v.capabilities as unknown[];
    say('ok', `version/: MAAS ${v.version}${v.subversion ? ` (${String(v.subversion)})` : ''}, ${caps.length} capabilities.`);
    if (!caps.includes('authenticate-api')) say('warn', 'version/: no "authenticate-api" capability: python-libmaas login() with a password will not work.');
  }

  // 4. The key's shape.
  const { asGiven, found } = keyShape(true);
  let candidates: ApiKeyParts[] = found ? [found] : [];
  if (!asGiven && candidates.length === 0) {
    say('skip', 'whoami, order, HMAC-SHA1: there is no key to try.');
    reportClock();
    return { ok: false };
  }

  // 5. whoami with PLAINTEXT.
  const whoami = async (parts: ApiKeyParts, options: { offsetMs?: number; method?: 'PLAINTEXT' | 'HMAC-SHA1' } = {}) => {
    try {
      return await send(clientFor(api, options.offsetMs ?? 0), {
        method: 'GET',
        path: 'users/',
        op: 'whoami',
        credentials: parts,
        signatureMethod: options.method ?? 'PLAINTEXT',
      });
    } catch (error) {
      return error instanceof MaasClientError ? error : new MaasClientError('ERR_CLIENT_NETWORK', String(error));
    }
  };
  const describeUser = (r: MaasResponse) => {
    try {
      const u = JSON.parse(r.body) as { username?: string; is_superuser?: boolean };
      return `user ${u.username ?? '?'}${u.is_superuser ? ', an administrator' : ''}`;
    } catch {
      return 'a user';
    }
  };
  const showRefusal = (r: MaasResponse) => {
    const hint = parseHint(r.body);
    if (hint) detail(`server hint: ${hint}`);
  };
  let working: { parts: ApiKeyParts; offsetMs: number } | undefined;
  let keyWorksAsGiven = false;
  let secretWrong = false;
  if (asGiven) {
    const r = await whoami(asGiven);
    if (r instanceof MaasClientError) {
      fail(`whoami (PLAINTEXT): ${r.message}`);
    } else if (r.status === 200) {
      keyWorksAsGiven = true;
      working = { parts: asGiven, offsetMs: 0 };
      say('ok', `whoami (PLAINTEXT): the key is accepted: ${describeUser(r)}.`);
    } else {
      fail(`whoami (PLAINTEXT): refused with ${statusLine(r)}`);
      showRefusal(r);
      secretWrong = /Invalid signature/.test(r.body);
    }
    candidates = PERMUTATIONS.map(([i, j, k]) => {
      const p = [asGiven.consumerKey, asGiven.tokenKey, asGiven.tokenSecret];
      return { consumerKey: p[i] ?? '', tokenKey: p[j] ?? '', tokenSecret: p[k] ?? '' };
    });
  } else {
    say('skip', 'whoami (PLAINTEXT): the key as given does not have 3 parts.');
  }

  // 6. The parts' order (and the other things a refused key may be).
  if (working) {
    say('ok', `order: the parts are in MAAS's order, ${KEY_SHAPE}.`);
  } else if (secretWrong) {
    // The server knew the consumer key and the token, and they belong together: only part 3 is off.
    fail(
      'order: parts 1 and 2 are in place (the server knows this consumer key and token), but the token secret (part 3) ' +
        'does not match: copy the whole key again, or a new one (Preferences → API keys, or `maas apikey`).',
    );
  } else {
    const labels = asGiven ? PERMUTATIONS.map((p) => p.map((n) => `part ${n + 1}`).join(':')) : ['the parts found above'];
    for (const [n, parts] of candidates.entries()) {
      const r = await whoami(parts);
      if (!(r instanceof MaasClientError) && r.status === 200) {
        working = { parts, offsetMs: 0 };
        fail(
          asGiven
            ? `order: the parts are in the wrong order: the key works taken as ${labels[n]} (${describeUser(r)}). Reorder it as ${KEY_SHAPE}.`
            : `key: the server accepts the 3 parts found inside what was given (${describeUser(r)}): use just those, as ${KEY_SHAPE}.`,
        );
        break;
      }
    }
    if (!working && lastDate) {
      // A skewed clock makes every order fail; try the server's own time.
      const offsetMs = lastDate.server - lastDate.local;
      if (Math.abs(offsetMs) > 60_000) {
        for (const parts of [asGiven, ...candidates].filter((p): p is ApiKeyParts => p !== undefined)) {
          const r = await whoami(parts, { offsetMs });
          if (!(r instanceof MaasClientError) && r.status === 200) {
            working = { parts, offsetMs };
            fail(`order: the key works when signed with the server's time: this computer's clock is off (see the clock check).`);
            break;
          }
        }
      }
    }
    if (!working) {
      fail(
        'order: no order of the parts is accepted either. The key is not known to this server (deleted, regenerated, ' +
          'or from another MAAS) or its token secret is wrong: copy a current key from MAAS (Preferences → API keys, or `maas apikey`).',
      );
    }
  }

  // 7. HMAC-SHA1.
  if (working) {
    const r = await whoami(working.parts, { offsetMs: working.offsetMs, method: 'HMAC-SHA1' });
    if (!(r instanceof MaasClientError) && r.status === 200) say('ok', 'HMAC-SHA1: accepted as well (PLAINTEXT is what the MAAS clients use).');
    else {
      say('warn', `HMAC-SHA1: refused${r instanceof MaasClientError ? `: ${r.message}` : ` with ${statusLine(r)}`}. PLAINTEXT works; tools that only sign HMAC need the server to sign the same URL (behind a proxy: maaskit serve --public-url).`);
      if (!(r instanceof MaasClientError)) showRefusal(r);
    }
  } else {
    say('skip', 'HMAC-SHA1: no working key to sign with.');
  }

  // 8. Clock skew, from the Date header.
  reportClock();
  return { ok: keyWorksAsGiven && urlAsGivenWorks && !failed };

  /** The key's shape, checked offline; prints its lines. */
  function keyShape(trying: boolean): { asGiven: ApiKeyParts | undefined; found: ApiKeyParts | undefined } {
    const inspection = inspectApiKey(args.key);
    for (const c of inspection.cleaned) {
      const what = { whitespace: 'whitespace (a space or a line break) around it', quotes: 'quotes around it', 'inner-whitespace-around-colons': 'spaces around its colons' }[c];
      say('warn', `key: the key had ${what}; removed for these checks. maaskit trims it, but other clients send it as it is: pass the key without it.`);
    }
    if (inspection.partCount === 3 && inspection.problems.length === 0) {
      say('ok', `key: 3 parts of ${CONSUMER_KEY_LENGTH}:${TOKEN_KEY_LENGTH}:${TOKEN_SECRET_LENGTH} characters of A-Z, a-z, 0-9, as MAAS makes them.`);
    }
    for (const p of inspection.problems) fail(`key: ${p.message}`);
    if (inspection.partCount === 3) {
      const [a = '', b = '', c = ''] = inspection.rawParts;
      return { asGiven: { consumerKey: a, tokenKey: b, tokenSecret: c }, found: undefined };
    }
    for (let i = 0; i + 2 < inspection.rawParts.length; i++) {
      if (looksLikeKeyAt(inspection.rawParts, i)) {
        const [a = '', b = '', c = ''] = inspection.rawParts.slice(i, i + 3);
        detail(`parts ${i + 1} to ${i + 3} have the shape of a MAAS key (${KEY_SHAPE})${trying ? '; trying them' : ''}.`);
        return { asGiven: undefined, found: { consumerKey: a, tokenKey: b, tokenSecret: c } };
      }
    }
    return { asGiven: undefined, found: undefined };
  }

  /** After the server could not be used: the offline check, then what was skipped. */
  function stopEarly(): DoctorResult {
    keyShape(false);
    say('skip', 'whoami, order, HMAC-SHA1, clock: they need the MAAS API, which was not found.');
    return { ok: false };
  }

  function reportClock(): void {
    if (!lastDate) {
      say('skip', 'clock: the server sent no Date header.');
      return;
    }
    const skew = Math.round((lastDate.local - lastDate.server) / 1000);
    const where = `this computer's clock is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} the server's (its Date header: ${new Date(lastDate.server).toISOString()})`;
    if (Math.abs(skew) <= 5) say('ok', `clock: within ${Math.max(Math.abs(skew), 1)} s of the server's.`);
    else if (Math.abs(skew) < WINDOW_SECONDS - 60) say('warn', `clock: ${where}; MAAS refuses requests more than ${WINDOW_SECONDS} s off. Keep the clock synchronised (NTP).`);
    else fail(`clock: ${where}; MAAS refuses oauth_timestamp more than ${WINDOW_SECONDS} s off. Synchronise the clock (NTP, timedatectl set-ntp true).`);
  }
}
