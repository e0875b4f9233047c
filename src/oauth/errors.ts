// OAuth failures with stable codes. `message` is the piston message MAAS would give
// (spec/maas-auth.md §5); the server edge wraps it in MAAS's response shape.

export type OAuthErrorCode =
  | 'ERR_OAUTH_HEADER_MALFORMED'
  | 'ERR_OAUTH_PARAM_MISSING'
  | 'ERR_OAUTH_VERSION_UNSUPPORTED'
  | 'ERR_OAUTH_TIMESTAMP_MISSING'
  | 'ERR_OAUTH_TIMESTAMP_INVALID'
  | 'ERR_OAUTH_TIMESTAMP_EXPIRED'
  | 'ERR_OAUTH_TIMESTAMP_FUTURE'
  | 'ERR_OAUTH_CONSUMER_UNKNOWN'
  | 'ERR_OAUTH_TOKEN_UNKNOWN'
  | 'ERR_OAUTH_TOKEN_CONSUMER_MISMATCH'
  | 'ERR_OAUTH_NONCE_INVALID'
  | 'ERR_OAUTH_NONCE_REUSED'
  | 'ERR_OAUTH_METHOD_UNSUPPORTED'
  | 'ERR_OAUTH_SIGNATURE_MISSING'
  | 'ERR_OAUTH_SIGNATURE_INVALID';

/** Facts about a failure that let the server name the likely mistake (DESIGN D3). Never a secret. */
export interface OAuthErrorDetail {
  /** For timestamp errors: the presented timestamp and the server's time, in seconds. */
  timestamp?: number;
  now?: number;
  /** For signature errors: the method used. */
  signatureMethod?: string;
  /** For PLAINTEXT: the presented value is the right secret in the wrong shape. */
  mistake?: 'consumer-secret-not-empty' | 'missing-ampersand';
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  /** 400 for a malformed request (MAAS's OAuthBadRequest), 401 otherwise. */
  readonly status: 400 | 401;
  readonly detail: OAuthErrorDetail;

  constructor(code: OAuthErrorCode, message: string, detail: OAuthErrorDetail = {}, status: 400 | 401 = 401) {
    super(message);
    this.name = 'OAuthError';
    this.code = code;
    this.status = status;
    this.detail = detail;
  }
}
