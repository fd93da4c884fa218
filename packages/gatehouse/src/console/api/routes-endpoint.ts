import type { FastifyInstance } from 'fastify';
import type { ConsoleServices } from '../console-services.ts';

/** GET /console/api/routes — the running routes (reloads included), for the filters, the debugger and the simulator. */
export function registerRouteEndpoints(api: FastifyInstance, services: ConsoleServices): void {
  api.get('/routes', async () =>
    services.current().config.routes.map((route) => ({
      id: route.id,
      audience: route.audience,
      host: route.match.host,
      path: route.match.path,
      methods: route.match.methods,
      login: route.login,
    })),
  );
}
