// Shared types of the OAuth 1.0 (RFC 5849) core. No I/O here: the clock, the
// nonce store and the credential lookup are passed in by the caller (DESIGN D7).

export type SignatureMethod = 'PLAINTEXT' | 'HMAC-SHA1' | 'HMAC-SHA256';

export const SIGNATURE_METHODS: readonly SignatureMethod[] = ['PLAINTEXT', 'HMAC-SHA1', 'HMAC-SHA256'];

/** The six parameters MAAS requires before it treats a request as an OAuth attempt (spec/maas-auth.md §1.2). */
export const REQUIRED_PARAMS = [
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_nonce',
] as const;

/** An ordered list of name/value pairs; repeated names are kept (RFC 5849 §3.4.1.3.1). */
export type ParamList = Array<[name: string, value: string]>;

/** What the verifier needs to know about a request, independent of any HTTP framework. */
export interface OAuthRequest {
  /** HTTP method, any case. */
  method: string;
  /**
   * The absolute URL used for the HMAC base string: scheme, host (with port) and path of the
   * public URL, plus the request's query string.
   */
  url: string;
  /** The first Authorization header, if any. */
  authorization?: string | undefined;
  /**
   * Body parameters when the body is application/x-www-form-urlencoded (signed, RFC 5849
   * §3.4.1.3.1) or multipart/form-data (not signed, but a source of oauth_* parameters as in MAAS).
   */
  body?: { params: ParamList; signed: boolean } | undefined;
}

/** Where the oauth_* parameters of a request were found. */
export type ParamSource = 'header' | 'query' | 'body';

/** The oauth_* parameters of a request, merged with MAAS's precedence: query > header > body. */
export interface CollectedParams {
  /** Merged oauth_* values (last value per source wins, then precedence across sources). */
  oauth: Record<string, string>;
  /** The sources that held all six required parameters (empty: not an OAuth attempt). */
  completeSources: ParamSource[];
  /** Every parameter that takes part in the HMAC base string (RFC 5849 §3.4.1.3.1), realm and oauth_signature excluded. */
  signed: ParamList;
  /** Names of required parameters that were missing from every source (for diagnostics). */
  missing: string[];
}

/** Injected clock: whole seconds since the epoch. */
export interface Clock {
  nowSeconds(): number;
}

/**
 * Remembers nonces. `useOnce` records the nonce for (consumer, token) and answers true, or
 * answers false when that nonce was already recorded. It must be atomic across processes
 * sharing a store (DESIGN D2).
 */
export interface NonceStore {
  useOnce(consumerKey: string, tokenKey: string, nonce: string, timestamp: number): Promise<boolean>;
}

/** A token secret the verifier may check without the caller handing out the secret itself. */
export interface TokenSecret {
  /** Constant-time check of a presented secret (PLAINTEXT). */
  matches(presented: string): boolean;
  /** The secret itself, needed only to compute an HMAC. */
  reveal(): string;
}

/** A credential the lookup found for an oauth_token. */
export interface TokenCredential {
  tokenKey: string;
  consumerKey: string;
  secret: TokenSecret;
}

/** Finds consumers and tokens; implemented by the server over the store. */
export interface CredentialLookup {
  consumerExists(consumerKey: string): Promise<boolean>;
  findToken(tokenKey: string): Promise<TokenCredential | undefined>;
}

export interface VerifyOptions {
  lookup: CredentialLookup;
  nonces: NonceStore;
  clock: Clock;
  /** Accepted distance, in seconds, between oauth_timestamp and now, both ways (DESIGN D2). */
  timestampWindow: number;
}

/** A successful verification. */
export interface Verified {
  consumerKey: string;
  tokenKey: string;
  signatureMethod: SignatureMethod;
  source: ParamSource[];
}
