import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';
import { describe, expect, it } from 'vitest';
import { shiftMap, shiftMapByDecoding, type Insertion } from '../src/decoys/map-shift.js';
import { KeyedStream } from '../src/decoys/random.js';
import { TEST_KEY } from './decoys-helpers.js';

// shiftMap rewrites only the lines that receive insertions, keeping the carried
// source/line/column/name deltas intact. Small hand-worked cases (two are the repros of the
// in-place version that wrote source indexes past the end of `sources`), then random maps
// against the decode-everything version.

function apply(code: string, insertions: readonly Insertion[]): string {
  const sorted = insertions.map((ins, i) => ({ ins, i })).sort((a, b) => a.ins.offset - b.ins.offset || a.i - b.i);
  let out = '';
  let at = 0;
  for (const { ins } of sorted) {
    out += code.slice(at, ins.offset) + ins.text;
    at = ins.offset;
  }
  return out + code.slice(at);
}

function shifted(code: string, mappings: SourceMapMappings, insertions: Insertion[], shift = shiftMap): SourceMapMappings {
  const map = { version: 3, sources: ['a', 'b'], names: ['n'], mappings: encode(mappings) };
  const lines = decode(shift(map, code, apply(code, insertions), insertions).mappings);
  while (lines.length > 0 && lines[lines.length - 1].length === 0) lines.pop();
  return lines;
}

describe('shiftMap on hand-worked maps', () => {
  it('splits the span an insertion lands in and keeps later fields (repro 1)', () => {
    const out = shifted('abcdefghij', [[[0, 0, 0, 0], [4, 0, 0, 4], [8, 1, 2, 3]]], [{ offset: 6, text: 'XYZ' }]);
    expect(out).toEqual([[[0, 0, 0, 0], [4, 0, 0, 4], [6], [9, 0, 0, 4], [11, 1, 2, 3]]]);
  });

  it('keeps a later segment on another source (repro 2)', () => {
    const out = shifted('abcdefghij', [[[0, 0, 0, 0], [4, 1, 0, 4]]], [{ offset: 2, text: 'XYZ' }]);
    expect(out).toEqual([[[0, 0, 0, 0], [2], [5, 0, 0, 0], [7, 1, 0, 4]]]);
  });

  it('moves segments to the lines an insertion opens, with stacked texts and names', () => {
    const code = 'abcdefghij\nklmno\npq';
    const mappings: SourceMapMappings = [
      [[0, 0, 0, 0], [4, 1, 0, 4]],
      [[0, 1, 1, 0, 0], [3, 0, 1, 3]],
      [[0, 1, 5, 5]],
    ];
    const out = shifted(code, mappings, [
      { offset: 6, text: 'X\nYY' },
      { offset: 6, text: '/*s*/' },
      { offset: 13, text: '\n' },
    ]);
    expect(out).toEqual([
      [[0, 0, 0, 0], [4, 1, 0, 4], [6]],
      [[2], [7, 1, 0, 4]],
      [[0, 1, 1, 0, 0], [2]],
      [[0, 1, 1, 0, 0], [1, 0, 1, 3]],
      [[0, 1, 5, 5]],
    ]);
  });

  it('pads lines the mappings never reached', () => {
    expect(shifted('ab\ncd\nef', [[[0, 0, 0, 0]]], [{ offset: 7, text: 'Q' }])).toEqual([[[0, 0, 0, 0]], [], [[1]]]);
  });
});

describe('shiftMap against the decode-everything version', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random maps and insertions (seed ${seed})`, () => {
      const stream = new KeyedStream(TEST_KEY, `map-shift/${seed}`);
      for (let round = 0; round < 150; round++) {
        const lineLengths = Array.from({ length: 1 + stream.int(4) }, () => stream.int(30));
        const code = lineLengths.map((n) => 'x'.repeat(n)).join('\n');
        const mappings: SourceMapMappings = lineLengths.slice(0, 1 + stream.int(lineLengths.length)).map((n) => {
          const line: SourceMapMappings[number] = [];
          for (let col = stream.int(3); col < n; col += 1 + stream.int(6)) {
            const kind = stream.int(3);
            line.push(kind === 0 ? [col] : kind === 1 ? [col, stream.int(2), stream.int(9), stream.int(9)] : [col, stream.int(2), stream.int(9), stream.int(9), 0]);
          }
          return line;
        });
        const insertions: Insertion[] = Array.from({ length: 1 + stream.int(5) }, () => ({
          offset: stream.int(code.length + 1),
          text: stream.pick(['Q', 'QQQ', '\n', 'Q\nQQ', '\n\nQ']),
        }));
        if (stream.chance(0.3)) insertions.push({ offset: insertions[0].offset, text: 'S' });
        expect(shifted(code, mappings, insertions), JSON.stringify({ code, mappings, insertions })).toEqual(shifted(code, mappings, insertions, shiftMapByDecoding));
      }
    });
  }
});
