// The one error → HTTP mapping (STYLE 6). Everything a handler, the auth edge or the body
// decoder throws ends here; nothing else writes an error response.
import { ApiError } from '../api/index.ts';
import { OAuthError } from '../oauth/index.ts';
import { StoreError, type StoreErrorCode } from '../store/index.ts';

export interface HttpResponse {
  status: number;
  contentType: string;
  body: string;
  /** The body already encoded; sent instead of `body` when present. */
  bytes?: Buffer | undefined;
  headers: Record<string, string>;
}

/** An OAuth failure, already rendered (its hint needed the store, so it is worded at the auth edge). */
export class AuthFailure extends Error {
  readonly code: string;
  constructor(
    readonly response: HttpResponse,
    error: OAuthError,
  ) {
    super(error.message);
    this.name = 'AuthFailure';
    this.code = error.code;
  }
}

/** Python's repr() of a str, as MAAS formats OAuth error messages (spec/maas-auth.md §5). */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(new RegExp(quote, 'g'), `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/**
 * MAAS's E-type OAuth failure: 401 text/html with `WWW-Authenticate: OAuth realm="OAuth"`, body
 * `Authorization Error: '<message>'` — except the unknown consumer, which reads
 * `Authorization Error: Invalid API key.` Malformed requests get MAAS's 400 `'Bad Request: …'`.
 */
export function oauthErrorResponse(error: OAuthError, hint: string | undefined): HttpResponse {
  const hintLine = hint ? `\nHint: ${hint}` : '';
  if (error.status === 400) {
    return {
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      body: pythonRepr(`Bad Request: ${error.message}`) + hintLine,
      headers: {},
    };
  }
  const first =
    error.code === 'ERR_OAUTH_CONSUMER_UNKNOWN'
      ? 'Authorization Error: Invalid API key.'
      : `Authorization Error: ${pythonRepr(error.message)}`;
  return {
    status: 401,
    contentType: 'text/html; charset=utf-8',
    body: first + hintLine,
    headers: { 'www-authenticate': 'OAuth realm="OAuth"' },
  };
}

export function apiErrorResponse(error: ApiError): HttpResponse {
  return {
    status: error.status,
    contentType: error.contentType,
    body: error.json === undefined ? error.message : JSON.stringify(error.json),
    headers: error.headers,
  };
}

/** Errors fastify itself raises while reading a request (bad content-length, body too large…). */
function frameworkError(error: unknown): HttpResponse | undefined {
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.code === 'string') {
    // fastify's messages quote the request (its URL may hold an oauth_signature): not echoed.
    const message = e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Request body is too large.' : `Bad request (${e.code}).`;
    return { status: e.statusCode, contentType: 'text/plain; charset=utf-8', body: message, headers: {} };
  }
  return undefined;
}

/** Store failures that pass: 503 with Retry-After, and what to tell the client. */
const RETRY_LATER: Partial<Record<StoreErrorCode, string>> = {
  ERR_STORE_UNAVAILABLE: 'The database is unavailable; try again shortly.',
  ERR_STORE_BUSY: 'Too many signed requests in the last few minutes; try again shortly.',
};

/** Maps any thrown value; `unexpected` is told about what is a bug (for the log). */
export function errorResponse(error: unknown, unexpected: (error: unknown) => void): HttpResponse {
  if (error instanceof AuthFailure) return error.response;
  if (error instanceof ApiError) return apiErrorResponse(error);
  if (error instanceof OAuthError) return oauthErrorResponse(error, undefined);
  const retryLater = error instanceof StoreError ? RETRY_LATER[error.code] : undefined;
  if (retryLater !== undefined) {
    return { status: 503, contentType: 'text/plain; charset=utf-8', body: retryLater, headers: { 'retry-after': '5' } };
  }
  if (error instanceof StoreError && error.code === 'ERR_STORE_INVALID_TEXT') {
    // Django's ProhibitNullCharactersValidator says the same in MAAS.
    return { status: 400, contentType: 'text/plain; charset=utf-8', body: 'Null characters are not allowed.', headers: {} };
  }
  const framework = frameworkError(error);
  if (framework) return framework;
  unexpected(error);
  return { status: 500, contentType: 'text/plain; charset=utf-8', body: 'Internal server error.', headers: {} };
}
