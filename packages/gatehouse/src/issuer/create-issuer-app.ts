import formBody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { isStoreUnavailable } from '../store/index.ts';
import { registerAuthorize } from './endpoints/authorize.ts';
import { registerDiscovery } from './endpoints/discovery.ts';
import { registerEndSession } from './endpoints/end-session.ts';
import { registerIntrospection } from './endpoints/introspection.ts';
import { registerJwks } from './endpoints/jwks.ts';
import { registerRevocation } from './endpoints/revocation.ts';
import { registerSignIn } from './endpoints/sign-in.ts';
import { registerToken } from './endpoints/token.ts';
import { registerUserinfo } from './endpoints/userinfo.ts';
import { ISSUER_PATHS } from './issuer-endpoints.ts';
import type { IssuerServices } from './issuer-services.ts';
import { OAuthError, STORE_RETRY_AFTER_SECONDS, temporarilyUnavailable } from './oauth-error.ts';
import { sendErrorPage } from './sign-in/html-page.ts';

export interface IssuerAppOptions {
  readonly logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
}

/** The endpoints a browser shows: their errors are HTML pages, not JSON. */
const PAGE_ENDPOINTS = ['authorize', 'signIn', 'endSession'] as const;

/**
 * The issuer as a fastify app: the route table is the list of `register*` calls below. Errors are
 * answered in RFC 6749 §5.2 form, generic on the wire; the cause goes to the log. A store that
 * cannot be reached is 503 temporarily_unavailable with Retry-After (an error page with 503 on
 * the browser's endpoints), not 500: the request may simply be tried again (docs/reference/faults.md).
 */
export function createIssuerApp(services: IssuerServices, options: IssuerAppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(options.logger !== undefined && typeof (options.logger as { info?: unknown }).info === 'function'
      ? { loggerInstance: options.logger as FastifyServerOptions['loggerInstance'] }
      : { logger: (options.logger as FastifyServerOptions['logger']) ?? false }),
    bodyLimit: 64 * 1024,
    // Proxies are not trusted by default: the client IP used for throttling is the socket's.
    trustProxy: false,
    return503OnClosing: true,
  });
  app.register(formBody);

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  const pagePaths = new Set<string>(PAGE_ENDPOINTS.map((endpoint) => `${services.urls.basePath}${ISSUER_PATHS[endpoint]}`));
  app.setErrorHandler((thrown: FastifyError | OAuthError, request, reply) => {
    let error = thrown;
    if (isStoreUnavailable(error)) {
      request.log.error({ err: error }, 'issuer request failed: the store is unavailable');
      if (pagePaths.has(request.routeOptions.url ?? '')) return sendErrorPage(reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS)), 503, 'temporarily_unavailable');
      error = temporarilyUnavailable();
    }
    if (error instanceof OAuthError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return reply.code(error.status).header('cache-control', 'no-store').send(error.toJSON());
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Malformed bodies, wrong content types, oversize requests: the client's fault, said generically.
      return reply.code(400).header('cache-control', 'no-store').send({ error: 'invalid_request', error_description: 'the request could not be read' });
    }
    request.log.error({ err: error }, 'issuer request failed');
    return reply.code(500).header('cache-control', 'no-store').send({ error: 'server_error', error_description: 'the server could not complete the request' });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found' }));

  registerDiscovery(app, services);
  registerJwks(app, services);
  registerAuthorize(app, services);
  registerSignIn(app, services);
  registerEndSession(app, services);
  registerToken(app, services);
  registerUserinfo(app, services);
  registerRevocation(app, services);
  registerIntrospection(app, services);
  return app;
}
