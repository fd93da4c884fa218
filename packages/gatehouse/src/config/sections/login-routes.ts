import { childAt, reject, type ValueAt } from '../readers.ts';
import type { RouteConfig } from '../types.ts';

/**
 * Across routes: every `login: browser` route on one host must have the same audience, because a
 * browser holds one access cookie per host (`__Host-` cookies are host-wide, Path=/) and the
 * gateway signs it in for one audience there. Reported at the audience of each route that differs
 * from the host's first login route. `routes` must be the whole, valid list read from `list`.
 * Returns whether there was no conflict.
 */
export function checkLoginRouteAudiences(list: ValueAt | undefined, routes: readonly RouteConfig[]): boolean {
  const first = new Map<string, { readonly route: RouteConfig; readonly index: number }>();
  let consistent = true;
  routes.forEach((route, index) => {
    if (route.login !== 'browser' || route.match.host === null) return;
    const seen = first.get(route.match.host);
    if (seen === undefined) {
      first.set(route.match.host, { route, index });
      return;
    }
    if (seen.route.audience === route.audience) return;
    consistent = false;
    const audienceAt = list === undefined ? undefined : childAt(childAt(list, index)!, 'audience');
    if (audienceAt === undefined) return;
    reject(audienceAt, `the audience ${JSON.stringify(seen.route.audience)} of routes[${seen.index}] (${seen.route.id}), the other login: browser route on host ${route.match.host}`, {
      kind: 'conflict',
      hint: 'a browser holds one access cookie per host: every login: browser route on one host must share one audience',
    });
  });
  return consistent;
}
