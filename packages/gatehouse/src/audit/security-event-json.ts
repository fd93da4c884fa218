import type { SecurityEvent } from '../store/index.ts';

/** A stored security event as JSON (the console's overview, `gatehouse audit tail --json`): times as ISO strings. */
export function securityEventJson(event: SecurityEvent) {
  return {
    id: event.id,
    at: new Date(event.at).toISOString(),
    type: event.type,
    severity: event.severity,
    subject: event.subject,
    clientId: event.clientId,
    ip: event.ip,
    details: event.details,
  };
}
