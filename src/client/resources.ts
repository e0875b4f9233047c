// Typed resources over MAAS's documented API shapes (spec/maas-resources.md §2). Each method is
// one MAAS call: its path, method and op are written next to it.
import { formatApiKey } from '../model/index.ts';
import type { Params, ParamValue } from './encode.ts';
import { TimeoutError, WaitError } from './errors.ts';
import type { RequestSpec } from './transport.ts';
import {
  FAILED_STATUSES,
  type MachineJson,
  NODE_STATUS_NAMES,
  type NodeJson,
  type PodJson,
  type ResourcePoolJson,
  type TagJson,
  type TokenJson,
  type TokenListEntry,
  type UserJson,
  type VersionJson,
  type ZoneJson,
} from './types.ts';

/** What a resource needs from the client. */
export interface Caller {
  call<T>(spec: RequestSpec): Promise<T>;
  /** Milliseconds since the epoch (the client's injected clock). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Filter or constraint values: arrays repeat the key (ORed by MAAS, except tags). */
export type Filters = Readonly<Record<string, ParamValue | readonly ParamValue[] | undefined>>;

const seg = (value: string | number) => encodeURIComponent(String(value));

/** GET version/ — anonymous; spec/maas-resources.md §2.1. */
export class VersionResource {
  constructor(private readonly c: Caller) {}
  get(): Promise<VersionJson> {
    return this.c.call({ method: 'GET', path: 'version/', anonymous: true });
  }
}

export interface CreateUserParams {
  username: string;
  email: string;
  password: string;
  isSuperuser?: boolean;
}

/** users/ and users/{username}/ — spec/maas-resources.md §2.3. */
export class UsersResource {
  constructor(private readonly c: Caller) {}
  /** GET users/ */
  list(): Promise<UserJson[]> {
    return this.c.call({ method: 'GET', path: 'users/' });
  }
  /** GET users/?op=whoami */
  whoami(): Promise<UserJson> {
    return this.c.call({ method: 'GET', path: 'users/', op: 'whoami' });
  }
  /** GET users/{username}/ */
  get(username: string): Promise<UserJson> {
    return this.c.call({ method: 'GET', path: `users/${seg(username)}/` });
  }
  /** POST users/ (admin). is_superuser goes as 0/1, as MAAS's extract_bool wants. */
  create(params: CreateUserParams): Promise<UserJson> {
    return this.c.call({
      method: 'POST',
      path: 'users/',
      params: { username: params.username, email: params.email, password: params.password, is_superuser: params.isSuperuser ? '1' : '0' },
    });
  }
  /** DELETE users/{username}/ (admin); 204. */
  async delete(username: string, options: { transferResourcesTo?: string } = {}): Promise<void> {
    await this.c.call({
      method: 'DELETE',
      path: `users/${seg(username)}/`,
      params: { transfer_resources_to: options.transferResourcesTo },
    });
  }
}

/** A created key: MAAS's JSON plus the key as one string. */
export interface CreatedKey extends TokenJson {
  /** consumer_key:token_key:token_secret */
  apiKey: string;
}

/** account/ — the caller's own API keys; spec/maas-auth.md §4.4. */
export class KeysResource {
  constructor(private readonly c: Caller) {}
  /** POST account/?op=create_authorisation_token [name] */
  async create(options: { name?: string } = {}): Promise<CreatedKey> {
    const token = await this.c.call<TokenJson>({ method: 'POST', path: 'account/', op: 'create_authorisation_token', params: { name: options.name } });
    return {
      ...token,
      apiKey: formatApiKey({ consumerKey: token.consumer_key, tokenKey: token.token_key, tokenSecret: token.token_secret }),
    };
  }
  /** GET account/?op=list_authorisation_tokens */
  list(): Promise<TokenListEntry[]> {
    return this.c.call({ method: 'GET', path: 'account/', op: 'list_authorisation_tokens' });
  }
  /** POST account/?op=delete_authorisation_token token_key; 204. */
  async delete(tokenKey: string): Promise<void> {
    await this.c.call({ method: 'POST', path: 'account/', op: 'delete_authorisation_token', params: { token_key: tokenKey } });
  }
  /** POST account/?op=update_token_name token (the full key or its token key) name; 202. */
  async rename(token: string, name: string): Promise<void> {
    await this.c.call({ method: 'POST', path: 'account/', op: 'update_token_name', params: { token, name } });
  }
}

export interface WaitOptions {
  /** Give up after this long (default 30 minutes, MAAS's node_timeout). */
  timeoutMs?: number;
  /** Poll this often (default 5 s; terraform polls every 3 s at least). */
  intervalMs?: number;
  /** Called with the machine after each poll. */
  onProgress?: (machine: MachineJson) => void;
  signal?: AbortSignal;
}

function statusCode(status: string | number): number | undefined {
  if (typeof status === 'number') return status;
  const wanted = status.toLowerCase().replace(/[_-]/g, ' ');
  for (const [code, name] of Object.entries(NODE_STATUS_NAMES)) if (name.toLowerCase() === wanted) return Number(code);
  return undefined;
}

/** machines/ and machines/{system_id}/ — spec/maas-resources.md §2.6, §3.3. */
export class MachinesResource {
  constructor(private readonly c: Caller) {}
  /** GET machines/ with filters (§2.6.1), e.g. { status: 'ready', tags: ['gpu'] }. */
  list(filters: Filters = {}): Promise<MachineJson[]> {
    return this.c.call({ method: 'GET', path: 'machines/', params: filters });
  }
  /** GET machines/{system_id}/ */
  get(systemId: string): Promise<MachineJson> {
    return this.c.call({ method: 'GET', path: `machines/${seg(systemId)}/` });
  }
  /** POST machines/ (enlist): architecture, mac_addresses (array), hostname, power_type, power_parameters_*… */
  create(params: Params): Promise<MachineJson> {
    return this.c.call({ method: 'POST', path: 'machines/', params });
  }
  /** PUT machines/{system_id}/ (admin) */
  update(systemId: string, params: Params): Promise<MachineJson> {
    return this.c.call({ method: 'PUT', path: `machines/${seg(systemId)}/`, params });
  }
  /** DELETE machines/{system_id}/ (admin); 204. */
  async delete(systemId: string): Promise<void> {
    await this.c.call({ method: 'DELETE', path: `machines/${seg(systemId)}/` });
  }
  /** POST machines/?op=allocate with constraints (§2.6.3). 409 (ApiError) when none matches. */
  allocate(constraints: Filters = {}): Promise<MachineJson> {
    return this.c.call({ method: 'POST', path: 'machines/', op: 'allocate', params: constraints });
  }
  /** POST machines/{system_id}/?op=deploy: distro_series, hwe_kernel, user_data (base64), comment… */
  deploy(systemId: string, params: Params = {}): Promise<MachineJson> {
    return this.itemOp(systemId, 'deploy', params);
  }
  /** POST machines/{system_id}/?op=release: comment, erase, force… */
  release(systemId: string, params: Params = {}): Promise<MachineJson> {
    return this.itemOp(systemId, 'release', params);
  }
  /** POST machines/?op=release with repeated machines= (bulk); the ids that started releasing. */
  releaseMany(systemIds: readonly string[], params: { comment?: string } = {}): Promise<string[]> {
    return this.c.call({ method: 'POST', path: 'machines/', op: 'release', params: { machines: systemIds, comment: params.comment } });
  }
  /** POST machines/{system_id}/?op=commission (admin): enable_ssh, skip_networking, testing_scripts… */
  commission(systemId: string, params: Params = {}): Promise<MachineJson> {
    return this.itemOp(systemId, 'commission', params);
  }
  /** POST machines/{system_id}/?op=abort */
  abort(systemId: string, params: Params = {}): Promise<MachineJson> {
    return this.itemOp(systemId, 'abort', params);
  }
  /** POST machines/{system_id}/?op=power_on (an Allocated machine starts deploying) */
  powerOn(systemId: string, params: Params = {}): Promise<MachineJson> {
    return this.itemOp(systemId, 'power_on', params);
  }
  /** POST machines/{system_id}/?op=power_off: stop_mode soft|hard. MAAS may answer null. */
  powerOff(systemId: string, params: Params = {}): Promise<MachineJson | null> {
    return this.itemOp(systemId, 'power_off', params);
  }
  /** GET machines/{system_id}/?op=query_power_state */
  queryPowerState(systemId: string): Promise<{ state: string }> {
    return this.c.call({ method: 'GET', path: `machines/${seg(systemId)}/`, op: 'query_power_state' });
  }
  /** POST machines/{system_id}/?op=mark_broken | mark_fixed | lock | unlock … any other item op. */
  op<T = MachineJson>(systemId: string, op: string, params: Params = {}): Promise<T> {
    return this.itemOp(systemId, op, params);
  }

  /**
   * Polls GET machines/{system_id}/ until its status is `status` (a code, or a status_name such
   * as 'Deployed' in any case). Throws WaitError when a failed status is reached instead
   * (Failed deployment…), TimeoutError (ERR_CLIENT_WAIT_TIMEOUT) when `timeoutMs` passes.
   */
  async waitForStatus(systemId: string, status: string | number | ReadonlyArray<string | number>, options: WaitOptions = {}): Promise<MachineJson> {
    const wanted = new Set<number>();
    for (const s of Array.isArray(status) ? status : [status]) {
      const code = statusCode(s as string | number);
      if (code === undefined) throw new TypeError(`Unknown machine status '${String(s)}'; use a status_name such as 'Deployed' or a code.`);
      wanted.add(code);
    }
    const timeoutMs = options.timeoutMs ?? 30 * 60 * 1000;
    const intervalMs = options.intervalMs ?? 5000;
    const deadline = this.c.now() + timeoutMs;
    const names = [...wanted].map((c) => NODE_STATUS_NAMES[c]).join(' or ');
    for (;;) {
      const machine = await this.c.call<MachineJson>({ method: 'GET', path: `machines/${seg(systemId)}/`, signal: options.signal });
      options.onProgress?.(machine);
      if (wanted.has(machine.status)) return machine;
      if (FAILED_STATUSES.has(machine.status)) {
        throw new WaitError(
          `Machine ${systemId} is '${machine.status_name}' while waiting for ${names}` +
            `${machine.status_message ? ` (${machine.status_message})` : ''}. See its events in MAAS, fix the cause, then retry.`,
          systemId,
          machine.status_name,
        );
      }
      if (this.c.now() + intervalMs > deadline) {
        throw new TimeoutError(
          `Machine ${systemId} is still '${machine.status_name}' after ${Math.round(timeoutMs / 1000)} s of waiting for ${names}. ` +
            'Wait longer (timeoutMs) or look at the machine in MAAS.',
          timeoutMs,
          'ERR_CLIENT_WAIT_TIMEOUT',
        );
      }
      options.signal?.throwIfAborted();
      await this.c.sleep(intervalMs);
    }
  }

  private itemOp<T>(systemId: string, op: string, params: Params): Promise<T> {
    return this.c.call({ method: 'POST', path: `machines/${seg(systemId)}/`, op, params });
  }
}

/** nodes/ and nodes/{system_id}/ — spec/maas-resources.md §2.5. */
export class NodesResource {
  constructor(private readonly c: Caller) {}
  /** GET nodes/ (machines, devices and controllers) with the machine filters. */
  list(filters: Filters = {}): Promise<NodeJson[]> {
    return this.c.call({ method: 'GET', path: 'nodes/', params: filters });
  }
  /** GET nodes/{system_id}/ */
  get(systemId: string): Promise<NodeJson> {
    return this.c.call({ method: 'GET', path: `nodes/${seg(systemId)}/` });
  }
  /** DELETE nodes/{system_id}/ (admin); 204. */
  async delete(systemId: string): Promise<void> {
    await this.c.call({ method: 'DELETE', path: `nodes/${seg(systemId)}/` });
  }
  /** GET nodes/?op=is_registered mac_address */
  isRegistered(macAddress: string): Promise<boolean> {
    return this.c.call({ method: 'GET', path: 'nodes/', op: 'is_registered', params: { mac_address: macAddress } });
  }
}

export interface TagParams {
  name?: string;
  comment?: string;
  definition?: string;
  kernel_opts?: string;
}

/** tags/ and tags/{name}/ — spec/maas-resources.md §2.8. */
export class TagsResource {
  constructor(private readonly c: Caller) {}
  list(): Promise<TagJson[]> {
    return this.c.call({ method: 'GET', path: 'tags/' });
  }
  get(name: string): Promise<TagJson> {
    return this.c.call({ method: 'GET', path: `tags/${seg(name)}/` });
  }
  /** POST tags/ (admin) */
  create(params: TagParams & { name: string }): Promise<TagJson> {
    return this.c.call({ method: 'POST', path: 'tags/', params: { ...params } });
  }
  /** PUT tags/{name}/ (admin; partial) */
  update(name: string, params: TagParams): Promise<TagJson> {
    return this.c.call({ method: 'PUT', path: `tags/${seg(name)}/`, params: { ...params } });
  }
  async delete(name: string): Promise<void> {
    await this.c.call({ method: 'DELETE', path: `tags/${seg(name)}/` });
  }
  /** GET tags/{name}/?op=machines */
  machines(name: string): Promise<MachineJson[]> {
    return this.c.call({ method: 'GET', path: `tags/${seg(name)}/`, op: 'machines' });
  }
  /** POST tags/{name}/?op=update_nodes add/remove (system ids) → {added, removed} */
  updateNodes(name: string, changes: { add?: readonly string[]; remove?: readonly string[] }): Promise<{ added: number; removed: number }> {
    return this.c.call({ method: 'POST', path: `tags/${seg(name)}/`, op: 'update_nodes', params: { add: changes.add, remove: changes.remove } });
  }
}

export interface NamedParams {
  name?: string;
  description?: string;
}

/** zones/ and zones/{name}/ — spec/maas-resources.md §2.9. */
export class ZonesResource {
  constructor(private readonly c: Caller) {}
  list(): Promise<ZoneJson[]> {
    return this.c.call({ method: 'GET', path: 'zones/' });
  }
  get(name: string): Promise<ZoneJson> {
    return this.c.call({ method: 'GET', path: `zones/${seg(name)}/` });
  }
  create(params: NamedParams & { name: string }): Promise<ZoneJson> {
    return this.c.call({ method: 'POST', path: 'zones/', params: { ...params } });
  }
  update(name: string, params: NamedParams): Promise<ZoneJson> {
    return this.c.call({ method: 'PUT', path: `zones/${seg(name)}/`, params: { ...params } });
  }
  async delete(name: string): Promise<void> {
    await this.c.call({ method: 'DELETE', path: `zones/${seg(name)}/` });
  }
}

/** resourcepools/ and resourcepool/{id}/ (singular, id or name) — spec/maas-resources.md §2.10. */
export class PoolsResource {
  constructor(private readonly c: Caller) {}
  list(): Promise<ResourcePoolJson[]> {
    return this.c.call({ method: 'GET', path: 'resourcepools/' });
  }
  get(idOrName: number | string): Promise<ResourcePoolJson> {
    return this.c.call({ method: 'GET', path: `resourcepool/${seg(idOrName)}/` });
  }
  create(params: NamedParams & { name: string }): Promise<ResourcePoolJson> {
    return this.c.call({ method: 'POST', path: 'resourcepools/', params: { ...params } });
  }
  update(idOrName: number | string, params: NamedParams): Promise<ResourcePoolJson> {
    return this.c.call({ method: 'PUT', path: `resourcepool/${seg(idOrName)}/`, params: { ...params } });
  }
  async delete(idOrName: number | string): Promise<void> {
    await this.c.call({ method: 'DELETE', path: `resourcepool/${seg(idOrName)}/` });
  }
}

/** pods/ and pods/{id}/ (VM hosts) — spec/maas-resources.md §2.7. */
export class PodsResource {
  constructor(private readonly c: Caller) {}
  list(): Promise<PodJson[]> {
    return this.c.call({ method: 'GET', path: 'pods/' });
  }
  get(id: number): Promise<PodJson> {
    return this.c.call({ method: 'GET', path: `pods/${seg(id)}/` });
  }
  /** POST pods/ (admin): type (lxd|virsh), power_address, name, zone, pool, tags… */
  create(params: Params): Promise<PodJson> {
    return this.c.call({ method: 'POST', path: 'pods/', params });
  }
  update(id: number, params: Params): Promise<PodJson> {
    return this.c.call({ method: 'PUT', path: `pods/${seg(id)}/`, params });
  }
  /** DELETE pods/{id}/ [decompose]; 204. */
  async delete(id: number, options: { decompose?: boolean } = {}): Promise<void> {
    await this.c.call({ method: 'DELETE', path: `pods/${seg(id)}/`, params: { decompose: options.decompose } });
  }
  /** POST pods/{id}/?op=compose: cores, memory, storage, hostname… → {system_id, resource_uri} */
  compose(id: number, params: Params = {}): Promise<{ system_id: string; resource_uri: string }> {
    return this.c.call({ method: 'POST', path: `pods/${seg(id)}/`, op: 'compose', params });
  }
  /** POST pods/{id}/?op=refresh */
  refresh(id: number): Promise<PodJson> {
    return this.c.call({ method: 'POST', path: `pods/${seg(id)}/`, op: 'refresh' });
  }
  /** GET pods/{id}/?op=parameters (admin; includes the power secrets) */
  parameters(id: number): Promise<Record<string, unknown>> {
    return this.c.call({ method: 'GET', path: `pods/${seg(id)}/`, op: 'parameters' });
  }
}
