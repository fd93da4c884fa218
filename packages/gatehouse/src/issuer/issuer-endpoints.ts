/**
 * The issuer's endpoint paths (one route table), relative to the issuer URL's path, and their
 * absolute URLs as discovery publishes them.
 */
export const ISSUER_PATHS = {
  openidConfiguration: '/.well-known/openid-configuration',
  jwks: '/.well-known/jwks.json',
  authorize: '/oauth2/authorize',
  signIn: '/signin',
  token: '/oauth2/token',
  userinfo: '/oauth2/userinfo',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
  endSession: '/oauth2/logout',
} as const;

export type IssuerEndpoint = keyof typeof ISSUER_PATHS;
export type IssuerUrls = { readonly [K in IssuerEndpoint]: string } & {
  /** RFC 8414 §3: the metadata URL inserts the well-known segment before the issuer's path. */
  readonly authorizationServerMetadata: string;
  /** The path every issuer route is mounted under ('' for an issuer without a path). */
  readonly basePath: string;
};

export function issuerUrls(issuer: string): IssuerUrls {
  const url = new URL(issuer);
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const absolute = (path: string) => `${url.origin}${basePath}${path}`;
  const urls = Object.fromEntries(Object.entries(ISSUER_PATHS).map(([name, path]) => [name, absolute(path)])) as { [K in IssuerEndpoint]: string };
  return Object.freeze({ ...urls, authorizationServerMetadata: `${url.origin}/.well-known/oauth-authorization-server${basePath}`, basePath });
}
