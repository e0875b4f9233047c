// Request encoding as the maas CLI does it (spec/maas-auth.md §4.6, spec/maas-resources.md §6):
// `op` always in the query string; GET and DELETE parameters in the query; POST and PUT
// parameters in a multipart/form-data body (or urlencoded, as gomaasapi sends, when asked);
// arrays as repeated keys; booleans as true/false.
import { percentEncode } from '../oauth/index.ts';

/** A file part of a multipart body (`key@=file` in the CLI). */
export interface FileParam {
  filename: string;
  content: Uint8Array | string;
  contentType?: string;
}

export type ParamScalar = string | number | boolean | bigint;
export type ParamValue = ParamScalar | FileParam;

/** Request parameters: a record (arrays repeat the key; undefined is left out) or ordered pairs. */
export type Params = Readonly<Record<string, ParamValue | readonly ParamValue[] | undefined | null>> | ReadonlyArray<readonly [string, ParamValue]>;

export type BodyEncoding = 'multipart' | 'urlencoded';

export function isFileParam(value: ParamValue): value is FileParam {
  return typeof value === 'object' && value !== null && 'filename' in value && 'content' in value;
}

function scalarText(value: ParamScalar): string {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}

/** Flattens parameters into ordered pairs, keeping repeated keys. */
export function paramPairs(params: Params | undefined): Array<[string, ParamValue]> {
  if (params === undefined) return [];
  if (Array.isArray(params)) return (params as ReadonlyArray<readonly [string, ParamValue]>).map(([k, v]) => [k, v]);
  const out: Array<[string, ParamValue]> = [];
  for (const [key, value] of Object.entries(params as Record<string, ParamValue | readonly ParamValue[] | undefined | null>)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value as ParamValue[]) out.push([key, v]);
    else out.push([key, value as ParamValue]);
  }
  return out;
}

/** Text pairs; a file where only text can go (a query string) is an error of the caller. */
export function textPairs(pairs: Array<[string, ParamValue]>): Array<[string, string]> {
  return pairs.map(([k, v]) => {
    if (isFileParam(v)) throw new TypeError(`Parameter ${k} is a file; files can only be sent in a POST or PUT body.`);
    return [k, scalarText(v)];
  });
}

/** RFC 3986 query encoding (the same encoding OAuth signs, RFC 5849 §3.6). */
export function encodeQuery(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/** application/x-www-form-urlencoded, as browsers and Go encode it (spaces as +). */
export function encodeForm(pairs: Array<[string, string]>): string {
  return new URLSearchParams(pairs).toString();
}

export interface EncodedBody {
  contentType: string;
  body: Uint8Array;
}

function quoteName(name: string): string {
  // RFC 7578 §4.2: the name is a quoted string; escape what would end it.
  return name.replace(/[\r\n"]/g, (c) => ({ '\r': '%0D', '\n': '%0A', '"': '%22' })[c] ?? c);
}

/** multipart/form-data (RFC 7578) with CRLF line ends and one part per pair. */
export function encodeMultipart(pairs: Array<[string, ParamValue]>, boundary: string): EncodedBody {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const [name, value] of pairs) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quoteName(name)}"`;
    let content: Uint8Array;
    if (isFileParam(value)) {
      head += `; filename="${quoteName(value.filename)}"\r\nContent-Type: ${value.contentType ?? 'application/octet-stream'}`;
      content = typeof value.content === 'string' ? enc.encode(value.content) : value.content;
    } else {
      head += '\r\nContent-Type: text/plain; charset=utf-8';
      content = enc.encode(scalarText(value));
    }
    chunks.push(enc.encode(`${head}\r\n\r\n`), content, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}
