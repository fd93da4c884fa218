import type { FastifyInstance } from 'fastify';
import type { ConsoleServices } from '../console-services.ts';
import { integerParameter, invalid, queryParameter } from './request-fields.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 2000;

/**
 * GET /console/api/decisions?route=&sub=&result=allow|deny&reason=&after=&limit= — the recent
 * decision lines (the decision log's fields plus `seq`), newest first, each filter an exact
 * match. `last` is the newest seq there is: the next poll passes it as `after` to get only what
 * came since.
 */
export function registerDecisionEndpoints(api: FastifyInstance, services: ConsoleServices): void {
  api.get('/decisions', async (request) => {
    const result = queryParameter(request, 'result');
    if (result !== undefined && result !== 'allow' && result !== 'deny') throw invalid('result: expected allow or deny');
    const route = queryParameter(request, 'route');
    const sub = queryParameter(request, 'sub');
    const reason = queryParameter(request, 'reason');
    const after = integerParameter(request, 'after', Number.MAX_SAFE_INTEGER);
    return services.history.query({
      ...(route === undefined ? {} : { route }),
      ...(sub === undefined ? {} : { sub }),
      ...(result === undefined ? {} : { result }),
      ...(reason === undefined ? {} : { reason }),
      ...(after === undefined ? {} : { after }),
      limit: integerParameter(request, 'limit', MAX_LIMIT) ?? DEFAULT_LIMIT,
    });
  });
}
