/**
 * What a state change made by a command means for servers already running on the same store:
 * they pick revocations, keys and users' states up on their issuer tick (open-issuer.ts, every
 * 10 s by default). Printed with every confirmation it applies to, so nobody expects "at once".
 */
export const RUNNING_GATEWAYS_NOTE = 'takes effect at running gateways within 10 s';
