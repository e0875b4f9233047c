// Signed requests through app.inject for handler tests: one call per request, form bodies
// url-encoded (repeated keys kept), PLAINTEXT signatures with a fresh nonce.
import type { ApiKeyParts } from '../../src/model/index.ts';
import type { TestApp } from './app.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Form = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>;

export interface CallResult {
  status: number;
  type: string | undefined;
  body: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

export function caller(t: TestApp) {
  return async function call(method: Method, path: string, options: { key?: ApiKeyParts; form?: Form; anonymous?: boolean } = {}): Promise<CallResult> {
    const url = path.startsWith('/') ? path : `/MAAS/api/2.0/${path}`;
    const headers: Record<string, string> = {};
    if (!options.anonymous) headers['authorization'] = t.sign(method, url, options.key ? { key: options.key } : {});
    let payload: string | undefined;
    if (options.form) {
      const pairs = Array.isArray(options.form) ? options.form : Object.entries(options.form);
      payload = new URLSearchParams(pairs.map(([k, v]) => [k, v] as [string, string])).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, type: res.headers['content-type'] as string | undefined, body: res.body, json };
  };
}
