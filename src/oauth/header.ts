// Authorization header parsing and serialisation (RFC 5849 §3.5.1), lenient enough for
// every header real MAAS clients send (spec/clients.md §0).
import { OAuthError } from './errors.ts';
import { percentDecode, percentEncode } from './percent.ts';

const MALFORMED = 'Unable to parse OAuth parameters from Authorization header.';

/** True if the header uses the OAuth scheme (case-insensitive, RFC 7235 §2.1). */
export function isOAuthScheme(header: string): boolean {
  return /^\s*oauth(\s|$)/i.test(header);
}

/**
 * The end of the part starting at `from`: the next comma outside double quotes (DESIGN D2:
 * quoted values may contain commas, which MAAS's piston parser would break on). Inside quotes a
 * backslash escapes the next character.
 */
function partEnd(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (quoted) {
      if (code === 0x5c) i++;
      else if (code === 0x22) quoted = false;
    } else if (code === 0x22) {
      quoted = true;
    } else if (code === 0x2c) {
      return i;
    }
  }
  if (quoted) throw new OAuthError('ERR_OAUTH_HEADER_MALFORMED', MALFORMED);
  return text.length;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    const inner = value.slice(1, -1);
    // RFC 7230 §3.2.6 quoted-pair: a backslash escapes the next character.
    return inner.includes('\\') ? inner.replace(/\\(.)/g, '$1') : inner;
  }
  return value;
}

/**
 * Parses an `OAuth k="v", ...` header into its parameters. Accepts quoted or unquoted values,
 * any order, with or without spaces, and skips empty parts (trailing commas). Values are
 * percent-decoded without turning '+' into a space. `realm` is dropped, whatever it holds
 * (RFC 5849 §3.4.1.3.1 excludes it from signing). For a repeated name the last value wins,
 * as in MAAS. Returns undefined when the header is not of the OAuth scheme.
 * @throws OAuthError ERR_OAUTH_HEADER_MALFORMED for a part without '=' or an open quote.
 */
export function parseAuthorizationHeader(header: string): Map<string, string> | undefined {
  if (!isOAuthScheme(header)) return undefined;
  const rest = header.trimStart().slice(5);
  const params = new Map<string, string>();
  for (let from = 0; from <= rest.length; ) {
    const end = partEnd(rest, from);
    const part = rest.slice(from, end).trim();
    from = end + 1;
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OAuthError('ERR_OAUTH_HEADER_MALFORMED', MALFORMED);
    const name = percentDecode(part.slice(0, eq).trim());
    if (name === 'realm') continue;
    params.set(name, percentDecode(unquote(part.slice(eq + 1).trim())));
  }
  return params;
}

/** RFC 5849 §3.5.1: `OAuth realm="…", name="encoded value", …`. */
export function serializeAuthorizationHeader(params: Iterable<[string, string]>, realm?: string): string {
  const parts: string[] = [];
  if (realm !== undefined) parts.push(`realm="${realm.replace(/["\\]/g, '\\$&')}"`);
  for (const [name, value] of params) parts.push(`${percentEncode(name)}="${percentEncode(value)}"`);
  return `OAuth ${parts.join(', ')}`;
}
