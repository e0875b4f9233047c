// Typed errors of the SDK, each with a stable code (STYLE 5; listed in docs/errors.md).
// Messages say what happened, why and how to fix it, and never contain a secret: a key
// part is described (its position, length, the kind of character), never shown.

export type ClientErrorCode =
  | 'ERR_CLIENT_KEY_FORMAT'
  | 'ERR_CLIENT_URL_INVALID'
  | 'ERR_CLIENT_HTTP'
  | 'ERR_CLIENT_AUTH'
  | 'ERR_CLIENT_TIMEOUT'
  | 'ERR_CLIENT_NETWORK'
  | 'ERR_CLIENT_RESPONSE_INVALID'
  | 'ERR_CLIENT_WAIT_TIMEOUT'
  | 'ERR_CLIENT_WAIT_FAILED';

/** The base of every SDK error: `code` is stable, `message` is for people. */
export class MaasClientError extends Error {
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MaasClientError';
    this.code = code;
  }
}

/** What is wrong with an API key: one finding per problem (see `inspectApiKey`). */
export type KeyProblem = 'empty' | 'parts' | 'empty-part' | 'length' | 'charset';

/** The key is not `consumer_key:token_key:token_secret`. The message names the problem, never a part's value. */
export class KeyFormatError extends MaasClientError {
  readonly problem: KeyProblem;
  constructor(problem: KeyProblem, message: string) {
    super('ERR_CLIENT_KEY_FORMAT', message);
    this.name = 'KeyFormatError';
    this.problem = problem;
  }
}

/** The MAAS URL cannot be used (not http(s), credentials embedded, unparsable). */
export class UrlError extends MaasClientError {
  constructor(message: string) {
    super('ERR_CLIENT_URL_INVALID', message);
    this.name = 'UrlError';
  }
}

/** One HTTP answer, as the errors carry it. */
export interface ResponseInfo {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  /** The body as text (MAAS's error texts are plain text or JSON). */
  body: string;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** MAAS answered with a status outside 2xx. `body` is MAAS's text as it came. */
export class ApiError extends MaasClientError {
  readonly status: number;
  readonly body: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  constructor(response: ResponseInfo, code: ClientErrorCode = 'ERR_CLIENT_HTTP', message?: string) {
    const text = firstLine(response.body.trim());
    super(
      code,
      message ??
        `MAAS answered ${response.status} to ${response.method} ${stripQuery(response.url)}${text ? `: ${text}` : ''}`,
    );
    this.name = 'ApiError';
    this.status = response.status;
    this.body = response.body;
    this.method = response.method;
    this.url = response.url;
    this.headers = response.headers;
  }
}

/** The request was refused with 401: the key is wrong, or the request was not signed. */
export class AuthError extends ApiError {
  /** The server's `Hint:` line (maaskit, DESIGN D3), without the `Hint: ` prefix; undefined from real MAAS. */
  readonly hint: string | undefined;
  constructor(response: ResponseInfo) {
    const hint = parseHint(response.body);
    const first = firstLine(response.body.trim()) || 'Unauthorized';
    super(
      response,
      'ERR_CLIENT_AUTH',
      `MAAS answered 401 (${first}) to ${response.method} ${stripQuery(response.url)}: the API key was refused, or the request was not signed.` +
        (hint ? ` Hint: ${hint}` : ' The key reads consumer_key:token_key:token_secret; `maaskit doctor URL KEY` tells what is wrong.'),
    );
    this.name = 'AuthError';
    this.hint = hint;
  }
}

/** The server's `Hint:` line in a refusal, or undefined. */
export function parseHint(body: string): string | undefined {
  for (const line of body.split('\n')) {
    if (line.startsWith('Hint: ')) return line.slice('Hint: '.length).trim();
  }
  return undefined;
}

/** No answer within `timeoutMs`. */
export class TimeoutError extends MaasClientError {
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number, code: 'ERR_CLIENT_TIMEOUT' | 'ERR_CLIENT_WAIT_TIMEOUT' = 'ERR_CLIENT_TIMEOUT') {
    super(code, message);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The server could not be reached (refused, DNS, TLS…). `cause` holds the underlying error. */
export class NetworkError extends MaasClientError {
  constructor(message: string, cause: unknown) {
    super('ERR_CLIENT_NETWORK', message, { cause });
    this.name = 'NetworkError';
  }
}

/** A 2xx answer that is not what the API returns (HTML where JSON was expected, say). */
export class ResponseError extends MaasClientError {
  readonly status: number;
  readonly contentType: string;
  constructor(message: string, status: number, contentType: string) {
    super('ERR_CLIENT_RESPONSE_INVALID', message);
    this.name = 'ResponseError';
    this.status = status;
    this.contentType = contentType;
  }
}

/** While waiting for a status, the machine reached a failed one (e.g. Failed deployment). */
export class WaitError extends MaasClientError {
  readonly systemId: string;
  readonly statusName: string;
  constructor(message: string, systemId: string, statusName: string) {
    super('ERR_CLIENT_WAIT_FAILED', message);
    this.name = 'WaitError';
    this.systemId = systemId;
    this.statusName = statusName;
  }
}

/** A URL without its query but for `op`: a query may carry oauth_* values, which errors never show. */
export function stripQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const op = new URLSearchParams(url.slice(q + 1)).get('op');
  return url.slice(0, q) + (op ? `?op=${encodeURIComponent(op)}` : '');
}
