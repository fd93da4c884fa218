/**
 * An "orders" service on plain node:http that accepts Gatehouse access tokens for its audience,
 * verified locally: the issuer's JWKS is fetched once and cached, nothing calls home per request.
 *
 *   GATEHOUSE_ISSUER=https://auth.example.com AUDIENCE=orders PORT=9001 \
 *     node --conditions=gatehouse-source --import tsx examples/service-plain-node.ts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createRemoteKeySource, createVerifier } from '@gatehouse/verify';

export interface OrdersServiceOptions {
  /** The Gatehouse issuer URL: the exact `iss` of its tokens. */
  readonly issuer: string;
  /** This service's audience: tokens must carry it in `aud`. */
  readonly audience: string;
  /** Default `<issuer>/.well-known/jwks.json`. */
  readonly jwksUrl?: string;
  /** Receives one entry per refused request. Default: a JSON line on stderr. */
  readonly log?: (entry: Record<string, unknown>) => void;
}

export function createOrdersService(options: OrdersServiceOptions): Server {
  const keys = createRemoteKeySource(options.jwksUrl ?? `${options.issuer}/.well-known/jwks.json`);
  const verifier = createVerifier({ issuers: { issuer: options.issuer, keys }, audience: options.audience });
  const log = options.log ?? ((entry) => console.error(JSON.stringify(entry)));
  const realm = `realm="${options.audience}"`;

  const server = createServer(async (request, response) => {
    const token = bearerToken(request);
    const result = await verifier.verify(token); // never throws for a bad token
    if (!result.ok) {
      log({ event: 'request.refused', reason: result.reason, detail: result.detail, method: request.method, path: request.url });
      // RFC 6750 §3.1: no error code when no credentials came at all, and never the reason: that is for the log.
      const presented = request.headers.authorization !== undefined;
      return challenge(response, 401, presented ? `Bearer ${realm}, error="invalid_token"` : `Bearer ${realm}`);
    }
    const { claims } = result;
    if (!(claims.scope ?? '').split(' ').includes('orders:read')) {
      return challenge(response, 403, `Bearer ${realm}, error="insufficient_scope", scope="orders:read"`);
    }
    if (request.method !== 'GET' || request.url !== '/orders') return send(response, 404, { error: 'not_found' });
    return send(response, 200, {
      caller: { sub: claims.sub, client_id: claims.client_id },
      orders: [{ id: 'o-1001', total: 42.5 }, { id: 'o-1002', total: 17 }],
    });
  });
  server.on('close', () => void keys.close());
  return server;
}

/** The token of an `Authorization: Bearer …` header; undefined when there is none (refused as token_missing). */
function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function challenge(response: ServerResponse, status: 401 | 403, wwwAuthenticate: string): void {
  response.writeHead(status, { 'www-authenticate': wwwAuthenticate, 'cache-control': 'no-store' }).end();
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const issuer = process.env.GATEHOUSE_ISSUER;
  if (issuer === undefined) throw new Error('set GATEHOUSE_ISSUER to the Gatehouse issuer URL');
  const server = createOrdersService({ issuer, audience: process.env.AUDIENCE ?? 'orders', jwksUrl: process.env.GATEHOUSE_JWKS_URL });
  server.listen(Number(process.env.PORT ?? 9001), process.env.HOST ?? '127.0.0.1', () => {
    console.error(`orders service listening on ${JSON.stringify(server.address())}`);
  });
}
