import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EarlyAnalysis } from '../src/scan/early-analysis.js';
import { setStringWindowForTest, stringKernelLoadedForTest } from '../src/scan/json-strings.js';
import { sniffMap, type MapSniff } from '../src/scan/sourcemap.js';

// The map walker's string loop runs as WebAssembly over a window of the bytes
// (src/scan/json-strings.ts); the JavaScript loop in json-walk.ts is the reference. Every walk
// here is done twice, with the module off (as in `node --jitless`) and on with windows of a few
// bytes, so that window ends fall inside escapes, between array elements and mid-string, and
// the two must give the same counts, the same errors and the same offsets.

const OPTIONS = { maxBytes: 64 * 1024 * 1024 };
const WINDOWS = [16, 17, 23, 64, 1024 * 1024];

afterEach(() => setStringWindowForTest(1024 * 1024));

// Without the module every comparison below would be the JavaScript loop against itself.
it('runs the WebAssembly loop in this process (and only JavaScript with the window at 0)', () => {
  setStringWindowForTest(16);
  expect(stringKernelLoadedForTest()).toBe(true);
  setStringWindowForTest(0);
  expect(stringKernelLoadedForTest()).toBe(false);
});

function sniffWith(window: number, bytes: Buffer): unknown {
  setStringWindowForTest(window);
  return comparable(sniffMap(Buffer.from(bytes), 'x.map', OPTIONS));
}

/** The result with its buffers as hex digests: deep equality walks a Buffer byte by byte. */
function comparable(result: MapSniff | undefined): unknown {
  if (result?.kind !== 'map') return result;
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  return { ...result, body: digest(result.body), map: { ...result.map, body: digest(result.map.body) } };
}

/** The walk as EarlyAnalysis does it while bytes arrive, cut at `cuts`. */
function earlyWith(window: number, bytes: Buffer, cuts: number[]): unknown {
  setStringWindowForTest(window);
  const buf = Buffer.alloc(bytes.length, '"\\u12"\\n]', 'latin1');
  const early = new EarlyAnalysis('x.map');
  early.begin(buf);
  let from = 0;
  for (const end of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b).concat(bytes.length)) {
    if (end <= from && end !== bytes.length) continue;
    bytes.copy(buf, from, from, end);
    from = end;
    early.progress(end);
  }
  return comparable(early.results(buf)?.sniff);
}

/** Strings dense with every kind of escape, and the characters that need them. */
const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom('a', 'bc', '\n', '"', '\\', '/', '\t', '\r', '\b', '\f', '\u0001', '\u001f', '\u2028', 'é', '日', '\ud83d\ude00', ' ', '  '), { maxLength: 80 }).map((parts) => parts.join('')),
);
const map = fc.record({
  version: fc.constant(3),
  sources: fc.array(text, { maxLength: 5 }),
  sourcesContent: fc.array(fc.oneof(text, fc.constant(null)), { maxLength: 5 }),
  names: fc.array(text, { maxLength: 12 }),
  mappings: text,
});
/** JSON.stringify escapes only what it must: add `\u` and `\/` forms of the same characters. */
const respell = (json: string, seed: number) =>
  json.replace(/\\n|\/|é/g, (m, at: number) => ((seed + at) % 3 !== 0 ? m : m === '\\n' ? '\\u000a' : m === '/' ? '\\/' : '\\u00E9'));
const spacing = fc.constantFrom(0, 1, '\t', '\r\n ');
const STRUCTURAL = [...Buffer.from('",:[]{}\\nu')];
const structural = fc.constantFrom(...Buffer.from('",:[]{} \\nux0'));

describe('the map walker’s WebAssembly string loop', () => {
  it('counts, fails and reports offsets exactly as the JavaScript loop, whatever the window', () => {
    fc.assert(
      fc.property(map, spacing, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), fc.nat(), structural, (m, space, seed, at, byte, keep, at2, byte2) => {
        const json = Buffer.from(respell(JSON.stringify(m, null, space), seed), 'utf8');
        const mutated = Buffer.from(json);
        mutated[at % mutated.length] = byte;
        // A structural byte or an escape's byte swapped for another: where the loops must stop.
        const swapped = Buffer.from(json);
        const spots = [...json.keys()].filter((i) => STRUCTURAL.includes(json[i]));
        if (spots.length > 0) swapped[spots[at2 % spots.length]] = byte2;
        for (const bytes of [json, mutated, swapped, json.subarray(0, keep % (json.length + 1))]) {
          const reference = sniffWith(0, bytes);
          for (const window of WINDOWS) expect(sniffWith(window, bytes)).toEqual(reference);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same while the bytes arrive in pieces', () => {
    fc.assert(
      fc.property(map, fc.nat(), fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 0, max: 255 }), fc.nat(), (m, seed, cuts, byte, at) => {
        const json = Buffer.from(respell(JSON.stringify(m), seed), 'utf8');
        const mutated = Buffer.from(json);
        mutated[at % mutated.length] = byte;
        for (const bytes of [json, mutated]) {
          const reference = earlyWith(0, bytes, cuts);
          for (const window of WINDOWS) expect(earlyWith(window, bytes, cuts)).toEqual(reference);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps two walks apart when their bytes arrive in turns (one window, two owners)', () => {
    let compared = 0;
    fc.assert(
      fc.property(map, map, fc.nat(), fc.integer({ min: 1, max: 40 }), (m1, m2, seed, step) => {
        const bytes = [m1, m2].map((m) => Buffer.from(respell(JSON.stringify(m), seed), 'utf8'));
        const reference = bytes.map((b) => sniffWith(0, b));
        for (const window of [16, 23, 1024 * 1024]) {
          setStringWindowForTest(window);
          const bufs = bytes.map((b) => Buffer.alloc(b.length, '"\\u12"\\n]', 'latin1'));
          const walks = bufs.map((buf) => {
            const early = new EarlyAnalysis('x.map');
            early.begin(buf);
            return early;
          });
          // Both walks advance `step` bytes at a time, alternately, on the module's one window.
          const filled = [0, 0];
          while (filled[0] < bytes[0].length || filled[1] < bytes[1].length) {
            for (const k of [0, 1]) {
              if (filled[k] === bytes[k].length) continue;
              const end = Math.min(bytes[k].length, filled[k] + step);
              bytes[k].copy(bufs[k], filled[k], filled[k], end);
              filled[k] = end;
              walks[k].progress(end);
            }
          }
          walks.forEach((early, k) => {
            const sniff = early.results(bufs[k])?.sniff;
            if (!sniff) return;
            expect(comparable(sniff)).toEqual(reference[k]);
            compared++;
          });
        }
      }),
      { numRuns: 150 },
    );
    expect(compared).toBeGreaterThan(300);
  });

  it('agrees at every byte of a small map swapped for every structural byte', () => {
    const json = Buffer.from('{"version":3,"sources":["a\\/b.ts"],"sourcesContent":["x\\ny\\u000a\\"q\\"", null],"names":["a", "b\\\\" ,"c\\u00e9",1,["d"],"e"],"mappings":"AA\\"AA"}');
    expect(sniffWith(0, json)).toMatchObject({ kind: 'map' });
    for (let at = 0; at < json.length; at++) {
      for (const byte of Buffer.from('",:[]{} \\nu0')) {
        const bytes = Buffer.from(json);
        bytes[at] = byte;
        const reference = sniffWith(0, bytes);
        for (const window of WINDOWS) expect(sniffWith(window, bytes)).toEqual(reference);
      }
    }
  });

  it('reads strings longer than the window, and long runs of names across many windows', () => {
    const line = 'export const value = "a \\"quoted\\" word";\t// é 日 \ud83d\ude00\n';
    const content = line.repeat(40_000); // ~2.4 MB decoded: more than two default windows
    const names = Array.from({ length: 60_000 }, (_, i) => `name${i}${i % 7 === 0 ? '\\' : ''}${i % 11 === 0 ? '"' : ''}`);
    const parsed = { version: 3, sources: ['a.ts', 'b.ts'], sourcesContent: [content, 'x\n'], names, mappings: 'AAAA;'.repeat(100_000) };
    const bytes = Buffer.from(JSON.stringify(parsed), 'utf8');
    const reference = sniffWith(0, bytes) as Extract<MapSniff, { kind: 'map' }>;
    expect(reference.kind).toBe('map');
    const [first, second] = reference.map.entries.map((e) => e.content);
    expect(first).toMatchObject({ bytes: Buffer.byteLength(content), lines: 40_000 });
    expect(second).toMatchObject({ bytes: 2, lines: 1 });
    for (const window of [16, 4096, 1024 * 1024]) expect(sniffWith(window, bytes)).toEqual(reference);
    // A bad escape deep in `names`: the same error at the same offset.
    const bad = Buffer.from(bytes.toString('latin1').replace('"name50000"', '"name50\\x00"'), 'latin1');
    const error = sniffWith(0, bad);
    expect(error).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/bad escape at byte \d+/) });
    for (const window of [16, 4096, 1024 * 1024]) expect(sniffWith(window, bad)).toEqual(error);
  });
});
