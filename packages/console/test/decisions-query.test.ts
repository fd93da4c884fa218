import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decisionsQuery, filterFromParams, mergeDecisions, NO_FILTER } from '../src/api/decisions-query.ts';

describe('decision log queries', () => {
  it('sends only the filters that are set, trimmed, then the page', () => {
    assert.equal(decisionsQuery(NO_FILTER), 'decisions');
    assert.equal(decisionsQuery({ ...NO_FILTER, route: 'orders', reason: ' token_expired ' }, { limit: 100 }), 'decisions?route=orders&reason=token_expired&limit=100');
    assert.equal(decisionsQuery({ ...NO_FILTER, sub: 'a&b', result: 'deny' }, { after: 41 }), 'decisions?sub=a%26b&result=deny&after=41');
  });

  it('reads a filter from a link, dropping a result that is not allow or deny', () => {
    assert.deepEqual(filterFromParams(new URLSearchParams('result=deny&reason=bad_signature&other=1')), { route: '', sub: '', result: 'deny', reason: 'bad_signature' });
    assert.equal(filterFromParams(new URLSearchParams('result=maybe')).result, '');
  });

  it('merges a poll newest first, each line once, at most the limit', () => {
    const shown = [{ seq: 5 }, { seq: 4 }, { seq: 3 }];
    assert.deepEqual(mergeDecisions(shown, [{ seq: 7 }, { seq: 6 }, { seq: 5 }], 4).map((line) => line.seq), [7, 6, 5, 4]);
    assert.deepEqual(mergeDecisions(shown, [], 2).map((line) => line.seq), [5, 4]);
  });
});
