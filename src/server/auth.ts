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

function nonceStore(settings: AuthSettings): NonceStore {
  return {
    useOnce(consumerKey, tokenKey, nonce) {
      // DESIGN D2: remembered for twice the window, past any timestamp that could still pass.
      const expiresAt = settings.clock.nowSeconds() + 2 * settings.timestampWindow;
      return settings.store.useNonce(consumerKey, tokenKey, nonce, expiresAt);
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

  // One query on the happy path: the token's row carries its consumer key and its user.
  let grant: TokenGrant | undefined;
  const tokenKey = params.oauth['oauth_token'] ?? '';
  const findGrant = async () => {
    grant ??= await settings.store.findTokenGrant(tokenKey);
    return grant;
  };
  try {
    await verifyRequest(request, params, {
      clock: settings.clock,
      timestampWindow: settings.timestampWindow,
      nonces: nonceStore(settings),
      lookup: {
        consumerExists: async (consumerKey) =>
          (await findGrant())?.consumerKey === consumerKey || settings.store.consumerExists(consumerKey),
        findToken: findGrant,
      },
    });
  } catch (error) {
    if (error instanceof OAuthError) throw await failure(error, settings, request, params, alternativeUrls);
    throw error;
  }
  // verifyRequest succeeded, so the grant was found.
  return { user: grant!.user };
}
