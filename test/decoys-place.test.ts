import { describe, expect, it } from 'vitest';
import { buildDecoySet } from '../src/decoys/index.js';
import { NameIndex } from '../src/decoys/names.js';
import { GUARD_KINDS, guardText, newPlanCache, planChunk, verifySwitchHost, type PlanCache } from '../src/decoys/place.js';
import { KeyedStream } from '../src/decoys/random.js';
import { scanChunk, type ScanResult } from '../src/decoys/scan.js';
import { learnStyle } from '../src/decoys/style.js';
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

// Each chosen host is re-parsed with acorn, cold in a one-off build: large hosts come last, and a
// host is re-parsed once per build however many passes try it.
describe('host choice', () => {
  // Callbacks handed to a property call (the safest kind), each `i` lines of real statements long.
  const callback = (i: number, lines: number) =>
    `list${i}.forEach(function (item) {\n` + Array.from({ length: lines }, (_, k) => `  total${i} += item.size * ${k + 1};\n`).join('') + '});\n';
  /** The style of `code` and the decoys a build of it ships (`count` asked for). */
  const decoysFor = (code: string, scan: ScanResult, count: number) => {
    expect(scan.confused).toBe(false);
    const style = learnStyle([{ code, scan }]);
    const names = new NameIndex();
    for (const n of scan.names) names.add(n);
    return { style, decoys: buildDecoySet({ key: TEST_KEY, channel: 'hosts', release: '1', count, style, bundleNames: names }).shipped };
  };
  const plan = (code: string, count: number, cache?: PlanCache, scan = scanChunk(code)) => {
    const { style, decoys } = decoysFor(code, scan, count);
    return { scan, plans: planChunk(code, scan, decoys.slice(0, count), style, new KeyedStream(TEST_KEY, 'hosts'), { sites: ['function-start'], cache }) };
  };
  const bodyOf = (code: string, offset: number) => code.lastIndexOf('forEach', offset);

  const inBig = (code: string, offsets: number[], big: string) => offsets.filter((o) => bodyOf(code, o) === code.indexOf(big) + 'list0.'.length).length;

  it('uses no host over 256 bytes while a smaller one has a free slot, wherever it sits', () => {
    const big = callback(0, 12); // ~350 bytes
    expect(big.length).toBeGreaterThan(256);
    expect(callback(12, 2).length).toBeLessThan(256);
    const small = Array.from({ length: 12 }, (_, i) => callback(i + 1, 2)).join('');
    // 13 decoys over 13 sites: each decoy's slice is one or two sites, the large one among them.
    for (const code of [big + small, small.slice(0, small.length / 2) + big + small.slice(small.length / 2), small + big]) {
      const { plans } = plan(code, 13);
      expect(plans.length).toBe(13);
      expect(inBig(code, plans.map((p) => p.offset), big), `decoys in the large host of ${code.length} bytes`).toBe(0);
    }
  });

  it('uses a large host once the small ones are full, before two decoys share a slot', () => {
    const big = callback(0, 12);
    // Two small hosts of two statements: two slots each (the body's start, and after the first).
    const code = callback(1, 2) + big + callback(2, 2);
    const four = plan(code, 4).plans;
    expect(new Set(four.map((p) => p.offset)).size).toBe(4);
    expect(inBig(code, four.map((p) => p.offset), big)).toBe(0);
    const six = plan(code, 6).plans;
    expect(six.length).toBe(6);
    expect(new Set(six.map((p) => p.offset)).size).toBe(6);
    expect(inBig(code, six.map((p) => p.offset), big)).toBe(2);
    // Only a large host: it takes the decoys.
    expect(inBig(big, plan(big, 2).plans.map((p) => p.offset), big)).toBe(2);
  });

  it('re-parses a host once across passes: a second pass reads what the first one verified', () => {
    const code = Array.from({ length: 6 }, (_, i) => callback(i, 3)).join('');
    const cache = newPlanCache();
    const first = plan(code, 3, cache);
    expect(first.plans.length).toBe(3);
    expect(cache.verified.size).toBeGreaterThanOrEqual(3);
    expect(cache.sites.size).toBe(1);
    // Same pass again with the filled cache: the same plan as without one (it changes no choice)...
    expect(plan(code, 3, cache, first.scan).plans).toEqual(first.plans);
    expect(plan(code, 3).plans).toEqual(first.plans);
    // ...and it is read, not recomputed: hosts marked "refused" in it are not used.
    const refused = newPlanCache();
    for (let host = 0; host < first.scan.functionHosts.length; host++) refused.verified.set(host, undefined);
    expect(refused.verified.size).toBeGreaterThanOrEqual(6);
    expect(plan(code, 3, refused).plans).toEqual([]);
  });

  it('keeps a site list per set of options, and refuses a cache filled for another chunk', () => {
    const code = Array.from({ length: 6 }, (_, i) => `function local${i}(a){total+=a*${i};return a}\n` + callback(i, 2)).join('');
    const scan = scanChunk(code);
    const { style, decoys } = decoysFor(code, scan, 8);
    const cache = newPlanCache();
    const safe = planChunk(code, scan, decoys, style, new KeyedStream(TEST_KEY, 'opts'), { cache });
    const unsafe = planChunk(code, scan, decoys, style, new KeyedStream(TEST_KEY, 'opts'), { cache, allowUnsafe: true });
    expect(cache.sites.size).toBe(2);
    // Each as without a cache: plain local functions only where allowUnsafe says so.
    expect(safe).toEqual(planChunk(code, scan, decoys, style, new KeyedStream(TEST_KEY, 'opts')));
    expect(unsafe).toEqual(planChunk(code, scan, decoys, style, new KeyedStream(TEST_KEY, 'opts'), { allowUnsafe: true }));
    expect(safe.some((p) => code.lastIndexOf('function local', p.offset) > code.lastIndexOf('forEach', p.offset))).toBe(false);
    const other = scanChunk(code);
    expect(() => planChunk(code, other, decoys, style, new KeyedStream(TEST_KEY, 'opts'), { cache })).toThrow(/another chunk/);
  });
});
