// MaasClient: the SDK's public entry. It is where the real clock, randomness, sleep and fetch
// are chosen (DESIGN D7); every one of them can be replaced through the options.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { ApiKeyParts } from '../model/index.ts';
import type { SignatureMethod } from '../oauth/index.ts';
import type { BodyEncoding } from './encode.ts';
import { parseApiKey } from './key.ts';
import {
  KeysResource,
  MachinesResource,
  NodesResource,
  PodsResource,
  PoolsResource,
  TagsResource,
  UsersResource,
  VersionResource,
  ZonesResource,
} from './resources.ts';
import { decodeBody, errorFor, type Exchange, type MaasResponse, type RequestSpec, Transport } from './transport.ts';
import { apiUrl } from './url.ts';

export interface MaasClientOptions {
  /** The MAAS URL, e.g. http://maas.example:5240/MAAS/ (api/2.0/ is appended as the maas CLI does). */
  url: string;
  /** consumer_key:token_key:token_secret (quotes and whitespace around it are trimmed), or its parts; absent: anonymous. */
  apiKey?: string | ApiKeyParts | undefined;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Per attempt; default 30 000. */
  timeoutMs?: number;
  /** Retries of a 503/409 that carries Retry-After (gomaasapi: 4); default 4, 0 to never retry. */
  retries?: number;
  /** Default PLAINTEXT, as every MAAS client signs. */
  signatureMethod?: SignatureMethod;
  /** POST/PUT bodies: multipart (the maas CLI, default) or urlencoded (gomaasapi). */
  bodyEncoding?: BodyEncoding;
  /** Sent as the OAuth realm; MAAS ignores it. Default: none, as the maas CLI. */
  realm?: string;
  /** The clock, in ms since the epoch (default Date.now); oauth_timestamp is read from it. */
  now?: () => number;
  /** Randomness for nonces and multipart boundaries (default crypto.randomBytes). */
  randomBytes?: (size: number) => Uint8Array;
  /** How retries and waits pause (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Sees each exchange (headers as sent: redact Authorization before printing). */
  onExchange?: (exchange: Exchange) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class MaasClient {
  /** The API root, e.g. http://maas.example:5240/MAAS/api/2.0/ */
  readonly apiUrl: string;
  readonly version: VersionResource;
  readonly users: UsersResource;
  /** The caller's API keys (account/). */
  readonly keys: KeysResource;
  readonly machines: MachinesResource;
  readonly nodes: NodesResource;
  readonly tags: TagsResource;
  readonly zones: ZonesResource;
  readonly pools: PoolsResource;
  readonly pods: PodsResource;
  private readonly transport: Transport;

  /**
   * @throws UrlError (ERR_CLIENT_URL_INVALID) for a URL that is not http(s)
   * @throws KeyFormatError (ERR_CLIENT_KEY_FORMAT) for a key that is not three parts of MAAS's shape
   */
  constructor(options: MaasClientOptions) {
    this.apiUrl = apiUrl(options.url);
    const credentials = typeof options.apiKey === 'string' ? parseApiKey(options.apiKey) : options.apiKey;
    const fetchFn = options.fetch ?? globalThis.fetch;
    this.transport = new Transport({
      apiUrl: this.apiUrl,
      credentials,
      fetch: fetchFn,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 4,
      signatureMethod: options.signatureMethod ?? 'PLAINTEXT',
      bodyEncoding: options.bodyEncoding ?? 'multipart',
      realm: options.realm,
      now: options.now ?? Date.now,
      randomBytes: options.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n))),
      sleep: options.sleep ?? realSleep,
      onExchange: options.onExchange,
    });
    const caller = {
      call: <T>(spec: RequestSpec) => this.call<T>(spec),
      now: () => this.transport.options.now(),
      sleep: (ms: number) => this.transport.options.sleep(ms),
    };
    this.version = new VersionResource(caller);
    this.users = new UsersResource(caller);
    this.keys = new KeysResource(caller);
    this.machines = new MachinesResource(caller);
    this.nodes = new NodesResource(caller);
    this.tags = new TagsResource(caller);
    this.zones = new ZonesResource(caller);
    this.pools = new PoolsResource(caller);
    this.pods = new PodsResource(caller);
  }

  /** Whether requests are signed. */
  get authenticated(): boolean {
    return this.transport.options.credentials !== undefined;
  }

  /** Sends a request and answers whatever the status (the CLI and the doctor use this). */
  send(spec: RequestSpec): Promise<MaasResponse> {
    return this.transport.send(spec);
  }

  /**
   * Sends a request and decodes a 2xx answer (JSON, text, or undefined when empty).
   * @throws AuthError (401), ApiError (other non-2xx), ResponseError (HTML where JSON belongs),
   *   TimeoutError, NetworkError
   */
  async call<T = unknown>(spec: RequestSpec): Promise<T> {
    const response = await this.transport.send(spec);
    if (!response.ok) throw errorFor(response);
    return decodeBody(response) as T;
  }

  /** GET describe/ (anonymous): the API description the CLI builds its commands from. */
  describe(): Promise<unknown> {
    return this.call({ method: 'GET', path: 'describe/', anonymous: true });
  }
}

