// createApp(deps): the whole HTTP surface as a fastify instance, testable in-process with
// inject() (STYLE 9). Only main.ts listens.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { RESOURCES, createDescription, createRouter } from '../api/index.ts';
import { handleApi } from './api-route.ts';
import { type AppContext, type AppDeps, send, splitUrl } from './context.ts';
import { redactUrl } from './logging.ts';
import { errorResponse } from './responses.ts';
import { authenticate, csrf, login, logout } from './sessions.ts';

/** Request bodies above this size get 413 (MAAS accepts large user_data and file uploads). */
const BODY_LIMIT = 32 * 1024 * 1024;
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export type { AppDeps } from './context.ts';

export function createApp(deps: AppDeps): FastifyInstance {
  const ctx: AppContext = {
    deps: {
      store: deps.store,
      clock: deps.clock,
      randomBytes: deps.randomBytes,
      timestampWindow: deps.timestampWindow ?? 300,
      authHints: deps.authHints ?? true,
      sessionLength: deps.sessionLength ?? 1_209_600,
      publicUrl: deps.publicUrl,
      transitionDelay: deps.transitionDelay ?? 5,
    },
    router: createRouter([...RESOURCES]),
    description: createDescription([...RESOURCES]),
  };
  const log = deps.logger || undefined;
  // fastify's own request logging is off: one redacted line per request is written below.
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    // Errors fastify raises before routing (a malformed URL) take the same path as the rest.
    frameworkErrors: (error, _request, reply) => send(reply, errorResponse(error, () => undefined)),
  });

  // Bodies are decoded by src/api (multipart with base64 parts, repeated keys): fastify only
  // collects the bytes, whatever the content type (JSON included).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // DESIGN D2, D7: Date is the injected clock, the one oauth_timestamp is checked against; a
  // client corrects its skew from it, and the skew hint points to it. Node would read its own.
  // The text changes once a second; formatting it for every response cost more than the rest
  // of this hook.
  let dateSeconds = Number.NaN;
  let dateText = '';
  app.addHook('onSend', (_request, reply, payload, done) => {
    const seconds = ctx.deps.clock.nowSeconds();
    if (seconds !== dateSeconds) {
      dateSeconds = seconds;
      dateText = new Date(seconds * 1000).toUTCString();
    }
    reply.header('date', dateText);
    done(null, payload);
  });

  app.setErrorHandler((error, request, reply) => {
    const response = errorResponse(error, (e) => log?.error({ err: e, url: redactUrl(request.url) }, 'unexpected error'));
    return send(reply, response);
  });
  app.setNotFoundHandler((_request, reply) =>
    send(reply, { status: 404, contentType: 'text/plain; charset=utf-8', body: 'Not Found', headers: {} }),
  );
  if (log) {
    // The access line's fields are fixed and safe (the URL is redacted here), so it skips the
    // generic redaction pass, which costs more than writing the line itself.
    const access = log.child({}, { redact: { paths: [] } });
    app.addHook('onResponse', (request, reply, done) => {
      access.info(
        { method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
      done();
    });
  }

  const route = (path: string, handler: (ctx: AppContext, req: FastifyRequest, reply: FastifyReply) => unknown) => {
    app.route({ method: [...ALL_METHODS], url: path, handler: (req, reply) => handler(ctx, req, reply) });
  };
  const plain = (status: number, body: string) => (_c: AppContext, _r: FastifyRequest, reply: FastifyReply) =>
    send(reply, { status, contentType: 'text/plain', body, headers: {} });

  // spec/maas-resources.md §1.1
  route('/MAAS/api/version/*', plain(200, '2.0'));
  route('/MAAS/api/1.0/*', plain(410, 'The 1.0 API is no longer available. Please use API version 2.0.'));
  route('/MAAS/api/2.0/*', handleApi);
  route('/MAAS/accounts/login/', login);
  route('/MAAS/accounts/logout/', logout);
  route('/MAAS/accounts/authenticate/', authenticate);
  route('/MAAS/account/csrf/', csrf);
  route('/MAAS/', (_c, request, reply) => {
    const { path } = splitUrl(request.url);
    return send(reply, {
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: `maaskit: a MAAS-compatible API is served at ${path}api/2.0/\n`,
      headers: {},
    });
  });
  return app;
}
