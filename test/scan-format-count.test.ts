import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount } from '../src/core/format-count.js';

// formatCount stands in for toLocaleString('en-US') (whose first call loads ICU's locale data):
// it must write every count exactly as toLocaleString does.
describe('formatCount', () => {
  it('writes integers as toLocaleString("en-US") does', () => {
    for (const n of [0, 1, 999, 1000, 1240, 310000, 1000000, -1, -1000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(formatCount(n), String(n)).toBe(n.toLocaleString('en-US'));
    }
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => formatCount(n) === n.toLocaleString('en-US')));
  });

  it('leaves anything else to toLocaleString', () => {
    for (const n of [1.5, 1234.5678, NaN, Infinity, -Infinity, 2 ** 60]) expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
  });
});
