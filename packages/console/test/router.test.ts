import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hrefFor, parseHash } from '../src/router.ts';

describe('hash routing', () => {
  it('names a page and its query; an empty or unknown hash is the overview', () => {
    const location = parseHash('#/decisions?reason=token_expired&result=deny');
    assert.equal(location.page, 'decisions');
    assert.equal(location.params.get('reason'), 'token_expired');
    assert.equal(parseHash('').page, 'overview');
    assert.equal(parseHash('#/nowhere').page, 'overview');
    assert.equal(parseHash('#keys').page, 'keys');
  });

  it('writes links that parse back to the same page and query', () => {
    const href = hrefFor('sessions', { user: 'alice smith' });
    assert.equal(href, '#/sessions?user=alice+smith');
    assert.equal(parseHash(href).params.get('user'), 'alice smith');
  });
});
