import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathOf } from './url-path.js';

describe('pathOf', () => {
  it('drops the query and keeps the path as it came', () => {
    expect(pathOf('/rooms')).toBe('/rooms');
    expect(pathOf('/rooms?x=1')).toBe('/rooms');
    expect(pathOf('/rooms/a%20b?x=1?y')).toBe('/rooms/a%20b');
    expect(pathOf('/?')).toBe('/');
  });

  it("answers what split('?')[0] answers, for any URL", () => {
    fc.assert(fc.property(fc.string(), (url) => pathOf(url) === url.split('?')[0]));
  });
});
