/**
 * Where the gateway finds credentials, and how the chain turns what it finds into an answer:
 * RFC 6750 §2.1 Authorization parsing, the session cookie, the chain's order and its refusal to
 * make anything anonymous that carried a credential, and the RFC 6750 §3 challenges. The token
 * verifier is a stand-in that records what it was asked to verify (authn-verification.test.ts
 * runs real keys).
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import type { VerifySuccess } from '@gatehouse/verify';
import type { RouteConfig } from '../../src/config/index.ts';
import {
  ACCESS_TOKEN_COOKIE,
  ANONYMOUS_RESULT,
  authenticate,
  bearerChallenge,
  BEARER_AUTHENTICATOR_ID,
  createBearerAuthenticator,
  createGatewayAuthnChain,
  createSessionCookieAuthenticator,
  NOT_RESPONSIBLE,
  SESSION_COOKIE_AUTHENTICATOR_ID,
  type Authenticator,
  type AuthnOutcome,
  type AuthnRequest,
  type AuthnResult,
  type RouteTokenVerifier,
} from '../../src/gateway/authn/index.ts';
import { ANONYMOUS } from '../../src/policy/policy-request.ts';

const ROUTE: RouteConfig = {
  id: 'orders',
  match: { host: null, path: null, methods: null },
  upstream: 'http://127.0.0.1:9',
  audience: 'orders',
  login: null,
  allow: [],
  deny: [],
  stripHeaders: [],
  forwardToken: false,
};

/** Accepts every token whose text starts with "good", refuses the rest as bad_signature; records each call. */
function stubVerifier(): RouteTokenVerifier & { readonly calls: { token: string; authenticator: string }[] } {
  const calls: { token: string; authenticator: string }[] = [];
  return {
    calls,
    verifyForRoute(token, _route, authenticator): AuthnOutcome {
      calls.push({ token, authenticator });
      if (!token.startsWith('good')) return { kind: 'refused', authenticator, reason: 'bad_signature', detail: 'stub', signatureVerified: false };
      const identity = Object.freeze({ authenticated: true, sub: token, roles: [], scopes: [], claims: {} });
      return { kind: 'authenticated', authenticator, identity, verified: { ok: true } as unknown as VerifySuccess, notes: [] };
    },
    ready: async () => {},
    close: async () => {},
  };
}

const request = (headers: IncomingHttpHeaders, rawHeaders?: string[]): AuthnRequest => (rawHeaders === undefined ? { headers } : { headers, rawHeaders });

describe('bearer authenticator: the Authorization header (RFC 6750 §2.1)', () => {
  const bearerOf = (authorization: unknown) => {
    const tokens = stubVerifier();
    const outcome = createBearerAuthenticator(tokens).authenticate(request({ authorization } as IncomingHttpHeaders), ROUTE) as AuthnOutcome;
    return { outcome, tokens };
  };

  it('no Authorization field: not responsible', () => {
    const tokens = stubVerifier();
    assert.equal(createBearerAuthenticator(tokens).authenticate(request({ host: 'x' }), ROUTE), NOT_RESPONSIBLE);
    assert.equal(tokens.calls.length, 0);
  });

  for (const header of ['Bearer good.token.sig', 'bearer good.token.sig', 'BEARER good.token.sig', 'bEaReR good.token.sig', 'Bearer   good.token.sig']) {
    it(`${JSON.stringify(header)}: the token is verified for the route, exactly as sent`, () => {
      const { outcome, tokens } = bearerOf(header);
      assert.equal(outcome.kind, 'authenticated');
      assert.deepEqual(tokens.calls, [{ token: 'good.token.sig', authenticator: BEARER_AUTHENTICATOR_ID }]);
    });
  }

  it('token68 allows - . _ ~ + / and trailing "=": handed to the verifier (which judges JWS syntax)', () => {
    const { tokens } = bearerOf('Bearer good-._~+/AZaz09==');
    assert.deepEqual(tokens.calls.map((call) => call.token), ['good-._~+/AZaz09==']);
  });

  const malformed: Record<string, string> = {
    'the scheme without a token': 'Bearer',
    'the scheme and a space': 'Bearer ',
    'two tokens': 'Bearer good.a.b good.c.d',
    'a token and a parameter': 'Bearer good.a.b, realm="x"',
    'a tab instead of a space': 'Bearer\tgood.a.b',
    '"=" inside the token': 'Bearer good=a.b',
    'a character outside token68': 'Bearer good.a.b!',
    'a quoted token': 'Bearer "good.a.b"',
    'an empty field': '',
    'no auth-scheme (leading space)': ' Bearer good.a.b',
    'only spaces': '   ',
  };
  for (const [what, header] of Object.entries(malformed)) {
    it(`${what}: refused as malformed_token, nothing verified`, () => {
      const { outcome, tokens } = bearerOf(header);
      assert.equal(outcome.kind, 'refused');
      assert.equal(outcome.kind === 'refused' && outcome.reason, 'malformed_token');
      assert.equal(outcome.kind === 'refused' && outcome.authenticator, BEARER_AUTHENTICATOR_ID);
      assert.equal(tokens.calls.length, 0);
    });
  }

  it('an Authorization value that is not one string (several fields joined by a caller): malformed_token', () => {
    const { outcome, tokens } = bearerOf(['Bearer good.a.b', 'Bearer good.c.d']);
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'malformed_token');
    assert.equal(tokens.calls.length, 0);
  });

  it('several Authorization fields in rawHeaders (node:http keeps only the first in headers): malformed_token', () => {
    const tokens = stubVerifier();
    const outcome = createBearerAuthenticator(tokens).authenticate(
      request({ authorization: 'Bearer good.a.b' }, ['Host', 'x', 'Authorization', 'Bearer good.a.b', 'AUTHORIZATION', 'Bearer good.c.d']),
      ROUTE,
    ) as AuthnOutcome;
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'malformed_token');
    assert.equal(tokens.calls.length, 0);
  });

  it('one Authorization field in rawHeaders: verified', () => {
    const tokens = stubVerifier();
    const outcome = createBearerAuthenticator(tokens).authenticate(request({ authorization: 'Bearer good.a.b' }, ['authorization', 'Bearer good.a.b', 'Cookie', 'a=1']), ROUTE) as AuthnOutcome;
    assert.equal(outcome.kind, 'authenticated');
  });

  for (const header of ['Basic dXNlcjpwYXNzd29yZA==', 'Digest username="u", realm="r"', 'Negotiate YIIG', 'DPoP good.a.b', 'Bearerx good.a.b', 'Basic']) {
    it(`another scheme (${JSON.stringify(header)}): not responsible, so the chain goes on`, () => {
      const { outcome, tokens } = bearerOf(header);
      assert.equal(outcome, NOT_RESPONSIBLE);
      assert.equal(tokens.calls.length, 0);
    });
  }
});

describe('bearer authenticator on a real node:http request', () => {
  /** Sends raw request bytes and returns what authenticate() made of the IncomingMessage. */
  async function authenticateRaw(head: string): Promise<{ result: AuthnResult; tokens: ReturnType<typeof stubVerifier>; seen: IncomingMessage }> {
    const tokens = stubVerifier();
    const chain = createGatewayAuthnChain(tokens);
    let seen: IncomingMessage | undefined;
    let result: AuthnResult | undefined;
    const server = createServer(async (incoming, response) => {
      seen = incoming;
      result = await authenticate(chain, incoming, ROUTE);
      response.end('done');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.end(head));
        socket.on('error', reject);
        socket.on('close', () => resolve());
        socket.resume();
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    return { result: result!, tokens, seen: seen! };
  }

  it('two Authorization fields: node:http drops the second from headers, the authenticator still refuses', async () => {
    const { result, tokens, seen } = await authenticateRaw('GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good.a.b\r\nAuthorization: Bearer good.c.d\r\nConnection: close\r\n\r\n');
    assert.equal(seen.headers.authorization, 'Bearer good.a.b');
    assert.equal(result.kind === 'refused' && result.reason, 'malformed_token');
    assert.equal(tokens.calls.length, 0);
  });

  it('an access_token in the query string is never read (RFC 6750 §2.3): anonymous', async () => {
    const { result, tokens } = await authenticateRaw('GET /orders?access_token=good.a.b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(result, ANONYMOUS_RESULT);
    assert.equal(tokens.calls.length, 0);
  });

  it('an access_token in a form body is never read (the gateway does not read bodies): anonymous', async () => {
    const body = 'access_token=good.a.b';
    const { result, tokens } = await authenticateRaw(`POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    assert.equal(result, ANONYMOUS_RESULT);
    assert.equal(tokens.calls.length, 0);
  });

  it('repeated Cookie fields are joined by node:http, and a session cookie in the second one is found', async () => {
    const { result, tokens } = await authenticateRaw(`GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: ${ACCESS_TOKEN_COOKIE}=good.a.b\r\nConnection: close\r\n\r\n`);
    assert.equal(result.kind, 'authenticated');
    assert.deepEqual(tokens.calls, [{ token: 'good.a.b', authenticator: SESSION_COOKIE_AUTHENTICATOR_ID }]);
  });
});

describe('session-cookie authenticator', () => {
  const cookieOf = (cookie: string | undefined) => {
    const tokens = stubVerifier();
    const outcome = createSessionCookieAuthenticator(tokens).authenticate(request(cookie === undefined ? {} : { cookie }), ROUTE) as AuthnOutcome;
    return { outcome, tokens };
  };

  for (const [what, cookie] of [
    ['no Cookie header', undefined],
    ['other cookies only', 'theme=dark; lang=en'],
    ['the name in another letter case', '__host-gatehouse-access=good.a.b'],
    ['a longer name that ends with it', `x${ACCESS_TOKEN_COOKIE}=good.a.b`],
    ['the name only as a value', `other=${ACCESS_TOKEN_COOKIE}`],
    ['an empty value (a cleared cookie)', `${ACCESS_TOKEN_COOKIE}=`],
  ] as const) {
    it(`${what}: not responsible`, () => {
      const { outcome, tokens } = cookieOf(cookie);
      assert.equal(outcome, NOT_RESPONSIBLE);
      assert.equal(tokens.calls.length, 0);
    });
  }

  it('the cookie among others: its value is verified, attributed to the cookie authenticator', () => {
    const { outcome, tokens } = cookieOf(`theme=dark; ${ACCESS_TOKEN_COOKIE}=good.a.b;lang=en`);
    assert.equal(outcome.kind === 'authenticated' && outcome.authenticator, SESSION_COOKIE_AUTHENTICATOR_ID);
    assert.deepEqual(tokens.calls, [{ token: 'good.a.b', authenticator: SESSION_COOKIE_AUTHENTICATOR_ID }]);
  });

  it('a bad value is refused, not skipped', () => {
    const { outcome } = cookieOf(`${ACCESS_TOKEN_COOKIE}=forged.a.b`);
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'bad_signature');
  });

  it('the cookie twice (cookie tossing): malformed_token, nothing verified', () => {
    const { outcome, tokens } = cookieOf(`${ACCESS_TOKEN_COOKIE}=good.a.b; ${ACCESS_TOKEN_COOKIE}=good.c.d`);
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'malformed_token');
    assert.equal(tokens.calls.length, 0);
  });
});

describe('the chain: the first answer that is not "not responsible"', () => {
  it('[bearer, cookie] with both credentials: the Bearer token is the one verified', () => {
    const tokens = stubVerifier();
    const result = authenticate(createGatewayAuthnChain(tokens), request({ authorization: 'Bearer good.bearer.x', cookie: `${ACCESS_TOKEN_COOKIE}=good.cookie.x` }), ROUTE) as AuthnResult;
    assert.equal(result.kind === 'authenticated' && result.identity.sub, 'good.bearer.x');
    assert.equal(result.kind === 'authenticated' && result.authenticator, BEARER_AUTHENTICATOR_ID);
    assert.deepEqual(tokens.calls.map((call) => call.token), ['good.bearer.x']);
  });

  it('a refused Bearer token is not rescued by a good cookie', () => {
    const tokens = stubVerifier();
    const result = authenticate(createGatewayAuthnChain(tokens), request({ authorization: 'Bearer forged.a.b', cookie: `${ACCESS_TOKEN_COOKIE}=good.cookie.x` }), ROUTE) as AuthnResult;
    assert.equal(result.kind === 'refused' && result.reason, 'bad_signature');
    assert.deepEqual(tokens.calls.map((call) => call.token), ['forged.a.b']);
  });

  it('Basic credentials and the cookie: the bearer authenticator passes, the cookie authenticates', () => {
    const tokens = stubVerifier();
    const result = authenticate(createGatewayAuthnChain(tokens), request({ authorization: 'Basic dXNlcjpw', cookie: `${ACCESS_TOKEN_COOKIE}=good.cookie.x` }), ROUTE) as AuthnResult;
    assert.equal(result.kind === 'authenticated' && result.authenticator, SESSION_COOKIE_AUTHENTICATOR_ID);
  });

  it('Basic credentials alone: anonymous, with the one shared ANONYMOUS identity', () => {
    const result = authenticate(createGatewayAuthnChain(stubVerifier()), request({ authorization: 'Basic dXNlcjpw' }), ROUTE);
    assert.equal(result, ANONYMOUS_RESULT);
    assert.equal(ANONYMOUS_RESULT.identity, ANONYMOUS);
  });

  it('no credential at all: anonymous', () => {
    assert.equal(authenticate(createGatewayAuthnChain(stubVerifier()), request({ host: 'x', cookie: 'theme=dark' }), ROUTE), ANONYMOUS_RESULT);
  });

  it('an empty chain: anonymous', () => {
    assert.equal(authenticate([], request({ authorization: 'Bearer good.a.b' }), ROUTE), ANONYMOUS_RESULT);
  });

  for (const [what, headers] of [
    ['a malformed Authorization', { authorization: 'Bearer' }],
    ['an empty Authorization', { authorization: '' }],
    ['a refused Bearer token', { authorization: 'Bearer forged.a.b' }],
    ['a refused cookie', { cookie: `${ACCESS_TOKEN_COOKIE}=forged.a.b` }],
    ['a duplicated cookie', { cookie: `${ACCESS_TOKEN_COOKIE}=good.a.b; ${ACCESS_TOKEN_COOKIE}=good.a.b` }],
  ] as const) {
    it(`${what} never becomes anonymous: refused`, () => {
      const result = authenticate(createGatewayAuthnChain(stubVerifier()), request(headers), ROUTE) as AuthnResult;
      assert.equal(result.kind, 'refused');
    });
  }

  const fixed = (id: string, outcome: AuthnOutcome, asPromise = false): Authenticator => ({
    id,
    authenticate: () => (asPromise ? Promise.resolve(outcome) : outcome),
  });
  const authenticated = stubVerifier().verifyForRoute('good.sync', ROUTE, 'sync') as AuthnOutcome;

  it('synchronous authenticators give a synchronous answer (no microtask on the cached path)', () => {
    const result = authenticate([fixed('a', NOT_RESPONSIBLE), fixed('b', authenticated)], request({}), ROUTE);
    assert.equal(typeof (result as { then?: unknown }).then, 'undefined');
    assert.equal(result, authenticated);
  });

  it('an asynchronous "not responsible" goes on to the next authenticator', async () => {
    const result = authenticate([fixed('a', NOT_RESPONSIBLE, true), fixed('b', NOT_RESPONSIBLE), fixed('c', authenticated, true)], request({}), ROUTE);
    assert.equal(typeof (result as { then?: unknown }).then, 'function');
    assert.equal(await result, authenticated);
  });

  it('the chain stops at the first answer: later authenticators are not asked', async () => {
    let asked = false;
    const spy: Authenticator = { id: 'spy', authenticate: () => { asked = true; return authenticated; } };
    const refusal: AuthnOutcome = { kind: 'refused', authenticator: 'a', reason: 'token_expired', detail: '', signatureVerified: true };
    assert.equal(await authenticate([fixed('a', refusal, true), spy], request({}), ROUTE), refusal);
    assert.equal(asked, false);
  });

  it('an authenticator that throws or rejects makes the chain fail, never anonymous', async () => {
    const bug = new Error('bug');
    const isBug = (error: unknown) => error === bug;
    const throwing: Authenticator = { id: 'broken', authenticate: () => { throw bug; } };
    const rejecting: Authenticator = { id: 'broken', authenticate: () => Promise.reject(bug) };
    assert.throws(() => authenticate([throwing, fixed('b', authenticated)], request({}), ROUTE), isBug);
    await assert.rejects(async () => authenticate([fixed('a', NOT_RESPONSIBLE, true), rejecting, fixed('b', authenticated)], request({}), ROUTE), isBug);
  });
});

describe('WWW-Authenticate (RFC 6750 §3)', () => {
  it('no credential: 401 with the realm only, no error code (§3.1)', () => {
    assert.deepEqual(bearerChallenge('no_credential'), { status: 401, wwwAuthenticate: 'Bearer realm="gatehouse"' });
  });

  it('a refused token: 401 invalid_token, with no error_description (no internals on the wire)', () => {
    const challenge = bearerChallenge('invalid_token');
    assert.deepEqual(challenge, { status: 401, wwwAuthenticate: 'Bearer realm="gatehouse", error="invalid_token"' });
    assert.doesNotMatch(challenge.wwwAuthenticate, /error_description|error_uri/);
  });

  it('authenticated but not allowed: 403 insufficient_scope', () => {
    assert.deepEqual(bearerChallenge('insufficient_scope'), { status: 403, wwwAuthenticate: 'Bearer realm="gatehouse", error="insufficient_scope"' });
  });

  it('challenges are frozen: the gateway cannot alter one by accident', () => {
    assert.equal(Object.isFrozen(bearerChallenge('invalid_token')), true);
  });
});
