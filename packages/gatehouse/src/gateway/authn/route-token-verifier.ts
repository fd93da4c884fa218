import {
  createRemoteKeySource,
  createVerifier,
  GatehouseError,
  loadKeySetFile,
  type AccessTokenClaims,
  type JwksEvent,
  type KeySource,
  RemoteKeySource,
  type RemoteKeySourceOptions,
  type RevocationCheck,
  type TrustedIssuer,
  type VerifierOptions,
  type VerifyFailure,
  type VerifyResult,
  type VerifySuccess,
} from '@gatehouse/verify';
import type { RouteConfig, TrustedIssuerConfig } from '../../config/index.ts';
import type { AuthnOutcome, Refused, UnverifiedTokenFacts } from './authenticator.ts';
import { identityFromClaims, type IdentityMapping, type MappedIdentity } from './identity-from-claims.ts';

/**
 * Claims a trusted issuer's access tokens must carry beyond iss, aud, exp and iat. Only `sub`:
 * policy, the audit log and the upstream assertion name the subject. Not RFC 9068's `client_id`
 * and `jti`, which common IdPs leave out or name otherwise (Keycloak and Auth0 say `azp`, Okta
 * `cid`, Entra ID has `uti` and no `jti`); a token without `jti` cannot be revoked one by one, only
 * by subject or key. Our own tokens keep the full RFC 9068 set.
 */
export const TRUSTED_ISSUER_REQUIRED_CLAIMS: readonly string[] = Object.freeze(['sub']);

export interface RouteTokenVerifierOptions {
  /** Our own issuer (config.issuer): its tokens must be typed at+jwt and carry every RFC 9068 claim. */
  readonly issuer: string;
  /** Our own public keys, in process (services.keys.keySet): a rotated or revoked key is gone at once. */
  readonly ownKeys: KeySource;
  /** config.trust: every other issuer whose tokens the gateway accepts, each for its own audiences. */
  readonly trust: readonly TrustedIssuerConfig[];
  /** The revocation lists (services.revocations.isRevoked), consulted on every success, cached or not. */
  readonly isRevoked: RevocationCheck;
  /** config.tokens.leewaySeconds. Default 30. */
  readonly leewaySeconds?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** The verified-token cache; default 10,000 entries. */
  readonly cache?: VerifierOptions['cache'];
  /** What each trusted issuer's JWKS client reports (metrics, logs), with that issuer. */
  readonly onJwksEvent?: (event: JwksEvent, issuer: string) => void;
  /** Given to every remote JWKS client (timeouts, lifetimes; `fetch` in tests). The algorithms are the trust entry's. */
  readonly remoteJwks?: Omit<RemoteKeySourceOptions, 'algorithms' | 'onEvent'>;
}

/**
 * Every check of DESIGN.md "Verification" for a token presented at a route, whoever carried it in.
 * One instance per gateway (one token cache, one JWKS client per trusted issuer); authenticators
 * share it.
 */
/** What verification reads of a route: its id (for messages) and its audience. */
export type TokenTarget = Pick<RouteConfig, 'id' | 'audience'>;

export interface RouteTokenVerifier {
  /**
   * Verifies `token` for `route`: the route's audience, and for a trusted issuer also that the
   * route's audience is one it is trusted for. `authenticator` is recorded in the outcome.
   * Synchronous unless keys must be fetched (a kid not seen yet, or a JWKS never loaded).
   */
  verifyForRoute(token: string, route: TokenTarget, authenticator: string): AuthnOutcome | Promise<AuthnOutcome>;
  /** Resolves once every remote JWKS has been fetched once (or failed to be): await at startup for warm keys. */
  ready(): Promise<void>;
  /**
   * Stops the JWKS clients, once every verification already waiting on a key fetch has its answer
   * (closing aborts the fetch under way, which such a verification may be waiting on). For a
   * verifier a reload replaced: no request starts on it any more, and none it started fails for it.
   */
  close(): Promise<void>;
}

/** What is known about one issuer at load time. */
interface IssuerProfile {
  /** The audiences a trusted issuer's tokens are accepted for; null for our own issuer (its clients' audiences are checked when it mints). */
  readonly audiences: ReadonlySet<string> | null;
  readonly mapping: IdentityMapping;
}

const OWN_TOKENS: IdentityMapping = Object.freeze({ rolesClaim: Object.freeze(['roles']), readScp: false });

/**
 * Builds the gateway's token verifier: one createVerifier holding our issuer and every trust
 * entry. Asynchronous because local JWKS files are read here, once (a bad file stops the start,
 * or fails the reload, with the trust entry and the file's path in the error); remote JWKS are
 * fetched lazily or by ready().
 */
export async function createRouteTokenVerifier(options: RouteTokenVerifierOptions): Promise<RouteTokenVerifier> {
  const profiles = new Map<string, IssuerProfile>([[options.issuer, { audiences: null, mapping: OWN_TOKENS }]]);
  const issuers: TrustedIssuer[] = [{ issuer: options.issuer, keys: options.ownKeys }];
  const remoteSources: RemoteKeySource[] = [];
  try {
    for (const [index, entry] of options.trust.entries()) {
      issuers.push({ issuer: entry.issuer, keys: await trustedKeys(entry, index), typ: entry.typ, requiredClaims: TRUSTED_ISSUER_REQUIRED_CLAIMS });
      profiles.set(entry.issuer, { audiences: new Set(entry.audiences), mapping: Object.freeze({ rolesClaim: entry.rolesClaim, readScp: true }) });
    }
  } catch (error) {
    await Promise.all(remoteSources.map((source) => source.close()));
    throw error;
  }
  const verifier = createVerifier({
    issuers,
    // Every call passes the route's audience; this default is never used.
    audience: 'gatehouse:no-default-audience',
    leewaySeconds: options.leewaySeconds,
    clock: options.clock,
    isRevoked: options.isRevoked,
    cache: options.cache,
  });

  async function trustedKeys(entry: TrustedIssuerConfig, index: number): Promise<KeySource> {
    const onJwksEvent = options.onJwksEvent;
    const keys = await loadTrustedIssuerKeys(entry, index, {
      ...options.remoteJwks,
      ...(onJwksEvent === undefined ? {} : { onEvent: (event: JwksEvent) => onJwksEvent(event, entry.issuer) }),
    });
    if (keys instanceof RemoteKeySource) remoteSources.push(keys);
    return keys;
  }

  // The identity of a cached token is the same on every hit: the cache hands back the same frozen
  // claims object, so mapping it once per token keeps the steady state free of allocations.
  const identities = new WeakMap<AccessTokenClaims, MappedIdentity>();

  function outcomeOf(result: VerifyResult, route: TokenTarget, authenticator: string): AuthnOutcome {
    if (!result.ok) return refused(authenticator, result.reason, result.detail, factsOfFailure(result), result.signatureVerified);
    const profile = profiles.get(result.issuer)!;
    if (profile.audiences !== null && !profile.audiences.has(route.audience)) {
      return refused(authenticator, 'wrong_audience', `issuer ${result.issuer} is trusted for ${JSON.stringify([...profile.audiences])}, not for the audience ${JSON.stringify(route.audience)} of route ${route.id}`, factsOfSuccess(result), true);
    }
    let mapped = identities.get(result.claims);
    if (mapped === undefined) {
      mapped = identityFromClaims(result.claims, profile.mapping);
      identities.set(result.claims, mapped);
    }
    return { kind: 'authenticated', authenticator, identity: mapped.identity, verified: result, notes: mapped.notes };
  }

  /** Verifications waiting on a key fetch: close() lets them finish. */
  const waiting = new Set<Promise<unknown>>();

  return {
    verifyForRoute(token, route, authenticator) {
      const audience = { audience: route.audience };
      const result = verifier.verifySync(token, audience);
      // Only these two can be cured by fetching keys; verify() does that (rate-limited by the key
      // source) and verifies again. Everything else is answered without a microtask.
      if (!result.ok && (result.reason === 'unknown_kid' || result.reason === 'keys_unavailable')) {
        const retried = verifier.verify(token, audience).then((settled) => outcomeOf(settled, route, authenticator));
        waiting.add(retried);
        const done = (): void => void waiting.delete(retried);
        retried.then(done, done);
        return retried;
      }
      return outcomeOf(result, route, authenticator);
    },
    async ready() {
      await Promise.all(remoteSources.map((source) => source.ready()));
    },
    async close() {
      await Promise.allSettled(waiting);
      await Promise.all(remoteSources.map((source) => source.close()));
    },
  };
}

function refused(authenticator: string, reason: Refused['reason'], detail: string, unverified: UnverifiedTokenFacts | undefined, signatureVerified: boolean): Refused {
  return unverified === undefined
    ? { kind: 'refused', authenticator, reason, detail, signatureVerified }
    : { kind: 'refused', authenticator, reason, detail, unverified, signatureVerified };
}

function factsOfFailure(failure: VerifyFailure): UnverifiedTokenFacts | undefined {
  const kid = failure.header?.kid;
  const claims = failure.claims;
  if (kid === undefined && claims === undefined) return undefined;
  return facts(claims ?? {}, kid);
}

function factsOfSuccess(success: VerifySuccess): UnverifiedTokenFacts {
  return facts(success.claims, success.kid);
}

/** String members only: a token can put anything in a claim. */
function facts(claims: Readonly<Record<string, unknown>>, kid: string | undefined): UnverifiedTokenFacts {
  const found: { -readonly [name in keyof UnverifiedTokenFacts]: string } = {};
  for (const name of ['sub', 'client_id', 'jti'] as const) {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (typeof value === 'string') found[name] = value;
  }
  if (typeof kid === 'string') found.kid = kid;
  return found;
}

/**
 * The keys of `trust[index]`: its JWK Set file, loaded now (an error names the entry: the file's
 * path alone does not say which entry of the configuration to fix), or a remote key source that
 * loads lazily (the caller closes it).
 */
export async function loadTrustedIssuerKeys(entry: TrustedIssuerConfig, index: number, remote: RemoteKeySourceOptions = {}): Promise<KeySource> {
  if (entry.jwks.kind === 'file') {
    try {
      return await loadKeySetFile(entry.jwks.path, { algorithms: entry.algorithms });
    } catch (error) {
      if (error instanceof GatehouseError) throw new GatehouseError(error.code, `trust[${index}] (${entry.issuer}): ${error.message}`, { cause: error });
      throw error;
    }
  }
  return createRemoteKeySource(entry.jwks.url, { ...remote, algorithms: entry.algorithms });
}
