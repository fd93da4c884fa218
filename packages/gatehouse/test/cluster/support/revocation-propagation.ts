/**
 * The measurement behind "a token revoked at replica A is refused at replica B within 1 s": per
 * trial, a fresh client-credentials token from one replica's issuer is accepted by the next
 * replica's gateway; the clock starts when the revocation request goes to the first replica
 * (RFC 7009 endpoint), and stops at the first request the second replica's gateway refuses.
 * Trials rotate over the replicas, so every pair is measured. Shared by the cluster test and
 * `npm run bench cluster`.
 */
import { performance } from 'node:perf_hooks';
import { CLUSTER_SECRETS, type Replica } from './replica-cluster.ts';

const BILLING_BASIC = `Basic ${Buffer.from(`billing-svc:${CLUSTER_SECRETS.billing}`).toString('base64')}`;

/** Gives up on one trial after this long (and counts it as this long). */
const TRIAL_TIMEOUT_MS = 5_000;

export async function clientCredentialsToken(replica: Replica): Promise<string> {
  const response = await fetch(`${replica.issuer}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: BILLING_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&resource=orders&scope=orders:read',
  });
  if (response.status !== 200) throw new Error(`token endpoint at ${replica.issuer} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function gatewayStatus(replica: Replica, token: string): Promise<number> {
  const response = await fetch(`${replica.gateway}/orders/1`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

export interface PropagationSample {
  /** From sending the revocation request to the first refusal at the other replica: the figure the 1 s bound is about. */
  readonly sinceRequestMs: number;
  /**
   * From the revocation endpoint's answer to that refusal (0 when the refusal came first): the
   * replica-to-replica part alone, without the endpoint's own work (client authentication, the write).
   */
  readonly sinceAnswerMs: number;
}

/** One sample per trial: see PropagationSample. */
export async function measureRevocationPropagation(replicas: readonly Replica[], trials: number): Promise<PropagationSample[]> {
  if (replicas.length < 2) throw new Error('propagation needs two replicas at least');
  const samples: PropagationSample[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const revokeAt = replicas[trial % replicas.length]!;
    const observeAt = replicas[(trial + 1) % replicas.length]!;
    const token = await clientCredentialsToken(revokeAt);
    const before = await gatewayStatus(observeAt, token);
    if (before !== 200) throw new Error(`trial ${trial}: the fresh token was refused (${before}) before any revocation`);
    const started = performance.now();
    let answeredAfter = 0;
    const revoked = fetch(`${revokeAt.issuer}/oauth2/revoke`, {
      method: 'POST',
      headers: { authorization: BILLING_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    }).then(async (response) => {
      await response.arrayBuffer();
      answeredAfter = performance.now() - started;
      if (response.status !== 200) throw new Error(`revocation endpoint answered ${response.status}`);
    });
    let refusedAfter: number | undefined;
    while (refusedAfter === undefined) {
      const status = await gatewayStatus(observeAt, token);
      const elapsed = performance.now() - started;
      if (status === 401) refusedAfter = elapsed;
      else if (status !== 200) throw new Error(`trial ${trial}: the gateway answered ${status}`);
      else if (elapsed > TRIAL_TIMEOUT_MS) refusedAfter = TRIAL_TIMEOUT_MS;
    }
    await revoked;
    samples.push({ sinceRequestMs: refusedAfter, sinceAnswerMs: Math.max(0, refusedAfter - answeredAfter) });
  }
  return samples;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
