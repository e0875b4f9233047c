// /MAAS/api/2.0/…: decode, authenticate, dispatch (spec/maas-auth.md §6.3), render.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type ActionResult,
  ApiError,
  checkFormat,
  chooseHandler,
  decodeBody,
  type HttpMethod,
  Params,
  parseUrlEncoded,
  resolveAction,
  resolveOp,
  unknownEndpoint,
} from '../api/index.ts';
import { API_PREFIX } from '../model/index.ts';
import type { User } from '../store/index.ts';
import { authenticateOAuth } from './auth.ts';
import { type AppContext, alternativeOrigins, bodyOf, originOf, send, splitUrl } from './context.ts';
import { sessionUser } from './sessions.ts';

const DESCRIBE_PATH = `${API_PREFIX}describe/`;

/** Who is calling: a session (checked first, as in MAAS), else OAuth. */
async function identify(
  ctx: AppContext,
  request: FastifyRequest,
  body: ReturnType<typeof decodeBody>,
  path: string,
  query: string,
): Promise<{ user: User | undefined; hint?: string | undefined }> {
  const session = await sessionUser(ctx, request);
  if (session) return { user: session, hint: undefined };
  const authorization = request.headers.authorization;
  const url = `${originOf(ctx, request)}${path}${query === '' ? '' : `?${query}`}`;
  const signedBody =
    body.kind === 'urlencoded' || body.kind === 'multipart'
      ? { params: body.params.entries(), signed: body.kind === 'urlencoded' }
      : undefined;
  return authenticateOAuth(
    {
      store: ctx.deps.store,
      clock: ctx.deps.clock,
      timestampWindow: ctx.deps.timestampWindow,
      authHints: ctx.deps.authHints,
    },
    { method: request.method, url, authorization, body: signedBody },
    // Worked out only on the failure path, for a hint.
    () => alternativeOrigins(request),
  );
}

export async function handleApi(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { path, query: queryString } = splitUrl(request.url);
  reply.header('x-maas-api-hash', ctx.description.hash);
  reply.header('vary', 'Authorization, Cookie');

  if (path === DESCRIBE_PATH) {
    // A plain view in MAAS: anonymous, any method, exactly application/json.
    return send(reply, {
      status: 200,
      contentType: 'application/json',
      body: ctx.description.render(originOf(ctx, request)),
      headers: {},
    });
  }
  const match = ctx.router.match(path);
  if (!match) throw unknownEndpoint(path);
  const { resource } = match.compiled;

  const query = new Params(parseUrlEncoded(queryString));
  const body = decodeBody(request.headers['content-type'], bodyOf(request));
  const method = request.method.toUpperCase() as HttpMethod;

  const { user, hint } = resource.auth
    ? await identify(ctx, request, body, path, queryString)
    : { user: undefined, hint: undefined };
  const handler = chooseHandler(resource, method, user, hint);
  checkFormat(query);
  const op = resolveOp(method, query, body.params, match.pathOp);
  const action = resolveAction(handler, method, op, user);
  const result: ActionResult = await action.run({
    user: handler === resource.auth ? user : undefined,
    store: ctx.deps.store,
    query,
    body: body.params,
    data: method === 'POST' || method === 'PUT' ? body.params : query,
    files: body.files,
    path: match.path,
    request: { method, path, origin: originOf(ctx, request) },
    describe: () => JSON.parse(ctx.description.render(originOf(ctx, request))),
    now: () => ctx.deps.clock.nowSeconds(),
    randomBytes: ctx.deps.randomBytes,
    transitionDelay: ctx.deps.transitionDelay,
  });
  return send(reply, { ...result, headers: result.headers ?? {} });
}

export { ApiError };
