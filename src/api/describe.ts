// GET /MAAS/api/2.0/describe/ — the API description clients bind to, generated from the
// registry (DESIGN D8), and its hash, sent as X-MAAS-API-Hash. spec/maas-resources.md §2.2.
// Statuses: 200, content type exactly application/json (maascli compares the string).
import { createHash } from 'node:crypto';
import { API_PREFIX } from '../model/index.ts';
import type { Handler, Resource } from './registry.ts';
import { pythonJson } from './render.ts';

interface HandlerDescription {
  name: string;
  doc: string;
  params: string[];
  path: string;
  uri: string;
  actions: Array<{ method: string; name: string; op: string | null; restful: boolean; doc: string }>;
}

function placeholders(path: string): string[] {
  return [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] ?? '');
}

function describeHandler(handler: Handler | undefined, path: string, origin: string): HandlerDescription | null {
  if (!handler) return null;
  const fullPath = `${API_PREFIX}${path}`;
  return {
    name: handler.name,
    doc: handler.doc,
    params: placeholders(path),
    path: fullPath,
    uri: `${origin}${fullPath}`,
    actions: handler.actions
      .filter((a) => !a.hidden)
      .map((a) => ({ method: a.method, name: a.name, op: a.op, restful: a.op === null, doc: a.doc }))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function describeResources(resources: Resource[], origin: string) {
  const described = resources.map((r) => {
    const auth = describeHandler(r.auth, r.path, origin);
    const anon = describeHandler(r.anon, r.path, origin);
    return { name: (auth ?? anon)?.name ?? '', anon, auth };
  });
  return described.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

export interface ApiDescription {
  /** SHA-1 over the description without host-specific URIs: the same on every instance. */
  hash: string;
  /** The describe/ body for a client that reached us at `origin`. */
  render(origin: string): string;
}

export function createDescription(resources: Resource[]): ApiDescription {
  const canonical = JSON.stringify(sortKeys(describeResources(resources, '')));
  const hash = createHash('sha1').update(canonical).digest('hex');
  return {
    hash,
    render(origin) {
      const described = describeResources(resources, origin);
      const handlers = [...described.map((r) => r.anon), ...described.map((r) => r.auth)].filter((h) => h !== null);
      return pythonJson(sortKeys({ doc: 'MAAS API', hash, resources: described, handlers }));
    },
  };
}
