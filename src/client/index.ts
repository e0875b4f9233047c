// maaskit/client: a TypeScript SDK for the MAAS 2.0 API (real MAAS or maaskit). Zero runtime
// dependencies; global fetch; OAuth 1.0 PLAINTEXT (or HMAC-SHA1) signing. See docs/sdk.md.
export type { ApiKeyParts } from '../model/index.ts';
export { MaasClient, type MaasClientOptions } from './client.ts';
export type { BodyEncoding, FileParam, Params, ParamValue } from './encode.ts';
export {
  ApiError,
  AuthError,
  type ClientErrorCode,
  KeyFormatError,
  type KeyProblem,
  MaasClientError,
  NetworkError,
  parseHint,
  ResponseError,
  TimeoutError,
  UrlError,
  WaitError,
} from './errors.ts';
export { describeChar, inspectApiKey, type KeyCleanup, type KeyInspection, PART_NAMES, parseApiKey } from './key.ts';
export type {
  CreatedKey,
  CreateUserParams,
  Filters,
  KeysResource,
  MachinesResource,
  NamedParams,
  NodesResource,
  PodsResource,
  PoolsResource,
  TagParams,
  TagsResource,
  UsersResource,
  VersionResource,
  WaitOptions,
  ZonesResource,
} from './resources.ts';
export { type Exchange, type HttpMethod, isHtml, type MaasResponse, type RequestSpec, retryAfterMs } from './transport.ts';
export * from './types.ts';
export { apiUrl, siteUrl } from './url.ts';
