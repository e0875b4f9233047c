// URL handling as the maas CLI and python-libmaas do it (spec/clients.md §1.1, spec/maas-auth.md
// §4.6): add a trailing slash, then append api/2.0/ unless the path already ends in /api/<x.y>/.
import { UrlError } from './errors.ts';

/** The API root for a MAAS URL, e.g. http://h:5240/MAAS → http://h:5240/MAAS/api/2.0/. */
export function apiUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new UrlError(
      `The MAAS URL '${safeUrlText(url)}' is not an absolute URL. Give it as http://HOST:5240/MAAS/ (scheme, host, port and the /MAAS prefix).`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UrlError(`The MAAS URL must start with http:// or https://, not ${parsed.protocol}//. For example http://HOST:5240/MAAS/.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // python-libmaas refuses these too: the API key is the credential, and a URL gets logged.
    throw new UrlError('The MAAS URL holds a user name or password; leave them out and authenticate with the API key.');
  }
  let path = parsed.pathname;
  if (!path.endsWith('/')) path += '/';
  if (!/\/api\/[0-9.]+\/$/.test(path)) path += 'api/2.0/';
  return `${parsed.origin}${path}`;
}

/** A URL as given, for an error message, with any user:password@ removed. */
function safeUrlText(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//').slice(0, 200);
}

/** The site root (…/MAAS/) for an API root (…/MAAS/api/2.0/). */
export function siteUrl(api: string): string {
  return api.replace(/api\/[0-9.]+\/$/, '');
}
