/**
 * What policy sees of a request: plain data, assembled by the gateway (or by `gatehouse policy
 * test`) after authentication. Policy never does I/O and never reads a clock of its own.
 */

export interface PolicyIdentity {
  /** False when the request carries no credential; an invalid credential is refused before policy. */
  readonly authenticated: boolean;
  readonly sub?: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** The verified token's claims. Read by own properties only. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface PolicyRequest {
  readonly identity: PolicyIdentity;
  /** As sent; methods are case-sensitive. */
  readonly method: string;
  /** Normalized, as the route table returns it (see gateway/routing/request-target.ts). */
  readonly path: string;
  /** The client address as the data plane determined it (RequestContext.clientIp): the socket's peer unless a trusted proxy is configured. */
  readonly ip: string;
  /** Lowercase names, as node:http gives them (repeated fields joined with ", ", set-cookie an array). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** The identity of a request without a credential. */
export const ANONYMOUS: PolicyIdentity = Object.freeze({
  authenticated: false,
  roles: Object.freeze([]),
  scopes: Object.freeze([]),
  claims: Object.freeze({}),
});
