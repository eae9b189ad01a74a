import { describe, expect, it } from 'vitest';
import { GUARD_KINDS, guardText, verifySwitchHost } from '../src/decoys/place.js';
import { KeyedStream } from '../src/decoys/random.js';
import { scanChunk } from '../src/decoys/scan.js';
import { TEST_KEY } from './decoys-helpers.js';

// The guards are false for every value and touch nothing while deciding so; switch hosts are
// refused where a case clause could read an uninitialised binding.

const NAME = 'reconcile_stale_ledger_batch';

function values(): unknown[] {
  const touched: string[] = [];
  const trap = new Proxy({}, {
    get: (_t, k) => void touched.push(`get ${String(k)}`),
    has: (_t, k) => (touched.push(`has ${String(k)}`), false),
    getPrototypeOf: () => (touched.push('proto'), null),
  });
  const sneaky = { toString: () => NAME, valueOf: () => NAME, [Symbol.toPrimitive]: () => NAME, length: 99 };
  return [NAME, `${NAME} `, NAME.toUpperCase(), '', 'x', 0, 1, -1, NaN, Infinity, 10n, true, false, null, undefined, Symbol('s'), {}, [], [NAME], () => NAME, new String(NAME), sneaky, trap, touched];
}

describe('guards', () => {
  for (const kind of GUARD_KINDS) {
    for (const min of [true, false]) {
      it(`${kind} (${min ? 'minified' : 'readable'}) is false for every value and has no effect`, () => {
        for (let seed = 0; seed < 6; seed++) {
          const text = guardText(kind, 'p', NAME, { min, q: seed % 2 ? "'" : '"', sp: min ? '' : ' ' }, new KeyedStream(TEST_KEY, `g/${kind}/${seed}`));
          expect(text).toContain(NAME);
          const guard = new Function('p', `return (${text});`) as (p: unknown) => boolean;
          const all = values();
          const touched = all[all.length - 1] as string[];
          all.slice(0, -1).forEach((v, i) => expect(guard(v), `${text} with value #${i}`).toBe(false));
          expect(touched).toEqual([]);
          // The same text over `arguments[0]`, for hosts without parameters.
          const viaArguments = guardText(kind, 'arguments[0]', NAME, { min, q: '"', sp: '' }, new KeyedStream(TEST_KEY, `a/${kind}/${seed}`));
          const g2 = new Function(`return (${viaArguments});`) as (...a: unknown[]) => boolean;
          for (const v of all.slice(0, -1)) expect(g2(v)).toBe(false);
        }
      });
    }
  }

  it('a guard without its contradiction is true for one of the values tried (so the test above can fail)', () => {
    const half = new Function('p', `return p === ${JSON.stringify(NAME)};`) as (p: unknown) => boolean;
    expect(values().slice(0, -1).some((v) => half(v))).toBe(true);
  });
});

describe('switch hosts', () => {
  const site = (code: string) => {
    const sw = scanChunk(code).switches[0];
    return verifySwitchHost(code, sw, sw.defaultAt >= 0 ? sw.defaultAt : sw.bodyEnd);
  };
  it('accepts a switch over strings whose own scope does not redeclare the discriminant', () => {
    expect(site('function f(d){switch(d){case "a":return 1;case "b":{const d=2;return d}default:return 0}}')).toBe(true);
  });
  it('refuses one whose clauses declare the discriminant with let, const or class', () => {
    expect(site('function f(d){switch(d){case "a":let d=1;return d;default:return 0}}'.replace('let d=1;return d', 'return 1;case "c":let d=1'))).toBe(false);
    expect(site('function f(d){switch(d){case "a":return 1;case "c":const {x:d}=o;default:return 0}}')).toBe(false);
    expect(site('function f(d){switch(d){case "a":return 1;case "c":class d{}default:return 0}}')).toBe(false);
  });
});
