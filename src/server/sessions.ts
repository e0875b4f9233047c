// Browser sessions (spec/maas-auth.md §7): login/logout, the CSRF token, and the
// username/password → API key exchange python-libmaas's login() uses.
//   GET  /MAAS/accounts/login/          200 {authenticated, external_auth_url, no_users}
//   POST /MAAS/accounts/login/          204 + sessionid/csrftoken cookies; 400 bad credentials
//   POST /MAAS/accounts/logout/         204 (CSRF-protected); other methods 405
//   POST /MAAS/account/csrf/            200 {"csrf": token}; 403 without a session
//   POST /MAAS/accounts/authenticate/   200 {consumer_key, name, token_key, token_secret};
//                                       403 empty on bad credentials; 405 for other methods
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, decodeBody, pythonJson } from '../api/index.ts';
import { DEFAULT_KEY_NAME } from '../model/index.ts';
import type { ApiKeyWithSecret, Session, User } from '../store/index.ts';
import { type AppContext, bodyOf, send } from './context.ts';
import { formatCookie, parseCookies } from './cookies.ts';

const SESSION_COOKIE = 'sessionid';
const CSRF_COOKIE = 'csrftoken';
const UNSAFE = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
/** Django's JsonResponse: exactly application/json, json.dumps layout. */
const JSON_RESPONSE = 'application/json';

function token(ctx: AppContext): string {
  return Buffer.from(ctx.deps.randomBytes(32)).toString('base64url');
}

/** Django's CSRF failure, for an unsafe request carrying a session cookie without the token. */
function csrfFailure(): ApiError {
  return new ApiError(403, 'ERR_API_FORBIDDEN', 'CSRF verification failed. Request aborted.', {
    contentType: 'text/html; charset=utf-8',
  });
}

/**
 * The session's user, if the request carries a live session. A session cookie, even a stale
 * one, makes CSRF apply to unsafe methods (spec/maas-auth.md §7): X-CSRFToken must match.
 */
export async function sessionUser(ctx: AppContext, request: FastifyRequest): Promise<User | undefined> {
  const found = await findSessionOf(ctx, request);
  if (found === undefined) return undefined;
  if (UNSAFE.has(request.method)) {
    const presented = request.headers['x-csrftoken'];
    if (!found.session || typeof presented !== 'string' || presented !== found.session.csrfToken) throw csrfFailure();
  }
  return userOf(ctx, found.session);
}

/** The request's session cookie and its live session, if any; no CSRF check. */
async function findSessionOf(
  ctx: AppContext,
  request: FastifyRequest,
): Promise<{ sessionId: string; session: Session | undefined } | undefined> {
  const sessionId = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  if (sessionId === undefined) return undefined;
  return { sessionId, session: await ctx.deps.store.findSession(sessionId, ctx.deps.clock.nowSeconds()) };
}

async function userOf(ctx: AppContext, session: Session | undefined): Promise<User | undefined> {
  if (!session) return undefined;
  const user = await ctx.deps.store.findUserById(session.userId);
  return user?.isActive ? user : undefined;
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'ERR_API_METHOD_NOT_ALLOWED', '', {
    contentType: 'text/html; charset=utf-8',
    headers: { allow },
  });
}

function formField(request: FastifyRequest, name: string): string | undefined {
  return decodeBody(request.headers['content-type'], bodyOf(request)).params.get(name);
}

export async function login(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // The login view is CSRF-exempt: Django's request.user comes from the session alone.
  const current = await userOf(ctx, (await findSessionOf(ctx, request))?.session);
  if (request.method === 'GET') {
    const noUsers = (await ctx.deps.store.countUsers()) === 0;
    return send(reply, {
      status: 200,
      contentType: JSON_RESPONSE,
      body: pythonJson({ authenticated: current !== undefined, external_auth_url: null, no_users: noUsers }),
      headers: {},
    });
  }
  if (request.method !== 'POST') throw methodNotAllowed('GET, POST');
  if (current) return send(reply, { status: 204, contentType: 'text/plain', body: '', headers: {} });
  const user = await ctx.deps.store.checkPassword(formField(request, 'username') ?? '', formField(request, 'password') ?? '');
  if (!user) {
    // Django's AuthenticationForm errors, as JsonResponse renders them.
    return send(reply, {
      status: 400,
      contentType: JSON_RESPONSE,
      body: pythonJson({
        __all__: ['Please enter a correct username and password. Note that both fields may be case-sensitive.'],
      }),
      headers: {},
    });
  }
  const sessionId = token(ctx);
  const csrfToken = token(ctx);
  const maxAge = ctx.deps.sessionLength;
  await ctx.deps.store.createSession(sessionId, {
    userId: user.id,
    csrfToken,
    expiresAt: ctx.deps.clock.nowSeconds() + maxAge,
  });
  reply.header('set-cookie', [
    formatCookie(SESSION_COOKIE, sessionId, { maxAge, httpOnly: true }),
    formatCookie(CSRF_COOKIE, csrfToken, { maxAge }),
  ]);
  return send(reply, { status: 204, contentType: 'text/plain', body: '', headers: {} });
}

export async function logout(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (request.method !== 'POST') throw methodNotAllowed('POST');
  const user = await sessionUser(ctx, request);
  const sessionId = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  if (user && sessionId !== undefined) await ctx.deps.store.deleteSession(sessionId);
  reply.header('set-cookie', [
    formatCookie(SESSION_COOKIE, '', { maxAge: 0, httpOnly: true }),
    formatCookie(CSRF_COOKIE, '', { maxAge: 0 }),
  ]);
  return send(reply, { status: 204, contentType: 'text/plain', body: '', headers: {} });
}

export async function csrf(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (request.method !== 'POST') throw methodNotAllowed('POST');
  // CSRF-exempt; 403 unless the session's user is authenticated and active.
  const session = (await findSessionOf(ctx, request))?.session;
  if (!session || !(await userOf(ctx, session))) {
    throw new ApiError(403, 'ERR_API_FORBIDDEN', '', { contentType: 'text/html; charset=utf-8' });
  }
  return send(reply, {
    status: 200,
    contentType: JSON_RESPONSE,
    body: pythonJson({ csrf: session.csrfToken }),
    headers: {},
  });
}

/** python-libmaas login(): reuse the key named `consumer`, else the first, else make one. */
export async function authenticate(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (request.method !== 'POST') throw methodNotAllowed('POST');
  const refused = () => send(reply, { status: 403, contentType: 'text/html; charset=utf-8', body: '', headers: {} });
  const user = await ctx.deps.store.checkPassword(formField(request, 'username') ?? '', formField(request, 'password') ?? '');
  if (!user) return refused();
  const consumer = formField(request, 'consumer');
  const keys = await ctx.deps.store.listApiKeys(user.id);
  let key: ApiKeyWithSecret | undefined = consumer === undefined ? keys[0] : keys.find((k) => k.name === consumer);
  key ??= await ctx.deps.store.createApiKey(user.id, consumer ?? DEFAULT_KEY_NAME);
  return send(reply, {
    status: 200,
    contentType: JSON_RESPONSE,
    body: pythonJson({
      consumer_key: key.consumerKey,
      name: key.name,
      token_key: key.tokenKey,
      token_secret: key.tokenSecret,
    }),
    headers: {},
  });
}
