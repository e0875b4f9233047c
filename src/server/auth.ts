// The auth edge: who is calling? A browser session first, then OAuth (spec/maas-auth.md §7,
// §10.1). Returns the user, or no user with the reason for the challenge; throws the OAuth
// failure (rendered by responses.ts) when the request tried OAuth and failed.
import {
  type Clock,
  type CollectedParams,
  collectParams,
  type NonceStore,
  OAuthError,
  type OAuthRequest,
  verifyRequest,
} from '../oauth/index.ts';
import type { Store, TokenGrant, User } from '../store/index.ts';
import { forbiddenHint, hintFor } from './hints.ts';
import { AuthFailure, oauthErrorResponse } from './responses.ts';

export interface AuthSettings {
  store: Store;
  clock: Clock;
  timestampWindow: number;
  authHints: boolean;
}

export type AuthOutcome = { user: User; hint?: undefined } | { user: undefined; hint: string | undefined };

/**
 * The request's nonce, spent at most once: asked again (when the request is verified a second
 * time, below), it answers what the store answered the first time.
 */
function nonceStore(settings: AuthSettings): NonceStore {
  let answer: Promise<boolean> | undefined;
  return {
    useOnce(consumerKey, tokenKey, nonce) {
      // DESIGN D2: remembered for twice the window, past any timestamp that could still pass.
      const expiresAt = settings.clock.nowSeconds() + 2 * settings.timestampWindow;
      answer ??= settings.store.useNonce(consumerKey, tokenKey, nonce, expiresAt);
      return answer;
    },
  };
}

async function failure(
  error: OAuthError,
  settings: AuthSettings,
  request: OAuthRequest,
  params: CollectedParams | undefined,
  alternativeUrls: () => string[],
): Promise<AuthFailure> {
  let hint: string | undefined;
  if (settings.authHints) {
    const ctx = { store: settings.store, request, alternativeUrls: alternativeUrls() };
    hint = await hintFor(error, { ...ctx, params: params ?? { oauth: {}, completeSources: [], signed: [], missing: [] } });
  }
  return new AuthFailure(oauthErrorResponse(error, hint), error);
}

/**
 * OAuth 1.0 authentication of one request. `alternativeUrls` gives other origins the client may
 * have signed, tried only to word a hint.
 */
export async function authenticateOAuth(
  settings: AuthSettings,
  request: OAuthRequest,
  alternativeUrls: () => string[] = () => [],
): Promise<AuthOutcome> {
  let params: CollectedParams;
  try {
    params = collectParams(request);
  } catch (error) {
    if (error instanceof OAuthError) throw await failure(error, settings, request, undefined, alternativeUrls);
    throw error;
  }
  if (params.completeSources.length === 0) {
    return { user: undefined, hint: settings.authHints ? forbiddenHint(request.authorization, params) : undefined };
  }

  const tokenKey = params.oauth['oauth_token'] ?? '';
  const nonces = nonceStore(settings);
  const verifyWith = async (find: (tokenKey: string) => Promise<TokenGrant | undefined>) => {
    // One lookup per attempt: the token's row carries its consumer key and its user.
    let grant: Promise<TokenGrant | undefined> | undefined;
    const findGrant = () => (grant ??= find(tokenKey));
    await verifyRequest(request, params, {
      clock: settings.clock,
      timestampWindow: settings.timestampWindow,
      nonces,
      lookup: {
        consumerExists: async (consumerKey) =>
          (await findGrant())?.consumerKey === consumerKey || settings.store.consumerExists(consumerKey),
        findToken: findGrant,
      },
    });
    // verifyRequest succeeded, so the grant was found.
    return (await grant)!;
  };
  const { store } = settings;
  try {
    // The grant as this process knows it, then confirmed (Store.recallTokenGrant): on success
    // by the nonce's commit, on failure by a fresh lookup. If it changed, the request is
    // verified again on what is committed now, with the nonce it has already spent.
    let recalled: TokenGrant | undefined;
    try {
      const grant = await verifyWith(async (key) => (recalled = await store.recallTokenGrant(key)));
      if (store.isCurrentGrant(grant)) return { user: grant.user };
    } catch (error) {
      if (!(error instanceof OAuthError) || recalled === undefined) throw error;
      if ((await store.findTokenGrant(tokenKey)) === recalled) throw error;
    }
    return { user: (await verifyWith((key) => store.findTokenGrant(key))).user };
  } catch (error) {
    if (error instanceof OAuthError) throw await failure(error, settings, request, params, alternativeUrls);
    throw error;
  }
}
