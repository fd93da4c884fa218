import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuerServices } from '../issuer-services.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';
import { startSession } from '../session/issuer-session.ts';
import { issueAuthorizationCode } from '../sign-in/authorization-code.ts';
import { clientStillAllows, type AuthorizationRequest } from '../sign-in/authorization-request.ts';
import { authorizationResponseUrl, redirectToClient } from '../sign-in/authorization-response.ts';
import { checkCredentials } from '../sign-in/check-credentials.ts';
import { csrfTokenMatches, issueCsrfToken } from '../sign-in/csrf.ts';
import { formActionSourceFor, sendErrorPage, sendPage } from '../sign-in/html-page.ts';
import { storeLoginFailureLog } from '../sign-in/login-failure-log.ts';
import type { PageErrorCode } from '../sign-in/page-errors.ts';
import { requestParameters, singleParameter } from '../sign-in/request-parameters.ts';
import { renderSignInPage } from '../sign-in/sign-in-page.ts';
import { openTransaction } from '../sign-in/sign-in-transaction.ts';
import { DEFAULT_SIGN_IN_THROTTLE, SignInThrottle, type SignInThrottleOptions } from '../sign-in/throttle.ts';
import { dummyPasswordHash } from '../users/password-hash.ts';

export interface SignInOptions {
  readonly throttle?: SignInThrottleOptions;
  /** For tests that watch the argon2 verification. Default: users/password-hash.ts. */
  readonly verifyPassword?: (storedHash: string | undefined, password: string) => Promise<boolean>;
}

/**
 * The sign-in page (DESIGN.md "Sign-in"): GET /signin?tx=… shows the form for an authorization
 * request that /oauth2/authorize validated; POST /signin checks the CSRF token, the throttle, then
 * the password, and on success starts the issuer session and redirects to the client with a code.
 * A wrong password, an unknown user and a disabled account get the same page, status and headers,
 * after the same work (one argon2 verification each).
 */
export function registerSignIn(app: FastifyInstance, services: IssuerServices, options: SignInOptions = {}): void {
  const path = `${services.urls.basePath}${ISSUER_PATHS.signIn}`;
  const throttle = new SignInThrottle(storeLoginFailureLog(services.store), services.recordSecurityEvent, options.throttle ?? DEFAULT_SIGN_IN_THROTTLE);
  const signIn = new SignInFlow(services, path, throttle, options.verifyPassword);
  // The dummy hash is made on first use; made now, the first unknown user costs no more than the rest.
  void dummyPasswordHash().catch(() => {});
  app.get(path, (request, reply) => signIn.show(request, reply));
  app.post(path, (request, reply) => signIn.submit(request, reply));
}

class SignInFlow {
  readonly #services: IssuerServices;
  readonly #path: string;
  readonly #throttle: SignInThrottle;
  readonly #verifyPassword: SignInOptions['verifyPassword'];

  constructor(services: IssuerServices, path: string, throttle: SignInThrottle, verifyPassword: SignInOptions['verifyPassword']) {
    this.#services = services;
    this.#path = path;
    this.#throttle = throttle;
    this.#verifyPassword = verifyPassword;
  }

  async show(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const pending = await this.#pendingAuthorization(singleParameter(requestParameters(request), 'tx'));
    if ('error' in pending) return sendErrorPage(reply, 400, pending.error);
    return this.#form(request, reply, 200, pending);
  }

  async submit(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const params = requestParameters(request);
    const pending = await this.#pendingAuthorization(singleParameter(params, 'tx'));
    if ('error' in pending) return sendErrorPage(reply, 400, pending.error);
    if (!csrfTokenMatches(this.#services, request, 'signin', pending.transaction, singleParameter(params, 'csrf'))) {
      request.log.info('sign-in refused: CSRF token does not match');
      return this.#form(request, reply, 400, pending, 'csrf_failed');
    }
    const username = singleParameter(params, 'username');
    const password = singleParameter(params, 'password');
    if (username === null || password === null) return this.#form(request, reply, 400, pending, 'invalid_credentials');

    const attempt = { username, ip: request.ip };
    const outcome = await this.#throttle.exclusive(attempt, async () => {
      const decision = await this.#throttle.check(attempt, this.#services.clock());
      if (!decision.allowed) return decision;
      const result = await checkCredentials(this.#services.store.users, username, password, this.#verifyPassword);
      if (result.ok) await this.#throttle.recordSuccess(attempt);
      else await this.#throttle.recordFailure(attempt, this.#services.clock());
      return result;
    });
    if ('allowed' in outcome) {
      request.log.info({ ip: request.ip, retryAfterSeconds: outcome.retryAfterSeconds }, 'sign-in throttled');
      return this.#form(request, reply, 429, pending, 'signin_throttled', { 'retry-after': String(outcome.retryAfterSeconds) });
    }
    if (!outcome.ok) {
      // Logged, not a security event: one per failure would drown the events that matter
      // (signin.throttled). The typed name is not logged: people type passwords into it.
      request.log.info({ event: 'signin.failed', reason: outcome.reason, ip: request.ip }, 'sign-in failed');
      return this.#form(request, reply, 400, pending, 'invalid_credentials');
    }
    const { user } = outcome;
    const authorization = pending.request;
    const authTime = this.#services.clock();
    startSession(this.#services, reply, user.id, authTime);
    const code = await issueAuthorizationCode(this.#services, authorization, user.id, authTime);
    request.log.info({ event: 'signin.succeeded', sub: user.id, clientId: authorization.clientId, ip: request.ip }, 'signed in');
    return redirectToClient(reply, authorizationResponseUrl(this.#services, authorization.redirectUri, authorization.state, { code }));
  }

  /** The authorization request in the transaction, if it opens and its client still allows it. */
  async #pendingAuthorization(transaction: string | null): Promise<PendingAuthorization | { error: PageErrorCode }> {
    if (transaction === null) return { error: 'transaction_invalid' };
    const opened = openTransaction(this.#services, transaction);
    if (!opened.ok) return { error: opened.error };
    const client = await this.#services.clients.find(opened.request.clientId);
    return clientStillAllows(client, opened.request) ? { transaction, request: opened.request } : { error: 'invalid_client' };
  }

  #form(request: FastifyRequest, reply: FastifyReply, status: number, pending: PendingAuthorization, error?: PageErrorCode, headers?: Record<string, string>): FastifyReply {
    const html = renderSignInPage({
      action: this.#path,
      transaction: pending.transaction,
      csrfToken: issueCsrfToken(this.#services, request, reply, 'signin', pending.transaction),
      clientId: pending.request.clientId,
      usernameHint: pending.request.loginHint,
      ...(error === undefined ? {} : { error }),
    });
    return sendPage(reply, status, html, { formActionSources: [formActionSourceFor(pending.request.redirectUri)], ...(headers === undefined ? {} : { headers }) });
  }
}

/** A sign-in in progress: the transaction as posted, and what it opened to. */
interface PendingAuthorization {
  readonly transaction: string;
  readonly request: AuthorizationRequest;
}
