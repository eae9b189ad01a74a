import { decode } from '@jridgewell/sourcemap-codec';
import { SourceMapConsumer, type RawSourceMap } from 'source-map';
import MagicString from 'magic-string';
import { beforeAll, describe, expect, it } from 'vitest';
import { shiftMap, type Insertion } from '../src/decoys/map-shift.js';
import { KeyedStream } from '../src/decoys/random.js';
import { buildWithEsbuild, mappingSpans, mappingsOf, TEST_KEY, type Build } from './decoys-helpers.js';

// shiftMap edits a map's text only around each insertion. Random insertions (some stacked at
// one offset, some spanning lines, some at line ends) into real esbuild output, readable and
// minified: every original mapping must still resolve to the same original position over the
// same text, and every inserted character to nothing.

const builds: Build[] = [];
beforeAll(async () => {
  builds.push(await buildWithEsbuild('cjs', false, true), await buildWithEsbuild('esm', true, true));
});

describe('shiftMap', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`keeps every mapping under random insertions (seed ${seed})`, async () => {
      for (const build of builds) {
        const file = build.files.find((f) => f.map)!;
        const stream = new KeyedStream(TEST_KEY, `map/${seed}/${build.name}`);
        const insertions: Insertion[] = [];
        for (let i = 0; i < 25; i++) {
          // Often close to the previous one, so that several land in one mapped span.
          const near = insertions.length > 0 && stream.chance(0.4);
          const offset = near ? Math.min(file.code.length, insertions[insertions.length - 1].offset + stream.int(12)) : stream.int(file.code.length + 1);
          const text = stream.pick(['/*x*/', 'if(a==="q"&&!a)return 1;', '\n  if (a === "q" && !a) return 1;', 'case "q":\n', '\n\n']);
          insertions.push({ offset, text });
          if (stream.chance(0.2)) insertions.push({ offset, text: '/*stacked*/' });
        }
        const s = new MagicString(file.code);
        for (const ins of insertions) s.appendLeft(ins.offset, ins.text);
        const code = s.toString();
        const shifted = shiftMap(file.map as { mappings: string }, file.code, code, insertions);
        // Every segment must be well formed: source-map's consumer silently skips bad ones, so
        // check the decoded fields themselves (a broken shift once produced source indexes past
        // the end of `sources`).
        const raw = file.map as { sources: string[]; names?: string[] };
        for (const line of decode((shifted as { mappings: string }).mappings)) {
          for (const seg of line) {
            expect([1, 4, 5]).toContain(seg.length);
            if (seg.length >= 4) {
              expect(seg[1]).toBeGreaterThanOrEqual(0);
              expect(seg[1]).toBeLessThan(raw.sources.length);
              expect(Math.min(seg[2]!, seg[3]!)).toBeGreaterThanOrEqual(0);
            }
            if (seg.length === 5) expect(seg[4]).toBeLessThan(raw.names?.length ?? 0);
          }
        }

        const before = mappingSpans(file.code, await mappingsOf(file.map!, { names: true }));
        const expected = new Map<string, string[]>();
        for (const m of before) if (m.key) expected.set(m.key, [...(expected.get(m.key) ?? []), m.text]);
        const after = mappingSpans(code, await mappingsOf(shifted, { names: true }));
        const mapped = after.filter((m) => m.key);
        expect(mapped.length).toBeGreaterThanOrEqual(before.filter((m) => m.key).length);
        for (const m of mapped) expect(expected.get(m.key!)?.some((t) => t.includes(m.text)), `${build.name} ${m.key} ${JSON.stringify(m.text)}`).toBe(true);
        // Inserted text resolves to nothing: probe the first character of each insertion.
        await SourceMapConsumer.with(shifted as unknown as RawSourceMap, null, (c) => {
          let shift = 0;
          const sorted = insertions.map((ins, i) => ({ ins, i })).sort((a, b) => a.ins.offset - b.ins.offset || a.i - b.i);
          for (const { ins } of sorted) {
            const at = ins.offset + shift;
            shift += ins.text.length;
            if (ins.text.startsWith('\n')) continue;
            const line = code.slice(0, at).split('\n').length;
            const column = at - (code.lastIndexOf('\n', at - 1) + 1);
            expect(c.originalPositionFor({ line, column, bias: SourceMapConsumer.GREATEST_LOWER_BOUND }).source).toBeNull();
          }
        });
      }
    });
  }
});
