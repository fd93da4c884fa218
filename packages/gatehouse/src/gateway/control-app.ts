import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';

export interface ControlAppOptions {
  readonly metrics: GatewayMetrics;
  /** Whether the gateway accepts traffic now (listening, keys loaded); /readyz answers 503 otherwise. */
  readonly ready: () => boolean;
  /** Adds the web console under /console (console/create-console.ts); none when absent. */
  readonly console?: { mount(app: FastifyInstance): void };
}

/**
 * The control listener: Prometheus metrics, the health probes and the web console. /healthz says
 * the process answers; /readyz says it should receive traffic. Nothing here is on the data
 * plane's port. No request log: the console's API receives pasted tokens and passwords.
 */
export function createControlApp(options: ControlAppOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_request, reply) => {
    const rendered = await options.metrics.render();
    return reply.header('content-type', rendered.contentType).header('cache-control', 'no-store').send(rendered.body);
  });
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = options.ready();
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ready' : 'not_ready' });
  });
  options.console?.mount(app);
  return app;
}
