/**
 * The normalized configuration that `loadConfig` / `parseConfig` return, deeply frozen. Everything
 * here has been validated once, at load: durations are seconds, paths are absolute, defaults are
 * filled in, and conditions are checked structurally (the gateway compiles them). Consumers never
 * re-validate and never see YAML.
 */
import type { Algorithm } from '@gatehouse/verify';
import type { SigningAlgorithm } from '../keys/signing-algorithms.ts';
import type { StoreLocation } from '../store/store-url.ts';
import type { SecretString } from './secret.ts';
import type { ConfigWarning } from './issues.ts';

export interface GatehouseConfig {
  /** The `iss` of every token we mint and the public base URL of the issuer; no trailing slash. */
  readonly issuer: string;
  readonly listen: ListenConfig;
  readonly store: StoreConfig;
  readonly keys: KeysConfig;
  readonly tokens: TokensConfig;
  readonly clients: readonly ClientConfig[];
  readonly routes: readonly RouteConfig[];
  readonly trust: readonly TrustedIssuerConfig[];
  readonly anomaly: AnomalyConfig;
  readonly cluster: ClusterConfig;
}

/** What `loadConfig` and `parseConfig` return: the configuration and the warnings about it. */
export interface LoadedConfig {
  readonly config: GatehouseConfig;
  readonly warnings: readonly ConfigWarning[];
}

export interface ListenConfig {
  /** Default 0.0.0.0:8080. */
  readonly gateway: ListenAddress;
  /** The issuer's endpoints (the public base URL is `issuer`; a TLS terminator may sit between). Default 0.0.0.0:9000. */
  readonly issuer: ListenAddress;
  /** Default 0.0.0.0:4000 (admin API, console, /metrics). */
  readonly control: ListenAddress;
}

export interface ListenAddress {
  /** What `server.listen(port, host)` takes: an IPv4 address, an IPv6 address without brackets, or a hostname. */
  readonly host: string;
  /** 0 asks the OS for a free port. */
  readonly port: number;
}

/**
 * Where the store lives, in the store module's own type: `sqlite:` paths are absolute (relative
 * ones resolve against the configuration file's directory) or `:memory:`; a PostgreSQL connection
 * string is kept as written and may carry a password, so it is never logged.
 */
export type StoreConfig = StoreLocation;

export interface KeysConfig {
  /** Default ES256. */
  readonly algorithm: SigningAlgorithm;
  /** Default 24h; at least 1h. */
  readonly rotateEverySeconds: number;
  /** Absolute path; null means the master key comes from GATEHOUSE_MASTER_KEY. */
  readonly masterKeyFile: string | null;
}

export interface TokensConfig {
  /** Default 5m; hard cap 1h. */
  readonly accessTtlSeconds: number;
  /** Default 12h. */
  readonly refreshIdleSeconds: number;
  /** Default 7d; at least refreshIdleSeconds. */
  readonly refreshMaxSeconds: number;
  /** Clock skew tolerated on exp/nbf/iat. Default 30s; at most 5m. */
  readonly leewaySeconds: number;
}

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

interface ClientConfigBase {
  readonly id: string;
  readonly grants: readonly GrantType[];
  readonly scopes: readonly string[];
  /** The audiences (RFC 8707 resources) the client may ask tokens for. */
  readonly audiences: readonly string[];
  /** Exact strings, compared exactly; non-empty iff the client has the authorization_code grant. */
  readonly redirectUris: readonly string[];
  readonly roles: readonly string[];
}

export interface ConfidentialClientConfig extends ClientConfigBase {
  readonly public: false;
  /** At least 32 characters. Prints as [redacted]; `reveal()` gives the value. */
  readonly secret: SecretString;
}

/** A browser or native app: no secret, never client_credentials. */
export interface PublicClientConfig extends ClientConfigBase {
  readonly public: true;
}

export type ClientConfig = ConfidentialClientConfig | PublicClientConfig;

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface RouteConfig {
  readonly id: string;
  readonly match: RouteMatch;
  /** WHATWG-normalized http:, https:, ws: or wss: URL, without credentials, query or fragment. */
  readonly upstream: string;
  /** Access tokens for this route must carry this `aud`. */
  readonly audience: string;
  /** `browser`: unauthenticated page loads are sent to sign in. */
  readonly login: 'browser' | null;
  /** Any matching rule allows; none means the route denies everything. */
  readonly allow: readonly Condition[];
  /** A matching deny rule wins over every allow rule. */
  readonly deny: readonly Condition[];
  /** Extra request headers to remove before forwarding (lowercase), beyond the gateway's own list. */
  readonly stripHeaders: readonly string[];
  /**
   * Whether the upstream also receives the client's `Authorization: Bearer` header. Default false:
   * the gateway consumed the token; the upstream gets the identity headers and the assertion, and
   * cannot replay the user's token elsewhere (Envoy's jwt_authn `forward: false` by default too).
   */
  readonly forwardToken: boolean;
}

export interface RouteMatch {
  /** Lowercase hostname or IP literal, or `*.example.com` (exactly one more label); null matches any host. */
  readonly host: string | null;
  /** A path glob (see PathGlob); null matches any path. */
  readonly path: PathGlob | null;
  /** null matches any method. */
  readonly methods: readonly HttpMethod[] | null;
}

/**
 * A path pattern: starts with `/`; `*` is exactly one whole segment, `**` is any number of whole
 * segments (zero included) and appears at most once, which keeps matching linear.
 */
export type PathGlob = string;

/**
 * A policy condition, validated structurally. Every condition has an `id` for the audit log: the
 * one written in the file, or its place in the route (`allow[0]`, `deny[1].all[0]`).
 */
export type Condition =
  | AuthenticatedCondition
  | SubjectCondition
  | RolesCondition
  | ScopeCondition
  | ClaimCondition
  | MethodCondition
  | PathCondition
  | IpCondition
  | HeaderCondition
  | TimeCondition
  | AllCondition
  | AnyCondition
  | NotCondition;

interface ConditionBase {
  readonly id: string;
}

export interface AuthenticatedCondition extends ConditionBase {
  readonly kind: 'authenticated';
  readonly authenticated: boolean;
}

/** `sub` equals one of these. */
export interface SubjectCondition extends ConditionBase {
  readonly kind: 'sub';
  readonly subjects: readonly string[];
}

/** `role: x`, `role: [x, y]` and `roles: { any: [...] }` need any one role; `roles: { all: [...] }` needs every one. */
export interface RolesCondition extends ConditionBase {
  readonly kind: 'roles';
  readonly match: 'any' | 'all';
  readonly roles: readonly string[];
}

/** Every listed scope is required. */
export interface ScopeCondition extends ConditionBase {
  readonly kind: 'scope';
  readonly scopes: readonly string[];
}

export type ClaimValue = string | number | boolean;

export interface ClaimCondition extends ConditionBase {
  readonly kind: 'claim';
  /** Path into the claims: `realm_access.roles` becomes ['realm_access', 'roles']. */
  readonly claim: readonly string[];
  readonly test:
    | { readonly op: 'equals'; readonly value: ClaimValue }
    | { readonly op: 'in'; readonly values: readonly ClaimValue[] }
    | { readonly op: 'prefix'; readonly value: string };
}

export interface MethodCondition extends ConditionBase {
  readonly kind: 'method';
  readonly methods: readonly HttpMethod[];
}

/** The request path matches any of these globs. */
export interface PathCondition extends ConditionBase {
  readonly kind: 'path';
  readonly paths: readonly PathGlob[];
}

/** The client address is in any of these ranges. */
export interface IpCondition extends ConditionBase {
  readonly kind: 'ip';
  readonly ranges: readonly IpRange[];
}

/** Canonical form (RFC 5952 for IPv6); feeds `net.BlockList#addSubnet(address, prefixLength, family)`. */
export interface IpRange {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefixLength: number;
}

export interface HeaderCondition extends ConditionBase {
  readonly kind: 'header';
  /** Lowercase. */
  readonly name: string;
  readonly test:
    | { readonly op: 'equals'; readonly value: string }
    | { readonly op: 'prefix'; readonly value: string }
    | { readonly op: 'present' };
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Local time within [from, to) on the given days, in `timeZone`. When `to` is earlier than `from`
 * the window runs past midnight; the day is the day the window starts.
 */
export interface TimeCondition extends ConditionBase {
  readonly kind: 'time';
  /** All seven when the file names none. */
  readonly days: readonly Weekday[];
  /** Minutes after midnight, 0–1439. */
  readonly fromMinute: number;
  /** Minutes after midnight, 0–1440 (`24:00` is the end of the day). */
  readonly toMinute: number;
  /** IANA zone, as Intl resolves it. Default UTC. */
  readonly timeZone: string;
}

export interface AllCondition extends ConditionBase {
  readonly kind: 'all';
  readonly conditions: readonly Condition[];
}

export interface AnyCondition extends ConditionBase {
  readonly kind: 'any';
  readonly conditions: readonly Condition[];
}

export interface NotCondition extends ConditionBase {
  readonly kind: 'not';
  readonly condition: Condition;
}

export interface TrustedIssuerConfig {
  /** Exact `iss`, as written (never normalized: `iss` is compared exactly). */
  readonly issuer: string;
  readonly jwks: JwksSource;
  readonly audiences: readonly string[];
  /** Where this issuer keeps roles. Default ['roles']. */
  readonly rolesClaim: readonly string[];
  /** Asymmetric only. Default: every asymmetric algorithm the verify SDK supports. */
  readonly algorithms: readonly Algorithm[];
  /** Expected header `typ`. Default `at+jwt`; null (written `typ: false`) skips the check. */
  readonly typ: string | null;
}

export type JwksSource =
  | { readonly kind: 'remote'; readonly url: string }
  /** Absolute path of a JWK Set file. */
  | { readonly kind: 'file'; readonly path: string };

/**
 * `anomaly:` — the gateway's detection of refused tokens (anomaly/anomaly-detector.ts). Each
 * dimension trips when its failures within its window reach `failures`; `ip` and `subject` trips
 * block (429), a `kid` trip only alerts. Defaults are the detector's.
 */
/** `cluster`: several replicas on one PostgreSQL store (docs/reference/scale-out.md). */
export interface ClusterConfig {
  /**
   * How long the gateway keeps allowing requests on revocation lists it could not bring up to date
   * from the store; past it, requests it would allow get 503 until a sync succeeds. Default 60s; at
   * least 20s (twice the issuer's 10 s resync).
   */
  readonly failClosedAfterSeconds: number;
}

export interface AnomalyConfig {
  /** Refused tokens from one client address (an IPv6 address counts per /64). Default 50 a minute. */
  readonly ip: AnomalyLimitConfig;
  /** Verified-but-refused tokens of one subject. Default 20 a minute. */
  readonly subject: AnomalyLimitConfig;
  /** Verified-but-refused tokens under one signing key: an alert, never a block. Default 200 a minute. */
  readonly kid: AnomalyLimitConfig;
  readonly cooldown: AnomalyCooldownConfig;
  /** null: no webhook. */
  readonly webhook: AnomalyWebhookConfig | null;
}

export interface AnomalyLimitConfig {
  /** A whole number, at least 1: the failure that reaches it trips. */
  readonly failures: number;
  /** At least 1s. */
  readonly windowSeconds: number;
}

/** How long a block lasts: `baseSeconds`, doubling with each repeat offence up to `maxSeconds`. */
export interface AnomalyCooldownConfig {
  /** Default 1m. */
  readonly baseSeconds: number;
  /** Default 15m; at least baseSeconds. */
  readonly maxSeconds: number;
  /** An offender quiet this long after its last block ends starts again at the base. Default 1h; may be 0. */
  readonly forgetAfterSeconds: number;
}

export interface AnomalyWebhookConfig {
  /** https (http only for loopback). Its path is often the receiver's secret: logs and config errors show the origin only. */
  readonly url: string;
  /** A post not answered within this is aborted. Default 3s. */
  readonly timeoutSeconds: number;
}
