/**
 * A "billing" service on fastify behind the Gatehouse gateway. It trusts no network position:
 * every request must carry the gateway's signed assertion (X-Gatehouse-Assertion), and the
 * identity in it is what the routes see. To answer, it calls the orders service with a token of
 * its own, from the client-credentials grant.
 *
 *   GATEHOUSE_ISSUER=https://auth.example.com AUDIENCE=billing \
 *   CLIENT_ID=billing-svc CLIENT_SECRET=… ORDERS_URL=http://127.0.0.1:9001 PORT=9002 \
 *     node --conditions=gatehouse-source --import tsx examples/service-behind-gateway-fastify.ts
 */
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createAssertionVerifier, createClientCredentialsSource, createRemoteKeySource, type AssertionClaims } from '@gatehouse/verify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The identity the gateway proved for this request (set in onRequest, before any route runs). */
    gatehouseIdentity: AssertionClaims;
  }
}

export interface BillingServiceOptions {
  /** The Gatehouse issuer URL: the exact `iss` of its assertions and tokens. */
  readonly issuer: string;
  /** The `audience` of the gateway routes in front of this service. */
  readonly audience: string;
  /** This service's own client (client_credentials grant) and where to use it. */
  readonly clientId: string;
  readonly clientSecret: string;
  readonly ordersUrl: string;
  /** The orders service's audience. Default `orders`. */
  readonly ordersAudience?: string;
  /** Default `<issuer>/.well-known/jwks.json`. */
  readonly jwksUrl?: string;
  /** Default `<issuer>/oauth2/token`. */
  readonly tokenEndpoint?: string;
  readonly logger?: FastifyServerOptions['logger'];
}

export function createBillingService(options: BillingServiceOptions): FastifyInstance {
  const keys = createRemoteKeySource(options.jwksUrl ?? `${options.issuer}/.well-known/jwks.json`);
  const gateway = createAssertionVerifier({ issuer: options.issuer, keys, audience: options.audience });
  const ordersToken = createClientCredentialsSource({
    tokenEndpoint: options.tokenEndpoint ?? `${options.issuer}/oauth2/token`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    resource: options.ordersAudience ?? 'orders',
    scope: 'orders:read',
  });

  const app = Fastify({ logger: options.logger ?? true });
  app.decorateRequest('gatehouseIdentity', null as unknown as AssertionClaims);
  app.addHook('onRequest', async (request, reply) => {
    const result = await gateway.gatewayIdentity(request.raw);
    if (!result.ok) {
      request.log.warn({ reason: result.reason, detail: result.detail }, 'gateway assertion refused');
      return reply.code(401).header('cache-control', 'no-store').send({ error: 'unauthorized' });
    }
    request.gatehouseIdentity = result.claims;
  });
  // Internals (a token endpoint's refusal, an upstream's status) go to the log, never to the caller.
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, 'request failed');
    return reply.code(502).send({ error: 'bad_gateway' });
  });
  app.addHook('onClose', async () => {
    await Promise.all([ordersToken.close(), keys.close()]);
  });

  async function fetchOrders(): Promise<{ caller: unknown; orders: { id: string; total: number }[] }> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(new URL('/orders', options.ordersUrl), {
        headers: { authorization: await ordersToken.authorization() },
        signal: AbortSignal.timeout(5_000),
      });
      // A 401 may mean our token was revoked: drop it and try once more with a new one.
      if (response.status === 401 && attempt === 1) {
        ordersToken.invalidate();
        continue;
      }
      if (response.status !== 200) throw new Error(`orders service answered ${response.status}`);
      return (await response.json()) as { caller: unknown; orders: { id: string; total: number }[] };
    }
  }

  app.get('/invoices', async (request) => {
    const { sub, roles, gh_route } = request.gatehouseIdentity;
    const { caller, orders } = await fetchOrders();
    return {
      for: { sub, roles: roles ?? [], route: gh_route },
      ordersFetchedAs: caller,
      invoices: orders.map((order) => ({ order: order.id, amount: order.total })),
    };
  });
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const need = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`set ${name}`);
    return value;
  };
  const app = createBillingService({
    issuer: need('GATEHOUSE_ISSUER'),
    audience: process.env.AUDIENCE ?? 'billing',
    clientId: need('CLIENT_ID'),
    clientSecret: need('CLIENT_SECRET'),
    ordersUrl: need('ORDERS_URL'),
  });
  await app.listen({ port: Number(process.env.PORT ?? 9002), host: process.env.HOST ?? '127.0.0.1' });
}
