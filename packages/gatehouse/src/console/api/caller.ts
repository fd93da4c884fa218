import type { FastifyRequest } from 'fastify';
import type { ConsoleCaller } from '../console-auth.ts';

/** The caller the API's onRequest hook identified, by request (no request decoration: the control app stays as it is). */
const callers = new WeakMap<FastifyRequest, ConsoleCaller>();

export function rememberCaller(request: FastifyRequest, caller: ConsoleCaller): void {
  callers.set(request, caller);
}

/** The caller of a request the API's hook let through. */
export function callerOf(request: FastifyRequest): ConsoleCaller {
  const caller = callers.get(request);
  if (caller === undefined) throw new Error('console API: a handler ran without an identified caller');
  return caller;
}

/** Who did it, for the server log and security events: the operator's username or the token's subject. */
export function actorOf(caller: ConsoleCaller): string {
  return caller.kind === 'session' ? caller.session.username : caller.sub;
}
