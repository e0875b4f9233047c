// The signing transport: builds each request as the maas CLI does, signs it (PLAINTEXT by
// default), applies the timeout, and retries 503/409 answers that carry Retry-After, as
// gomaasapi does (spec/clients.md §1.4). Clock, randomness and sleep are injected (DESIGN D7);
// MaasClient supplies the real ones.
import type { ApiKeyParts } from '../model/index.ts';
import { type SignatureMethod, signRequest } from '../oauth/index.ts';
import { type BodyEncoding, encodeForm, encodeMultipart, encodeQuery, type Params, paramPairs, textPairs } from './encode.ts';
import { ApiError, AuthError, NetworkError, type ResponseInfo, ResponseError, stripQuery, TimeoutError } from './errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One request, as a resource method describes it. */
export interface RequestSpec {
  method: HttpMethod;
  /** Relative to the API root (`machines/`), absolute from the origin (`/MAAS/api/2.0/…`), or a full URL. */
  path: string;
  /** The MAAS op; always sent in the query string. */
  op?: string | undefined;
  /** GET/DELETE: the query string; POST/PUT: the body. */
  params?: Params | undefined;
  /** Extra query parameters for a POST/PUT (MAAS reads a few from the query, e.g. DELETE's force). */
  query?: Params | undefined;
  /** Overrides the client's body encoding for this request. */
  bodyEncoding?: BodyEncoding | undefined;
  /** Sends no Authorization header, whatever the client's key (describe/, version/). */
  anonymous?: boolean | undefined;
  /** Signs with these parts instead of the client's key (the doctor tries orders). */
  credentials?: ApiKeyParts | undefined;
  /** Signs with this method instead of the client's. */
  signatureMethod?: SignatureMethod | undefined;
  signal?: AbortSignal | undefined;
}

/** What a request and its answer looked like, for --debug. Headers as sent: redact before printing. */
export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  status: number;
  responseHeaders: Headers;
  attempt: number;
}

export interface TransportOptions {
  apiUrl: string;
  credentials: ApiKeyParts | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
  retries: number;
  signatureMethod: SignatureMethod;
  bodyEncoding: BodyEncoding;
  realm: string | undefined;
  /** Milliseconds since the epoch. */
  now: () => number;
  randomBytes: (size: number) => Uint8Array;
  sleep: (ms: number) => Promise<void>;
  onExchange: ((exchange: Exchange) => void) | undefined;
}

/** An answer, whatever its status. */
export interface MaasResponse extends ResponseInfo {
  ok: boolean;
  contentType: string;
  /** The server's clock from the Date header, in ms, or undefined. */
  serverDate: number | undefined;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** gomaasapi honours only an integer Retry-After (seconds); so do we. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value) * 1000;
}

export class Transport {
  readonly options: TransportOptions;
  private readonly origin: string;

  constructor(options: TransportOptions) {
    this.options = options;
    this.origin = new URL(options.apiUrl).origin;
  }

  resolve(path: string): string {
    if (/^https?:\/\//i.test(path)) return path;
    if (path.startsWith('/')) return this.origin + path;
    return this.options.apiUrl + path;
  }

  /** Sends the request (retrying as gomaasapi does) and answers whatever the status. */
  async send(spec: RequestSpec): Promise<MaasResponse> {
    const o = this.options;
    const method = spec.method;
    const inQuery = method === 'GET' || method === 'DELETE';
    const pairs = paramPairs(spec.params);
    const query: Array<[string, string]> = [
      ...(spec.op ? ([['op', spec.op]] as Array<[string, string]>) : []),
      ...textPairs(paramPairs(spec.query)),
      ...(inQuery ? textPairs(pairs) : []),
    ];
    const base = this.resolve(spec.path);
    const url = query.length > 0 ? `${base}${base.includes('?') ? '&' : '?'}${encodeQuery(query)}` : base;
    const encoding = spec.bodyEncoding ?? o.bodyEncoding;
    const credentials = spec.anonymous ? undefined : (spec.credentials ?? o.credentials);

    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { Accept: 'application/json, text/plain;q=0.9, */*;q=0.1' };
      let body: Uint8Array | string | undefined;
      let formParams: Array<[string, string]> | undefined;
      if (!inQuery && pairs.length > 0) {
        if (encoding === 'urlencoded') {
          formParams = textPairs(pairs);
          body = encodeForm(formParams);
          headers['Content-Type'] = 'application/x-www-form-urlencoded';
        } else {
          const encoded = encodeMultipart(pairs, `maaskit-${hex(o.randomBytes(12))}`);
          body = encoded.body;
          headers['Content-Type'] = encoded.contentType;
        }
      }
      if (credentials) {
        headers['Authorization'] = signRequest({
          method,
          url,
          consumerKey: credentials.consumerKey,
          tokenKey: credentials.tokenKey,
          tokenSecret: credentials.tokenSecret,
          signatureMethod: spec.signatureMethod ?? o.signatureMethod,
          timestamp: Math.floor(o.now() / 1000),
          nonce: hex(o.randomBytes(16)),
          ...(o.realm !== undefined ? { realm: o.realm } : {}),
          ...(formParams ? { formParams } : {}),
        });
      }
      const response = await this.fetchOnce(method, url, headers, body, spec.signal);
      o.onExchange?.({ method, url, requestHeaders: headers, status: response.status, responseHeaders: response.headers, attempt });
      const wait = response.status === 503 || response.status === 409 ? retryAfterMs(response.headers) : undefined;
      if (wait === undefined || attempt > o.retries) return response;
      await o.sleep(wait);
    }
  }

  private async fetchOnce(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<MaasResponse> {
    const o = this.options;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, o.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const shown = `${method} ${stripQuery(url)}`;
    try {
      let res: Response;
      try {
        res = await o.fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: controller.signal, redirect: method === 'GET' ? 'follow' : 'manual' });
      } catch (error) {
        if (timedOut) throw new TimeoutError(`No answer to ${shown} within ${o.timeoutMs} ms. Is the MAAS server up and the URL right?`, o.timeoutMs);
        if (signal?.aborted) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new NetworkError(`Could not reach ${new URL(url).host} for ${shown}: ${why}. Check the host, the port (MAAS listens on 5240) and that the server is running.`, error);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (error) {
        if (timedOut) throw new TimeoutError(`The answer to ${shown} did not finish within ${o.timeoutMs} ms.`, o.timeoutMs);
        throw new NetworkError(`The connection broke while reading the answer to ${shown}.`, error);
      }
      const date = res.headers.get('date');
      const serverDate = date ? Date.parse(date) : Number.NaN;
      return {
        method,
        url,
        status: res.status,
        ok: res.status >= 200 && res.status < 300,
        headers: res.headers,
        body: text,
        contentType: res.headers.get('content-type') ?? '',
        serverDate: Number.isNaN(serverDate) ? undefined : serverDate,
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The typed error for an answer outside 2xx. */
export function errorFor(response: MaasResponse): ApiError {
  return response.status === 401 ? new AuthError(response) : new ApiError(response);
}

/** Whether a content type is HTML (a UI page, a proxy's error page: the URL is wrong). */
export function isHtml(contentType: string): boolean {
  return /^\s*text\/html\b/i.test(contentType);
}

/** The JSON of a 2xx answer; text when the answer is text (202 Accepted), undefined when empty. */
export function decodeBody(response: MaasResponse): unknown {
  if (response.body === '' || response.status === 204) return undefined;
  const type = response.contentType;
  if (isHtml(type)) {
    throw new ResponseError(
      `${response.method} ${stripQuery(response.url)} answered an HTML page where the MAAS API answers JSON. ` +
        'The URL is probably not the API: give the MAAS URL with its /MAAS/ prefix, e.g. http://HOST:5240/MAAS/.',
      response.status,
      type,
    );
  }
  if (/json/i.test(type) || /^[[{"]|^(true|false|null|-?\d)/.test(response.body.trimStart())) {
    try {
      return JSON.parse(response.body);
    } catch {
      if (/json/i.test(type)) {
        throw new ResponseError(`${response.method} ${stripQuery(response.url)} answered malformed JSON.`, response.status, type);
      }
    }
  }
  return response.body;
}
