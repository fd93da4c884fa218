/**
 * The peer stack for the gateway benchmark: fastify + @fastify/jwt (its verified-token cache on)
 * + @fastify/http-proxy, verifying the same ES256 access tokens (issuer, audience, algorithm
 * pinned) and forwarding. Usage: PORT UPSTREAM_URL KEYS_FILE (the issuer's public JWKS, JSON) ISSUER.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from '@fastify/jwt';
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const [port, upstream, keysFile, issuer] = process.argv.slice(2);
const jwks = JSON.parse(readFileSync(keysFile!, 'utf8')) as { keys: Record<string, unknown>[] };
const publicKey = createPublicKey({ key: jwks.keys[0]! as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();

const app = Fastify({ logger: false });
await app.register(jwt, { secret: { public: publicKey }, verify: { algorithms: ['ES256'], allowedIss: issuer!, allowedAud: 'orders', cache: true } });
app.addHook('onRequest', async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch {
    await reply.code(401).header('www-authenticate', 'Bearer realm="peer", error="invalid_token"').send({ error: 'invalid_token' });
  }
});
await app.register(proxy, { upstream: upstream!, prefix: '/orders', rewritePrefix: '/orders' });
await app.listen({ port: Number(port), host: '127.0.0.1' });
console.log('listening');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
