import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEY_PATTERN } from '../src/core/key.js';
import { EarlyAnalysis, KeySearch } from '../src/scan/early-analysis.js';
import { compareFindings, scan } from '../src/scan/engine.js';
import { sniffMap } from '../src/scan/sourcemap.js';
import { tempDir, write } from './scan-helpers.js';

// The analysis that runs while a tarball entry's bytes arrive (src/scan/early-analysis.ts) must
// give exactly what the whole-buffer analysis gives, wherever the chunks are cut.

const OPTIONS = { maxBytes: 64 * 1024 * 1024 };
/** What the buffer holds where bytes have not arrived yet: things a walker could trip on. */
const GARBAGE = Buffer.from('"\\\\u12"k1_pbk1_]}{,:0 \n', 'latin1');

/** Feeds `bytes` into a fresh buffer (garbage beyond what has arrived) cut at `cuts`. */
function feedInChunks(bytes: Buffer, cuts: number[], name = 'x.map'): { early: EarlyAnalysis; buf: Buffer } {
  const buf = Buffer.alloc(bytes.length, GARBAGE);
  const early = new EarlyAnalysis(name);
  early.begin(buf);
  const ends = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].filter((c) => c > 0).sort((a, b) => a - b);
  if (ends[ends.length - 1] !== bytes.length) ends.push(bytes.length);
  let from = 0;
  for (const end of ends) {
    bytes.copy(buf, from, from, end);
    from = end;
    early.progress(end);
  }
  return { early, buf };
}

function wholeKey(bytes: Buffer): boolean {
  const search = new KeySearch(bytes);
  search.feed(bytes.length, true);
  return search.found;
}

/** How many early walks were compared with sniffMap (the tests check that some were). */
let sniffsCompared = 0;

/** The early results must equal sniffMap's and the whole-buffer key search on the same bytes. */
function expectSameAsWhole(bytes: Buffer, cuts: number[], name = 'x.map'): void {
  const { early, buf } = feedInChunks(bytes, cuts, name);
  const results = early.results(buf);
  expect(results).toBeDefined();
  expect(results?.key).toBe(wholeKey(bytes));
  // A walk that did not start early is left to sniffMap: nothing to compare.
  if (results?.sniff) {
    expect(results.sniff).toEqual(sniffMap(buf, name, OPTIONS));
    sniffsCompared++;
  }
}

/** Runs `body` and checks that it compared at least `min` early walks with sniffMap. */
function comparingSniffs(min: number, body: () => void): void {
  const before = sniffsCompared;
  body();
  expect(sniffsCompared - before).toBeGreaterThanOrEqual(min);
}

const KEY = `pbk1_${'A'.repeat(20)}-_${'b'.repeat(21)}`;

const jsonString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 30 }).map((s) => s.replace(/x/g, '\n').replace(/y/g, '"').replace(/z/g, '\\')),
  fc.constantFrom(KEY, `x${KEY}`, `${KEY}x`, 'pbk1_short', '\u2028\u00e9\ud83d\ude00'),
);
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    jsonString,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;
const plainMap = fc.record(
  {
    version: fc.oneof(fc.constant(3), fc.constant(3), anyJson),
    file: fc.oneof(jsonString, anyJson),
    sourceRoot: jsonString,
    debugId: jsonString,
    sources: fc.array(fc.oneof(jsonString, fc.constant(null), anyJson), { maxLength: 6 }),
    sourcesContent: fc.array(fc.oneof(jsonString, fc.constant(null), anyJson), { maxLength: 6 }),
    names: fc.array(jsonString, { maxLength: 6 }),
    mappings: fc.oneof(fc.string({ maxLength: 60 }), anyJson),
    x_extra: anyJson,
  },
  { requiredKeys: ['version'] },
);
const mapArb = fc.oneof(
  plainMap,
  fc.record({
    version: fc.constant(3),
    sections: fc.array(fc.record({ offset: fc.constant({ line: 0, column: 0 }), map: plainMap, url: jsonString }, { requiredKeys: ['offset'] }), { maxLength: 3 }),
  }),
);
const spacing = fc.constantFrom(0, 1, 2, '\t', '\r\n ');
const cutsFor = (length: number) => fc.array(fc.integer({ min: 0, max: Math.max(0, length) }), { maxLength: 12 });

describe('EarlyAnalysis gives what the whole-buffer analysis gives', () => {
  it('on random maps, index maps and JSON, cut anywhere', () => {
    comparingSniffs(100, () =>
    fc.assert(
      fc.property(
        mapArb,
        spacing,
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (map, space, lead, rawCuts) => {
          const text = Buffer.from(' \n'.slice(0, lead % 3) + JSON.stringify(map, null, space), 'utf8');
          expectSameAsWhole(
            text,
            rawCuts.map((c) => c % (text.length + 1)),
          );
        },
      ),
      { numRuns: 400 },
    ));
  });

  it('on mutated and truncated maps (errors and their offsets included), cut anywhere', () => {
    comparingSniffs(100, () =>
    fc.assert(
      fc.property(mapArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), fc.array(fc.nat(), { maxLength: 8 }), (map, at, byte, keep, rawCuts) => {
        const text = Buffer.from(JSON.stringify(map), 'utf8');
        const mutated = Buffer.from(text);
        mutated[at % mutated.length] = byte;
        const truncated = text.subarray(0, keep % (text.length + 1));
        for (const bytes of [mutated, truncated]) expectSameAsWhole(bytes, rawCuts.map((c) => c % (bytes.length + 1)));
      }),
      { numRuns: 400 },
    ));
  });

  it('at every single split point and byte by byte, on maps with every kind of token boundary', () => {
    const cases = [
      '{"version":3,"sources":["a\\\\b.ts",null,"c\\u00e9.ts"],"sourcesContent":["x\\ny\\n","\\u000a","\\"q\\"",""],"mappings":"AAAA;BBBB","names":["a","b"]}',
      '\ufeff  {"version" : 3 , "file":"out.js","mappings":"", "sources": [], "sourcesContent": [true, false, null, 12.5e-3, {"k":[1,{}]}]}',
      '{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["s.ts"],"sourcesContent":["a\\r\\n"],"mappings":"A"}},{"url":"u.map"}]}',
      '{"version":3,"sources":["a"],"sourcesContent":["bad \\x escape"],"mappings":""}',
      '{"version":3,"sources":["a"],"sourcesContent":["bad \\u12G4"],"mappings":""}',
      '{"version":3,"sources":["a"],"sourcesContent":["unterminated \\n',
      '{"version":3,"sources":["a"],"mappings":"AAAA" trailing',
      '{"version":3.0e0,"mappings":"A","sources":[nul]}',
      `{"version":3,"mappings":"","sources":["k.ts"],"sourcesContent":["const k = '${KEY}';"]}`,
      '{"sources":["a"],"version":3,"mappings":"x","debug_id":"id-1","sourceRoot":"/abs/"}',
    ];
    comparingSniffs(cases.length, () => {
      for (const text of cases) {
        const bytes = Buffer.from(text, 'utf8');
        for (let cut = 0; cut <= bytes.length; cut++) expectSameAsWhole(bytes, [cut]);
        expectSameAsWhole(
          bytes,
          Array.from({ length: bytes.length }, (_, i) => i + 1),
        );
      }
    });
  });

  it('walks a map early only where sniffMap walks it at once, and leaves the rest to sniffMap', () => {
    const map = Buffer.from('{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"mappings":"A"}');
    const walked = (bytes: Buffer) => {
      const { early, buf } = feedInChunks(bytes, [1, 5, 9]);
      return early.results(buf)?.sniff !== undefined;
    };
    expect(walked(map)).toBe(true);
    expect(walked(Buffer.concat([Buffer.from(")]}'\n"), map]))).toBe(false);
    expect(walked(Buffer.from(`{"a":1,${' '.repeat(300)}"version":3,"mappings":""}`))).toBe(false);
    const { early, buf } = feedInChunks(map, [3], 'x.map.br');
    expect(early.results(buf)?.sniff).toBeUndefined();
  });

  it('gives no results for a buffer it did not see filled', () => {
    const bytes = Buffer.from('{"version":3,"mappings":""}');
    const { early, buf } = feedInChunks(bytes, []);
    expect(early.results(Buffer.from(buf))).toBeUndefined();
    const partial = new EarlyAnalysis('x.map');
    const target = Buffer.alloc(bytes.length);
    partial.begin(target);
    bytes.copy(target, 0, 0, 10);
    partial.progress(10);
    expect(partial.results(target)).toBeUndefined();
  });
});

describe('KeySearch', () => {
  it('finds a key wherever the chunks are cut, like a regular expression over the whole text', () => {
    const piece = fc.oneof(
      fc.constantFrom(KEY, 'pbk1_', 'k1_', 'xpbk1_', `${KEY}A`, `_${KEY}`, 'pb', 'k1', '_', ' ', '\n'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 10 }), (pieces, rawCuts) => {
        const bytes = Buffer.from(pieces.join(''), 'latin1');
        const { early, buf } = feedInChunks(bytes, rawCuts.map((c) => c % (bytes.length + 1)));
        // KEY_PATTERN over the whole text, at a pbk1_ start: what a key is.
        const expected = [...bytes.toString('latin1').matchAll(/pbk1_/g)].some((m) => KEY_PATTERN.test(bytes.toString('latin1', Math.max(0, m.index - 1), m.index + 49)));
        expect(wholeKey(bytes)).toBe(expected);
        expect(early.results(buf)?.key).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a tarball scanned while it streams', () => {
  it('reports exactly what the same files report from a directory (a large map, a key, a bad map, entries after them)', async () => {
    const { dir, cleanup } = tempDir('early');
    try {
      // Large enough to arrive in many chunks: EarlyAnalysis runs on entries of 512 KiB and more.
      const sources = Array.from({ length: 400 }, (_, i) => `src/m${i}.ts`);
      const content = sources.map((s, i) => `// ${s}\nexport const v${i} = "${'\\'.repeat(i % 3)}${'z'.repeat(3000 + i)}";\n${i === 77 ? `const k = '${KEY}';\n` : ''}`);
      const map = JSON.stringify({ version: 3, file: 'a.js', sources, sourcesContent: content, names: ['a'], mappings: 'AAAA;'.repeat(50000) });
      const broken = map.slice(0, 700_000);
      // In name order: the large map (with a key) first, then smaller entries read into the
      // same reused buffer, which must see none of the map's bytes.
      write(join(dir, 'package'), {
        'a.js.map': map,
        'b-broken.js.map': broken,
        'c-cli.js': `console.log(1);\n${'x'.repeat(600_000)}\n`,
        'd-data.txt': 'y'.repeat(100_000),
        'package.json': '{"name":"p","version":"1.0.0"}',
      });
      execFileSync('tar', ['--sort=name', '-czf', join(dir, 'p.tgz'), '-C', dir, 'package']);
      const fromDir = await scan(['.'], { cwd: join(dir, 'package') });
      const fromTar = await scan([join(dir, 'p.tgz')], { cwd: dir });
      const strip = (r: typeof fromDir) => ({
        findings: r.findings.map((f) => ({ ...f, path: f.path.replace(/^.*!package\//, '') })),
        exposure: r.exposure,
        errors: r.errors.map((e) => e.message.replace(/^.*!package\//, '')),
      });
      expect(fromTar.findings.filter((f) => f.code === 'pillbox-private-file').map((f) => f.path)).toEqual(['p.tgz!package/a.js.map', 'p.tgz!package/b-broken.js.map']);
      expect(fromTar.errors.map((e) => e.code)).toEqual(['invalid-map']);
      expect(strip(fromTar)).toEqual(strip(fromDir));

      // Entry buffers pass from target to target: a second tarball read after this one (and
      // while it is analysed) reports as it does alone.
      write(join(dir, 'second/package'), { 'package.json': '{"name":"q","version":"1.0.0"}', 'e.txt': 'z'.repeat(200_000), 'f.js': `x;\n//# sourceMappingURL=f.js.map\n` });
      execFileSync('tar', ['--sort=name', '-czf', join(dir, 'q.tgz'), '-C', join(dir, 'second'), 'package']);
      const both = await scan([join(dir, 'p.tgz'), join(dir, 'q.tgz'), join(dir, 'p.tgz')], { cwd: dir });
      const alone = await scan([join(dir, 'q.tgz')], { cwd: dir });
      expect(both.findings.filter((f) => f.path.startsWith('q.tgz!'))).toEqual(alone.findings);
      expect(both.findings.filter((f) => f.path.startsWith('p.tgz!'))).toEqual([...fromTar.findings, ...fromTar.findings].sort(compareFindings));

      // Cut inside the large map while it is being walked: the archive is an error (exit 2),
      // and nothing of the half-walked map is reported as if it had been read.
      const whole = readFileSync(join(dir, 'p.tgz'));
      writeFileSync(join(dir, 'cut.tgz'), whole.subarray(0, Math.floor(whole.length * 0.3)));
      const cut = await scan([join(dir, 'cut.tgz')], { cwd: dir });
      expect(cut.errors.map((e) => e.code)).toEqual(['corrupt-archive']);
      expect(cut.findings.filter((f) => f.path.endsWith('a.js.map'))).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
