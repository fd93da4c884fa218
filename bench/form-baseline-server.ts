/**
 * The baseline for the issuer benchmark: a bare fastify server that parses the same form body and
 * answers a small JSON object, with no authentication, signing or storage. Usage: PORT
 */
import formBody from '@fastify/formbody';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(formBody);
app.post('/oauth2/token', async (request, reply) => {
  reply.header('cache-control', 'no-store');
  return { access_token: 'x', token_type: 'Bearer', expires_in: 300, echo: (request.body as Record<string, string>).grant_type };
});
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
console.log('listening');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
