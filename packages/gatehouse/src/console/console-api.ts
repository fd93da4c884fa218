import type { FastifyError, FastifyInstance } from 'fastify';
import { ServerError } from '../errors.ts';
import { rememberCaller } from './api/caller.ts';
import { registerClientEndpoints } from './api/clients-endpoints.ts';
import { registerDecisionEndpoints } from './api/decisions-endpoint.ts';
import { registerExplainEndpoint } from './api/explain-endpoint.ts';
import { registerKeyEndpoints } from './api/keys-endpoints.ts';
import { registerOverviewEndpoint } from './api/overview-endpoint.ts';
import { registerPolicyEndpoint } from './api/policy-endpoint.ts';
import { registerRouteEndpoints } from './api/routes-endpoint.ts';
import { registerSessionEndpoint } from './api/session-endpoint.ts';
import { registerSessionsEndpoints } from './api/sessions-endpoints.ts';
import { registerUserEndpoints } from './api/users-endpoints.ts';
import { csrfRefusal, identifyCaller } from './console-auth.ts';
import { clearConsoleCookie } from './console-cookies.ts';
import { CONSOLE_SERVER_ERROR_STATUS, ConsoleApiError, publicServerErrorMessage, sendConsoleError, type ConsoleServerErrorCode } from './console-errors.ts';
import { CONSOLE_PATHS } from './console-paths.ts';
import type { ConsoleServices } from './console-services.ts';

/** Bodies are small JSON documents; a pasted token is at most a few KiB. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The JSON admin API under /console/api (docs/reference/console.md), in its own fastify scope:
 * 1. onRequest, before any body is read: the caller is identified (session cookie or bearer
 *    token, the admin role) and a POST with cookie credentials must pass the CSRF checks;
 * 2. bodies: application/json only, at most 64 KiB;
 * 3. every answer is JSON and never cached; every refusal `{ error, message }` (console-errors.ts).
 * The control app logs no requests, so no body — a pasted token above all — reaches a log.
 */
export function registerConsoleApi(app: FastifyInstance, services: ConsoleServices): void {
  void app.register(
    async (api) => {
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_request, body, done) => {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        if (text.trim() === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(new ConsoleApiError('invalid_request', 'the body is not valid JSON'), undefined);
        }
      });

      api.addHook('onRequest', async (request, reply) => {
        const identified = await identifyCaller(services, request.raw);
        if (!identified.ok) {
          if (identified.clearSession) reply.header('set-cookie', clearConsoleCookie('session'));
          if (identified.challenge !== undefined) reply.header('www-authenticate', identified.challenge);
          return sendConsoleError(reply, identified.code, identified.message);
        }
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          const refused = csrfRefusal(request.raw, identified.caller);
          if (refused !== undefined) return sendConsoleError(reply, refused.code, refused.message);
        }
        rememberCaller(request, identified.caller);
        return undefined;
      });
      api.addHook('onSend', async (_request, reply, payload) => {
        reply.header('cache-control', 'no-store');
        return payload;
      });

      api.setNotFoundHandler((request, reply) => sendConsoleError(reply, 'not_found', `no endpoint ${request.method} ${request.url.split('?')[0]}`));
      api.setErrorHandler((error: FastifyError | Error, request, reply) => {
        if (error instanceof ConsoleApiError) return sendConsoleError(reply, error.code, error.message);
        if (error instanceof ServerError && Object.hasOwn(CONSOLE_SERVER_ERROR_STATUS, error.code)) {
          const code = error.code as ConsoleServerErrorCode;
          return sendConsoleError(reply, code, publicServerErrorMessage(code, error.message));
        }
        const status = (error as FastifyError).statusCode;
        if (status === 413) return sendConsoleError(reply, 'invalid_request', `the body is larger than ${BODY_LIMIT_BYTES / 1024} KiB`);
        if (status === 415) return sendConsoleError(reply, 'invalid_request', 'send the body as application/json');
        if (status !== undefined && status >= 400 && status < 500) return sendConsoleError(reply, 'invalid_request', 'the request is malformed');
        // The error only: never the request, whose body may hold a pasted token or a password.
        services.logger?.error({ err: error, method: request.method, path: request.url.split('?')[0] }, 'console API request failed');
        return sendConsoleError(reply, 'server_error', 'the request failed on the server');
      });

      registerSessionEndpoint(api, services);
      registerOverviewEndpoint(api, services);
      registerDecisionEndpoints(api, services);
      registerRouteEndpoints(api, services);
      registerExplainEndpoint(api, services);
      registerPolicyEndpoint(api, services);
      registerSessionsEndpoints(api, services);
      registerKeyEndpoints(api, services);
      registerUserEndpoints(api, services);
      registerClientEndpoints(api, services);
    },
    { prefix: CONSOLE_PATHS.api },
  );
}
