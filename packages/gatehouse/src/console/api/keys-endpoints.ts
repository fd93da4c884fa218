import type { FastifyInstance } from 'fastify';
import { keyStatesAt } from '../../keys/advance-keys.ts';
import { keyRetirements, nextRotationAt } from '../../keys/key-schedule.ts';
import { revokeSigningKey } from '../../keys/revoke-signing-key.ts';
import { ConsoleApiError } from '../console-errors.ts';
import type { ConsoleServices } from '../console-services.ts';
import { actorOf, callerOf } from './caller.ts';
import { jsonBody, optionalString, pathParameter } from './request-fields.ts';

/**
 * The signing keys (DESIGN.md "Keys"): the list with lifecycle state, age and dates; rotation on
 * demand; the emergency revoke, which needs the kid typed again as `confirm`. The same operations
 * as `gatehouse keys list|rotate|revoke`: the key manager raises key.created / key.revoked itself.
 * Public facts only: a private key never leaves the key manager.
 */
export function registerKeyEndpoints(api: FastifyInstance, services: ConsoleServices): void {
  const { keys } = services.issuer;

  api.get('/keys', async () => {
    const now = services.clock();
    const records = keyStatesAt(keys.records(), now);
    const rotateEvery = keys.policy.rotateEverySeconds;
    const retiresAt = keyRetirements(records, rotateEvery);
    return {
      keys: records.map((record) => ({
        kid: record.kid,
        alg: record.alg,
        state: record.state,
        createdAt: isoOrNull(record.createdAt),
        activatesAt: isoOrNull(record.activatesAt),
        retiresAt: isoOrNull(retiresAt(record)),
        ageSeconds: Math.max(0, Math.floor((now - record.createdAt) / 1000)),
      })),
      nextRotationAt: isoOrNull(nextRotationAt(records, rotateEvery)),
    };
  });

  api.post('/keys/rotate', async (request) => {
    const pending = keys.records().find((record) => record.state === 'pending');
    if (pending !== undefined) {
      throw new ConsoleApiError('conflict', `key ${pending.kid} is already pending: it starts signing at ${new Date(pending.activatesAt).toISOString()}; rotate again once it signs`);
    }
    const added = await keys.rotate();
    services.logger?.info({ event: 'console.key_rotated', kid: added.kid, by: actorOf(callerOf(request)) }, 'signing key rotated from the console');
    return { kid: added.kid, alg: added.alg, state: added.state, activatesAt: new Date(added.activatesAt).toISOString() };
  });

  api.post('/keys/:kid/revoke', async (request) => {
    const kid = pathParameter(request, 'kid');
    const confirm = optionalString(jsonBody(request), 'confirm');
    if (confirm !== kid) throw new ConsoleApiError('confirmation_mismatch', 'confirm: type the kid of the key to revoke; every token it signed stops working at once');
    const before = keys.records().find((record) => record.kid === kid);
    if (before?.state === 'revoked') return { revoked: true, alreadyRevoked: true };
    // Throws key_not_found (404) for a kid the store does not have.
    await revokeSigningKey(services.issuer, kid, 'revoked by operator (console)');
    services.logger?.warn({ event: 'console.key_revoked', kid, by: actorOf(callerOf(request)) }, 'signing key revoked from the console');
    return { revoked: true };
  });
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
