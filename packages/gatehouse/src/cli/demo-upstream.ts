import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createAssertionVerifier, type KeySource } from '@gatehouse/verify';

export interface DemoUpstreamOptions {
  readonly host: string;
  readonly port: number;
  /** The gatehouse issuer URL (`iss` of the assertions). */
  readonly issuer: string;
  /** The issuer's keys (in-process here; a real service uses createRemoteKeySource(jwks_uri)). */
  readonly keys: KeySource;
  readonly audience: string;
}

/**
 * The service behind the quick start's routes, written the way a real upstream should be: it
 * trusts nothing about the network and verifies the gateway's assertion with the verify SDK on
 * every request, then answers with the identity it proved (JSON for APIs, a page for browsers).
 */
export async function startDemoUpstream(options: DemoUpstreamOptions): Promise<Server> {
  const gateway = createAssertionVerifier({ issuer: options.issuer, keys: options.keys, audience: options.audience });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void gateway.gatewayIdentity(request).then((result) => {
      if (!result.ok) {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(`${JSON.stringify({ error: 'not from the gateway', reason: result.reason })}\n`);
        return;
      }
      const { sub, roles, scope, gh_route: route, client_id: clientId } = result.claims;
      const identity = { sub, roles: roles ?? [], scope: scope ?? '', client_id: clientId ?? null, route, request_id: request.headers['x-request-id'] ?? null };
      if ((request.headers.accept ?? '').includes('text/html')) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        response.end(page(identity));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`${JSON.stringify({ message: `hello ${sub}, the gateway vouched for you`, method: request.method, path: request.url, identity })}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function page(identity: { sub: string; roles: readonly string[]; scope: string; route: string }): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse demo app</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Hello, ${escape(identity.sub)}</h1>
<p>This page is served by the demo upstream. It verified the gateway's signed assertion with
<code>@gatehouse/verify</code> before answering: you reached it through route <code>${escape(identity.route)}</code>.</p>
<p>Roles: <code>${escape(identity.roles.join(', ') || '(none)')}</code> · scope: <code>${escape(identity.scope || '(none)')}</code></p>
<form method="post" action="/.gatehouse/session/logout"><button type="submit">Sign out</button></form>
</body></html>
`;
}
