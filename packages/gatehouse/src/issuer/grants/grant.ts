import type { FastifyBaseLogger } from 'fastify';
import type { MintedAccessToken } from '../../tokens/mint-access-token.ts';
import type { RegisteredClient } from '../clients/client-registry.ts';
import type { FormParameters } from '../form-parameters.ts';
import type { IssuerServices } from '../issuer-services.ts';
import type { IdTokenMinter } from '../tokens/mint-id-token.ts';

/** What a grant gets: an authenticated client allowed this grant, and the request's parameters. */
export interface GrantRequest {
  readonly services: IssuerServices;
  readonly mintIdToken: IdTokenMinter;
  readonly client: RegisteredClient;
  readonly form: FormParameters;
  /** The socket's address (proxies are not trusted), for security events. */
  readonly ip: string;
  readonly log: FastifyBaseLogger;
}

/** RFC 6749 §5.1, plus OIDC Core §3.1.3.3's id_token. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  /** Always sent when the token has scopes, even when unchanged from the request: one less guess for clients. */
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

/** One grant type (RFC 6749 §4): validates its own parameters and throws OAuthError with the §5.2 code. */
export type Grant = (request: GrantRequest) => Promise<TokenResponse>;

/** The §5.1 fields every grant returns; `expires_in` counts from now, as the client receives it. */
export function accessTokenResponse(access: MintedAccessToken, scopes: readonly string[], nowMs: number): TokenResponse {
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: Math.max(access.exp - Math.floor(nowMs / 1000), 0),
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
  };
}
