// The four scenarios of bench:auth and bench:ratios, and how their requests are made and checked.
import type { Options, Result } from 'autocannon';
import { splitApiKey } from '../../src/model/index.ts';
import { type SignatureMethod, signRequest } from '../../src/oauth/index.ts';
import { nonceSource } from './env.ts';
import { type ServerProcess, startMaaskit } from './server.ts';

export const VERSION_PATH = '/MAAS/api/2.0/version/';
export const WHOAMI_PATH = '/MAAS/api/2.0/users/?op=whoami';
export const TARGET_SIGNED = 0.8;
export const TARGET_ANON = 0.6;

export type ScenarioId = 'a' | 'b' | 'c' | 'd';
export interface Scenario {
  id: ScenarioId;
  label: string;
  path: string;
  signatureMethod?: SignatureMethod;
}
export const SCENARIOS: Record<ScenarioId, Scenario> = {
  a: { id: 'a', label: '(a) bare node:http, version JSON', path: VERSION_PATH },
  b: { id: 'b', label: '(b) maaskit GET version/ (anonymous)', path: VERSION_PATH },
  c: { id: 'c', label: '(c) maaskit whoami, PLAINTEXT', path: WHOAMI_PATH, signatureMethod: 'PLAINTEXT' },
  d: { id: 'd', label: '(d) maaskit whoami, HMAC-SHA1', path: WHOAMI_PATH, signatureMethod: 'HMAC-SHA1' },
};

/** BENCH_ONLY: the scenarios to run, e.g. "b,c"; all four by default. */
export function onlyScenarios(): Set<string> {
  return new Set((process.env['BENCH_ONLY'] || 'a,b,c,d').split(',').map((s) => s.trim()));
}

// Nonces unique across the whole benchmark (every connection, warm-up and run).
export const nonces = nonceSource();

function headersFor(server: ServerProcess, scenario: Scenario): () => Record<string, string> {
  const method = scenario.signatureMethod;
  if (method === undefined) return () => ({});
  const key = splitApiKey(server.apiKey);
  if (!key) throw new Error(`maaskit printed no usable API key (got ${JSON.stringify(server.apiKey)})`);
  const url = `${server.origin}${scenario.path}`;
  return () => ({
    authorization: signRequest({
      method: 'GET',
      url,
      ...key,
      signatureMethod: method,
      timestamp: Math.floor(Date.now() / 1000),
      nonce: nonces.next(),
    }),
  });
}

/** One request first: a scenario that does not answer 200 with the right body is not measured. */
export async function check(server: ServerProcess, scenario: Scenario, expectedBody: string | undefined): Promise<void> {
  const response = await fetch(`${server.origin}${scenario.path}`, { headers: headersFor(server, scenario)() });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`status ${response.status}: ${body.slice(0, 300)}`);
  if (expectedBody !== undefined && body !== expectedBody) throw new Error(`unexpected body: ${body.slice(0, 300)}`);
  if (scenario.signatureMethod !== undefined) {
    const user = JSON.parse(body) as { username?: unknown };
    if (user.username !== 'admin') throw new Error(`whoami answered ${body.slice(0, 300)}`);
  }
}

/** autocannon's options for `duration` seconds of one scenario against `server`. */
export function loadOptions(server: ServerProcess, scenario: Scenario, duration: number, connections: number): Options {
  const headers = headersFor(server, scenario);
  return {
    url: server.origin,
    connections,
    pipelining: 1,
    duration,
    requests: [
      {
        method: 'GET',
        path: scenario.path,
        setupRequest: (request) => {
          request.headers = { ...request.headers, ...headers() };
          return request;
        },
      },
    ],
  };
}

/** What makes a load run not count: any non-2xx, error or timeout, or no response at all. */
export function loadProblems(result: Result): string[] {
  return [
    result.non2xx > 0 ? `${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)})` : '',
    result.errors > 0 ? `${result.errors} errors` : '',
    result.timeouts > 0 ? `${result.timeouts} timeouts` : '',
    result.requests.total === 0 ? 'no responses' : '',
  ].filter((p) => p !== '');
}

export interface VersionResponse {
  body: string;
  headers: Record<string, string>;
}

/** maaskit's answer to GET version/, which the bare server then serves byte for byte. */
export async function probeVersion(): Promise<VersionResponse> {
  const server = await startMaaskit();
  try {
    const response = await fetch(`${server.origin}${VERSION_PATH}`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`maaskit GET version/ answered ${response.status}: ${body}`);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'x-maas-api-hash', 'vary']) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { body, headers };
  } finally {
    await server.stop();
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
