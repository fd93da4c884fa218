import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * RFC 6749 §5.1: responses that carry tokens or token metadata are never cached — `Cache-Control:
 * no-store` and, for HTTP/1.0 caches, `Pragma: no-cache`. A route-level onSend hook, so error
 * responses of the route (thrown, or from the body parser) carry them too.
 */
export async function noStore(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
}
