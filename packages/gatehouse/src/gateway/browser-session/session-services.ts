import type { IncomingMessage } from 'node:http';
import type { IssuerServices } from '../../issuer/issuer-services.ts';
import type { RequestContext } from '../forward/index.ts';
import type { IssuerGrants } from './issuer-grants.ts';
import type { Renew } from './shared-renewals.ts';
import type { CookieSealer } from './sealed-cookie.ts';

/** What the browser-session endpoints use, built once per gateway. */
export interface SessionServices {
  /** The issuer in this process: its endpoint URLs, store, revocation, token lifetimes. */
  readonly issuer: IssuerServices;
  readonly grants: IssuerGrants;
  /** The refresh grant, shared by concurrent renewals of one refresh token (shared-renewals.ts). */
  readonly renew: Renew;
  /** Seals the login cookie. */
  readonly loginCookies: CookieSealer;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/** A request to one of the gateway's own paths on a login host. */
export interface LoginHostRequest {
  readonly request: IncomingMessage;
  readonly context: RequestContext;
  /** The login host, as route hosts are written (no port). */
  readonly host: string;
  /** The audience of the host's login routes. */
  readonly audience: string;
  /** The query as received, with its `?`, or ''. */
  readonly search: string;
}
