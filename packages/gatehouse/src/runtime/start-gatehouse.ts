import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { GatehouseConfig } from '../config/index.ts';
import { openGateway, type OpenGateway, type OpenGatewayOptions } from '../gateway/open-gateway.ts';
import { openIssuer, storeUrl, type OpenIssuer } from '../issuer/open-issuer.ts';
import { openStore } from '../store/index.ts';

/**
 * The parts `gatehouse start --services` can run in one process. The web console is no part of
 * its own: it comes with the gateway, on its control listener (it shows that gateway's decisions).
 */
export const SERVICES = ['issuer', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface StartGatehouseOptions {
  readonly services: readonly ServiceName[];
  /** Enables hot reload of routes and policies (file watch + SIGHUP). */
  readonly configPath?: string;
  readonly logger: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where decision lines go. Default stdout. */
  readonly decisionLogDestination?: DestinationStream;
  /** The web console on the gateway's control listener: its options, or `false` to leave it out. Default: on, wherever the gateway runs. */
  readonly console?: OpenGatewayOptions['console'];
}

export interface RunningGatehouse {
  /** Bound URLs of what runs (port 0 in the configuration becomes the real port). */
  readonly urls: { readonly issuer?: string; readonly gateway?: string; readonly control: string };
  readonly issuer: OpenIssuer;
  readonly gateway: OpenGateway | undefined;
  /**
   * Graceful stop: readiness goes to 503, listeners stop accepting, requests in flight finish
   * (up to graceMs), then stores and timers close. Resolves with the connections cut at the deadline.
   */
  stop(graceMs: number): Promise<number>;
}

/**
 * Runs the selected parts in this process on one store: the issuer (its own listener), the
 * gateway (data plane + control listener with /metrics, /healthz, /readyz and the web console
 * under /console), sharing keys and revocation lists in memory. The issuer always opens (the
 * gateway verifies with its keys); its listener only runs when `issuer` is selected. Without the
 * gateway, the control listener still answers /healthz and /readyz.
 */
export async function startGatehouse(config: GatehouseConfig, options: StartGatehouseOptions): Promise<RunningGatehouse> {
  const { logger } = options;
  const store = await openStore(storeUrl(config.store));
  let issuer: OpenIssuer | undefined;
  let gateway: OpenGateway | undefined;
  let probes: FastifyInstance | undefined;
  try {
    issuer = await openIssuer(config, { store, logger: logger.child({ part: 'issuer' }), ...(options.env === undefined ? {} : { env: options.env }) });
    const urls: { issuer?: string; gateway?: string; control: string } = { control: '' };
    if (options.services.includes('issuer')) {
      const { host, port } = config.listen.issuer;
      await issuer.app.listen({ host, port });
      urls.issuer = urlOf(issuer.app.server.address() as AddressInfo);
    }
    let ready = false;
    if (options.services.includes('gateway')) {
      gateway = await openGateway(config, {
        issuer: issuer.services,
        logger: logger.child({ part: 'gateway' }),
        ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.decisionLogDestination === undefined ? {} : { decisionLogDestination: options.decisionLogDestination }),
        ...(options.console === undefined ? {} : { console: options.console }),
      });
      const bound = await gateway.listen();
      urls.gateway = bound.gateway;
      urls.control = bound.control;
    } else {
      probes = healthProbes(() => ready);
      const { host, port } = config.listen.control;
      await probes.listen({ host, port });
      urls.control = urlOf(probes.server.address() as AddressInfo);
    }
    ready = true;
    const opened = issuer;
    let stopping: Promise<number> | undefined;
    return {
      urls,
      issuer: opened,
      gateway,
      stop(graceMs) {
        stopping ??= (async () => {
          ready = false;
          // The issuer's fastify answers 503 to new requests while closing and waits for those in flight.
          const [cut] = await Promise.all([gateway?.drain(graceMs) ?? Promise.resolve(0), opened.app.close(), probes?.close()]);
          await opened.close();
          await store.close();
          return cut;
        })();
        return stopping;
      },
    };
  } catch (error) {
    await gateway?.close().catch(() => {});
    await probes?.close().catch(() => {});
    await issuer?.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}

/** /healthz and /readyz when no gateway (and so no control app with metrics) runs in this process. */
function healthProbes(ready: () => boolean): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const isReady = ready();
    return reply.code(isReady ? 200 : 503).header('cache-control', 'no-store').send({ status: isReady ? 'ready' : 'not_ready' });
  });
  return app;
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
