// RFC 5849 OAuth 1.0 for MAAS's 0-legged use: parsing, signing and verification.
// Zero runtime dependencies; the clock, nonce store and credential lookup are injected.
export { OAuthError, type OAuthErrorCode, type OAuthErrorDetail } from './errors.ts';
export { isOAuthScheme, parseAuthorizationHeader, serializeAuthorizationHeader } from './header.ts';
export { collectParams, parseQueryString } from './params.ts';
export { percentDecode, percentEncode } from './percent.ts';
export {
  baseStringUri,
  constantTimeEqual,
  hmacSignature,
  isSignatureMethod,
  normalizeParams,
  plaintextSignature,
  signatureBaseString,
} from './signature.ts';
export { type SignRequestOptions, signRequest } from './signer.ts';
export * from './types.ts';
export { displayToken, MAX_NONCE_LENGTH, parseTimestamp, verifyRequest } from './verify.ts';
