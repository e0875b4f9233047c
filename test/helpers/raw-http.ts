// A raw HTTP/1.1 client over node:net for tests that must send bytes no HTTP library would:
// duplicated or non-UTF-8 headers, huge header lines, malformed request lines, bodies that
// disagree with their framing. It writes exactly the bytes it is given and parses whatever
// comes back, reporting a connection closed without any response as such (not as an error).
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  statusText: string;
  /** In arrival order, names lower-cased, values as latin1 (the bytes, one char each). */
  headers: Array<[name: string, value: string]>;
  body: Buffer;
  /** The whole response as received: status line, header block and body. */
  raw: Buffer;
}

export interface RawResult {
  /** The first response on the connection, or undefined if none arrived. */
  response: RawResponse | undefined;
  /** Every byte the server sent. */
  received: Buffer;
  /** How the exchange ended: a complete response, the server closing, or our timeout. */
  ended: 'response' | 'closed' | 'timeout' | 'error';
  error?: Error;
}

export interface RawRequestOptions {
  host?: string;
  /** Give up waiting after this long (default 5 s). */
  timeoutMs?: number;
}

/** The first header with this name (case-insensitive), as node's parser keeps it. */
export function headerOf(response: RawResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return response.headers.find(([n]) => n === lower)?.[1];
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** RFC 9112 §7.1 chunked transfer coding; undefined until the last chunk has arrived. */
function dechunk(data: Buffer): Buffer | undefined {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return undefined;
    const start = lineEnd + 2;
    if (size === 0) return Buffer.concat(chunks);
    if (data.length < start + size + 2) return undefined;
    chunks.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}

/**
 * Parses one response from the start of `data`. Returns undefined while it is incomplete;
 * with `eof`, a body without framing runs to the end of the data (RFC 9112 §6.3 item 8).
 */
export function parseResponse(received: Buffer, eof: boolean): RawResponse | undefined {
  let data = received;
  // RFC 9110 §15.2: interim 1xx responses (100 Continue) precede the final one; skip them.
  for (;;) {
    const interim = /^HTTP\/\d\.\d 1\d\d[^\r]*\r\n/.exec(data.subarray(0, 64).toString('latin1'));
    const end = interim ? data.indexOf(HEADER_END) : -1;
    if (end < 0) break;
    data = data.subarray(end + 4);
  }
  const end = data.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!statusLine) throw new Error(`not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const rest = data.subarray(end + 4);
  const response = (body: Buffer, length: number): RawResponse => ({
    status: Number(statusLine[1]),
    statusText: statusLine[2] ?? '',
    headers,
    body,
    raw: data.subarray(0, end + 4 + length),
  });
  const status = Number(statusLine[1]);
  // RFC 9112 §6.3: 204 and 304 have no body.
  if (status === 204 || status === 304) return response(Buffer.alloc(0), 0);
  const lookup = (name: string) => headers.find(([n]) => n === name)?.[1];
  if (/chunked/i.test(lookup('transfer-encoding') ?? '')) {
    const body = dechunk(rest);
    return body === undefined ? (eof ? response(rest, rest.length) : undefined) : response(body, rest.length);
  }
  const length = lookup('content-length');
  if (length !== undefined) {
    const n = Number(length);
    if (rest.length >= n) return response(rest.subarray(0, n), n);
    return eof ? response(rest, rest.length) : undefined;
  }
  return eof ? response(rest, rest.length) : undefined;
}

/**
 * Opens a TCP connection, writes `data` (chunks in order), and waits for the first complete
 * response, the server closing, or the timeout. The socket is always destroyed at the end.
 */
export function rawRequest(
  port: number,
  data: Buffer | string | Array<Buffer | string>,
  options: RawRequestOptions = {},
): Promise<RawResult> {
  const chunks = (Array.isArray(data) ? data : [data]).map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
  return new Promise((resolve) => {
    const socket = connect({ port, host: options.host ?? '127.0.0.1' });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (ended: RawResult['ended'], error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      let response: RawResponse | undefined;
      try {
        response = parseResponse(received, ended !== 'response');
      } catch (parseError) {
        error ??= parseError as Error;
      }
      resolve({ response, received, ended, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 5000);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      try {
        if (parseResponse(received, false)) finish('response');
      } catch (error) {
        finish('error', error as Error);
      }
    });
    // The server may reset the connection right after answering a request it refused to
    // read (node's parser does so on 400/431): what it sent before still counts.
    socket.on('error', (error) => finish(received.length > 0 ? 'closed' : 'error', error));
    socket.on('close', () => finish('closed'));
  });
}

export type RawHeader = [name: string, value: string | Buffer];

export interface BuildOptions {
  method?: string;
  target: string;
  version?: string;
  /** Sent in order, duplicates kept. Strings are written as latin1 (one byte per char). */
  headers?: RawHeader[];
  body?: Buffer | string;
  /** Add Host, Connection: close and Content-Length (when there is a body) unless present. */
  defaults?: boolean;
}

/** Assembles request bytes; nothing is validated or escaped. */
export function buildRequest(options: BuildOptions): Buffer {
  const headers: RawHeader[] = [...(options.headers ?? [])];
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (options.defaults ?? true) {
    if (!has('host')) headers.unshift(['Host', '127.0.0.1']);
    if (!has('connection')) headers.push(['Connection', 'close']);
    if (body !== undefined && !has('content-length') && !has('transfer-encoding')) {
      headers.push(['Content-Length', String(body.length)]);
    }
  }
  const parts: Buffer[] = [
    Buffer.from(`${options.method ?? 'GET'} ${options.target} ${options.version ?? 'HTTP/1.1'}\r\n`, 'latin1'),
  ];
  for (const [name, value] of headers) {
    parts.push(Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, CRLF);
  }
  parts.push(CRLF);
  if (body !== undefined) parts.push(body);
  return Buffer.concat(parts);
}
