// Gathers the OAuth parameters of a request from its three possible sources, as MAAS does
// (spec/maas-auth.md §1.2–1.3), and the parameter list RFC 5849 §3.4.1.3.1 signs.
import { parseAuthorizationHeader } from './header.ts';
import { percentDecode } from './percent.ts';
import { type CollectedParams, type OAuthRequest, type ParamList, type ParamSource, REQUIRED_PARAMS } from './types.ts';

/** Query strings are form-urlencoded: '+' is a space (RFC 5849 §3.4.1.3.1). */
export function parseQueryString(query: string): ParamList {
  const pairs: ParamList = [];
  for (const piece of query.replace(/^\?/, '').split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '' : piece.slice(eq + 1);
    pairs.push([percentDecode(name, true), percentDecode(value, true)]);
  }
  return pairs;
}

/** The query of a URL: after the first '?', before any fragment (RFC 3986 §3.4, §3.5). */
export function queryOf(url: string): string {
  const hash = url.indexOf('#');
  const withoutFragment = hash < 0 ? url : url.slice(0, hash);
  const q = withoutFragment.indexOf('?');
  return q < 0 ? '' : withoutFragment.slice(q + 1);
}

function oauthValues(pairs: Iterable<[string, string]>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of pairs) if (name.startsWith('oauth_')) values.set(name, value);
  return values;
}

function isComplete(values: ReadonlyMap<string, string>): boolean {
  for (const name of REQUIRED_PARAMS) if (!values.has(name)) return false;
  return true;
}

/** Appends the pairs that take part in the base string (all but oauth_signature). */
function addSigned(signed: ParamList, pairs: Iterable<[string, string]>): void {
  for (const pair of pairs) if (pair[0] !== 'oauth_signature') signed.push(pair);
}

const NO_VALUES: ReadonlyMap<string, string> = new Map();

/**
 * Collects oauth_* parameters from the Authorization header, the query string and the body.
 * A source counts as an OAuth attempt when it holds all six required parameters; the merged
 * values follow MAAS's precedence, query > header > body.
 * @throws OAuthError ERR_OAUTH_HEADER_MALFORMED when an OAuth-scheme header cannot be parsed.
 */
export function collectParams(request: OAuthRequest): CollectedParams {
  const header = request.authorization === undefined ? undefined : parseAuthorizationHeader(request.authorization);
  const query = parseQueryString(queryOf(request.url));
  const body = request.body?.params ?? [];

  // Lowest precedence first: each later source overwrites what an earlier one set.
  const sources: Array<[ParamSource, ReadonlyMap<string, string>]> = [
    ['body', body.length === 0 ? NO_VALUES : oauthValues(body)],
    ['header', header ?? NO_VALUES],
    ['query', query.length === 0 ? NO_VALUES : oauthValues(query)],
  ];
  const oauth: Record<string, string> = {};
  const completeSources: ParamSource[] = [];
  for (const [source, values] of sources) {
    for (const [name, value] of values) if (name.startsWith('oauth_')) oauth[name] = value;
    if (isComplete(values)) completeSources.push(source);
  }

  const signed: ParamList = [];
  addSigned(signed, query);
  if (header) addSigned(signed, header);
  if (request.body?.signed) addSigned(signed, body);

  const missing: string[] = [];
  for (const name of REQUIRED_PARAMS) if (oauth[name] === undefined) missing.push(name);
  return { oauth, completeSources, signed, missing };
}
