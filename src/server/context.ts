// What every route of the app shares: its dependencies and a few request helpers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDescription, Router } from '../api/index.ts';
import type { RandomBytes } from '../model/index.ts';
import type { Clock } from '../oauth/index.ts';
import type { Store } from '../store/index.ts';
import type { HttpResponse } from './responses.ts';

export interface AppDeps {
  store: Store;
  clock: Clock;
  randomBytes: RandomBytes;
  /** Accepted oauth_timestamp distance in seconds, both ways (DESIGN D2). Default 300. */
  timestampWindow?: number;
  /** Add `Hint:` lines to refusals (DESIGN D3). Default true. */
  authHints?: boolean;
  /** scheme://host[:port] clients use; the HMAC base string and describe/ URIs use it. */
  publicUrl?: string;
  /** Session lifetime in seconds; MAAS's default session_length is 14 days. */
  sessionLength?: number;
  /** Seconds each simulated machine lifecycle step takes (DESIGN D7). Default 5. */
  transitionDelay?: number;
  /** A pino-compatible logger, or false for none. */
  logger?: import('pino').Logger | false;
}

export interface AppContext {
  deps: Required<Omit<AppDeps, 'publicUrl' | 'logger'>> & { publicUrl: string | undefined };
  router: Router;
  description: ApiDescription;
}

/** The raw path and query string of a request. */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** The origin the client used (or the configured public URL's). */
export function originOf(ctx: AppContext, request: FastifyRequest): string {
  if (ctx.deps.publicUrl) return new URL(ctx.deps.publicUrl).origin;
  return `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}

/** Other origins a client might have signed an HMAC request over (tried only for hints). */
export function alternativeOrigins(request: FastifyRequest): string[] {
  const hosts = [request.headers.host, request.headers['x-forwarded-host']].filter(
    (h): h is string => typeof h === 'string' && h !== '',
  );
  return hosts.flatMap((h) => [`http://${h}`, `https://${h}`]);
}

export function bodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export function send(reply: FastifyReply, response: HttpResponse): FastifyReply {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
  reply.header('content-type', response.contentType);
  // fastify rewrites the content type of a string payload (it appends "; charset=utf-8" to any
  // JSON type) and drops it from a 204 with a payload; MAAS sends describe/ as exactly
  // application/json and rc.DELETED's 204 as text/plain (spec/maas-resources.md §2.0, §2.2).
  if (response.status === 204 && response.body === '') return reply.send();
  return reply.send(response.bytes ?? Buffer.from(response.body, 'utf8'));
}
