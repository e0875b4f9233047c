// Typed API errors. Handlers throw these; the server edge (src/server) is the only
// place that turns them into HTTP responses (STYLE 6).

export type ApiErrorCode =
  | 'ERR_API_BAD_REQUEST'
  | 'ERR_API_VALIDATION'
  | 'ERR_API_BODY_MALFORMED'
  | 'ERR_API_UNRECOGNISED_SIGNATURE'
  | 'ERR_API_NOT_FOUND'
  | 'ERR_API_UNKNOWN_ENDPOINT'
  | 'ERR_API_FORBIDDEN'
  | 'ERR_API_METHOD_NOT_ALLOWED'
  | 'ERR_API_CONFLICT';

export interface ApiErrorOptions {
  /** Content type of the body; MAAS varies it by error kind (spec/maas-resources.md §5). */
  contentType?: string;
  /** A JSON body (field errors) instead of the plain-text message. */
  json?: unknown;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly contentType: string;
  readonly json: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.json = options.json;
    this.headers = options.headers ?? {};
    this.contentType =
      options.contentType ?? (options.json === undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  }
}

/** 400 with MAAS's plain-text message, e.g. `No provided username!`. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'ERR_API_BAD_REQUEST', message);
}

/** 400 with MAAS's field-error JSON, e.g. `{"name": ["No such constraint."]}`. */
export function validationError(fields: Record<string, string[]>): ApiError {
  return new ApiError(400, 'ERR_API_VALIDATION', 'Invalid parameters.', { json: fields });
}

/** 404 `No <Model> matches the given query.` (text/plain, no charset, as Django's get_object_or_404). */
export function notFound(model: string): ApiError {
  return new ApiError(404, 'ERR_API_NOT_FOUND', `No ${model} matches the given query.`, { contentType: 'text/plain' });
}

export function forbidden(message: string): ApiError {
  return new ApiError(403, 'ERR_API_FORBIDDEN', message);
}

export function conflict(message: string, headers?: Record<string, string>): ApiError {
  return new ApiError(409, 'ERR_API_CONFLICT', message, headers === undefined ? {} : { headers });
}
