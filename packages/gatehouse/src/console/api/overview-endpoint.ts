import type { FastifyInstance } from 'fastify';
import { securityEventJson } from '../../audit/security-event-json.ts';
import type { ConsoleServices } from '../console-services.ts';

const TOP = 10;
const RECENT_EVENTS = 20;

/**
 * GET /console/api/overview — the last hour at a glance: allowed and refused decisions per
 * second (3,600 points, oldest first), the top refusal reasons, refused client addresses and
 * refused subjects (from the decision history in memory), and the most recent security events
 * (from the store).
 */
export function registerOverviewEndpoint(api: FastifyInstance, services: ConsoleServices): void {
  api.get('/overview', async () => {
    const { history } = services;
    const events = await services.issuer.store.securityEvents.listRecent({ limit: RECENT_EVENTS });
    return {
      now: Math.floor(services.clock() / 1000),
      series: history.series(),
      topReasons: history.top('reason', TOP).map(({ key, count }) => ({ reason: key, count })),
      topIps: history.top('ip', TOP).map(({ key, count }) => ({ ip: key, count })),
      topSubjects: history.top('sub', TOP).map(({ key, count }) => ({ sub: key, count })),
      events: events.map(securityEventJson),
    };
  });
}
