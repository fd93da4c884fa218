import { ACCESS_TOKEN_CLAIMS, GatehouseError, parseCompactJws, parseJsonObject, RemoteKeySource, type KeySource } from '@gatehouse/verify';
import type { GatehouseConfig, RouteConfig, TrustedIssuerConfig } from '../config/index.ts';
import { createRouteTokenVerifier, loadTrustedIssuerKeys, TRUSTED_ISSUER_REQUIRED_CLAIMS, type Authenticated, type Refused, type RouteTokenVerifier, type TokenTarget } from '../gateway/authn/index.ts';
import { OWN_ISSUER_LABEL, type ExplainedIssuer } from '../explain/explain-access-token.ts';
import { CliError } from './cli-error.ts';
import type { CommandArgs } from './command.ts';
import { EXIT } from './exit-codes.ts';
import type { LocalServices } from './local-services.ts';
import { findRoute, routeIdsHint } from './route-arguments.ts';
import { stringFlag } from './string-flag.ts';

/** The name the gateway's outcome records for the authenticator; the CLI presents the token itself. */
export const CLI_AUTHENTICATOR = 'cli';

/**
 * The gateway's own token verifier (createRouteTokenVerifier), on this process's keys and
 * revocation lists and the configuration's trust entries, at one fixed instant so that every
 * check of one command sees the same clock. No token cache: each command verifies once.
 */
export async function openRouteTokenVerifier(local: Pick<LocalServices, 'config' | 'services'>, nowMs: number): Promise<RouteTokenVerifier> {
  const { config, services } = local;
  return withTrustErrors(() =>
    createRouteTokenVerifier({
      issuer: config.issuer,
      ownKeys: services.keys.keySet,
      trust: config.trust,
      isRevoked: services.revocations.isRevoked,
      leewaySeconds: config.tokens.leewaySeconds,
      clock: () => nowMs,
      cache: false,
    }),
  );
}

/** The gateway's answer for `token` at `route`: authenticated (with the identity policy sees) or refused. */
export async function verifyAtRoute(verifier: RouteTokenVerifier, token: string, route: TokenTarget): Promise<Authenticated | Refused> {
  const outcome = await verifier.verifyForRoute(token, route, CLI_AUTHENTICATOR);
  if (outcome.kind === 'not_responsible') throw new Error('the route token verifier answered not_responsible for a token it was given');
  return outcome;
}

/** How output names an issuer: this gatehouse, or its trust entry. */
export function issuerLabel(config: GatehouseConfig, issuer: string): string {
  if (issuer === config.issuer) return OWN_ISSUER_LABEL;
  const index = config.trust.findIndex((entry) => entry.issuer === issuer);
  return index === -1 ? 'not trusted' : `trust[${index}]`;
}

/** What a token is checked against at a route: its audience, and the route (a stand-in for --aud). */
export interface AudienceTarget {
  readonly audience: string;
  /** The route given with --route; null for --aud. */
  readonly route: RouteConfig | null;
  /** What the verifier is given: the route, or for --aud just that audience. */
  readonly verifierRoute: TokenTarget;
}

/** --route ID or --aud AUD: exactly one (a token is only valid for an audience). */
export function audienceTarget(args: CommandArgs, local: LocalServices, command: string): AudienceTarget {
  const routeId = stringFlag(args, 'route');
  const aud = stringFlag(args, 'aud');
  if (routeId !== undefined && aud !== undefined) {
    throw new CliError(EXIT.usage, '--route and --aud both set the audience', `pass one: --route checks the route's audience${command === 'token explain' ? ' and policy' : ''}, --aud any audience`);
  }
  if (routeId !== undefined) {
    const route = findRoute(local.config, routeId, local.configPath);
    return { audience: route.audience, route, verifierRoute: route };
  }
  if (aud === undefined || aud === '') {
    throw new CliError(EXIT.usage, `${command} needs the audience to check: --route ID or --aud AUD`, routeIdsHint(local.config));
  }
  return { audience: aud, route: null, verifierRoute: Object.freeze({ id: '(--aud)', audience: aud }) };
}

export interface ExplainedIssuers {
  readonly issuers: readonly ExplainedIssuer[];
  close(): Promise<void>;
}

/**
 * Our issuer and every trust entry with the key set the gateway's verifier uses for it, for
 * `token explain`'s check-by-check view. The keys of the issuer the token names are loaded (a
 * remote JWKS fetched, and fetched again for a kid it lacks, as the verifier's verify() does).
 */
export async function openExplainedIssuers(local: Pick<LocalServices, 'config' | 'services'>, token: string): Promise<ExplainedIssuers> {
  const { config, services } = local;
  const remote: RemoteKeySource[] = [];
  const close = async () => void (await Promise.all(remote.map((source) => source.close())));
  try {
    const issuers: ExplainedIssuer[] = [{ issuer: config.issuer, label: OWN_ISSUER_LABEL, keys: services.keys.keySet, typ: 'at+jwt', requiredClaims: ACCESS_TOKEN_CLAIMS, audiences: null }];
    for (const [index, entry] of config.trust.entries()) {
      const keys = await withTrustErrors(() => trustedKeys(entry, index, remote));
      issuers.push({ issuer: entry.issuer, label: `trust[${index}]`, keys, typ: entry.typ, requiredClaims: TRUSTED_ISSUER_REQUIRED_CLAIMS, audiences: entry.audiences });
    }
    const named = unverifiedIssuerAndKid(token);
    const source = issuers.find((candidate) => candidate.issuer === named.iss)?.keys;
    if (source !== undefined && named.kid !== undefined) {
      if (!source.available) await source.ready?.();
      if (source.available && source.getKey(named.kid) === undefined) await source.refresh?.(named.kid);
    }
    return { issuers, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function trustedKeys(entry: TrustedIssuerConfig, index: number, remote: RemoteKeySource[]): Promise<KeySource> {
  const keys = await loadTrustedIssuerKeys(entry, index);
  if (keys instanceof RemoteKeySource) remote.push(keys);
  return keys;
}

/** The `iss` and `kid` a token claims, before anything is verified: only to know which keys to load. */
function unverifiedIssuerAndKid(token: string): { iss?: string; kid?: string } {
  const jws = parseCompactJws(token);
  if (!jws.ok) return {};
  const payload = parseJsonObject(jws.payload);
  const iss = payload.ok && Object.hasOwn(payload.value, 'iss') ? payload.value.iss : undefined;
  return { ...(typeof iss === 'string' ? { iss } : {}), ...(jws.header.kid === undefined ? {} : { kid: jws.header.kid }) };
}

/** A trust entry whose JWK Set file is unusable is a configuration problem (exit 3), not a bug. */
async function withTrustErrors<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof GatehouseError) throw new CliError(EXIT.config, error.message, 'fix the trust entry\'s jwks in gatehouse.yaml (docs/reference/configuration.md)', { cause: error });
    throw error;
  }
}
