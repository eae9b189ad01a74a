import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';

// Decoys are pure insertions into already-generated code. Every mapping of the incoming map
// keeps its original position; only its generated position moves by what was inserted before
// it. Each inserted run starts with an unmapped segment (so it resolves to nothing), and where
// an insertion split an original segment's span, the span's remainder gets a copy of that
// segment (so columns after the insertion still resolve where they did).

export interface Insertion {
  /** Offset in the old code; the text goes before the character at this offset. */
  offset: number;
  text: string;
}

export interface RawMap {
  version?: number;
  mappings: string;
  [k: string]: unknown;
}

function lineStarts(code: string): number[] {
  const starts = [0];
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function toLineCol(starts: number[], offset: number): [number, number] {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return [lo, offset - starts[lo]];
}

export function shiftMap(map: RawMap, oldCode: string, newCode: string, insertions: readonly Insertion[]): RawMap {
  const sorted = insertions.slice().sort((a, b) => a.offset - b.offset);
  const oldStarts = lineStarts(oldCode);
  const newStarts = lineStarts(newCode);
  const decoded = decode(map.mappings);
  const out: SourceMapMappings = Array.from({ length: newStarts.length }, () => []);

  // Cumulative inserted length before each insertion (insertions at the same offset stack).
  const before: number[] = [];
  let acc = 0;
  for (const ins of sorted) {
    before.push(acc);
    acc += ins.text.length;
  }
  /** New offset of the old character at `offset` (inserted text at `offset` goes before it). */
  const shift = (offset: number): number => {
    // Count insertions with ins.offset <= offset.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? offset : offset + before[lo - 1] + sorted[lo - 1].text.length;
  };

  const segmentStarts = new Set<number>();
  for (let line = 0; line < decoded.length; line++) {
    for (const seg of decoded[line]) {
      const oldOffset = oldStarts[line] + seg[0];
      segmentStarts.add(oldOffset);
      const [nl, nc] = toLineCol(newStarts, shift(oldOffset));
      out[nl].push([nc, ...(seg.slice(1) as [])] as unknown as SourceMapMappings[number][number]);
    }
  }
  // The segment covering an old offset (the last one at or before it on its line).
  const covering = (offset: number) => {
    const [line, col] = toLineCol(oldStarts, offset);
    const segs = decoded[line] ?? [];
    let found: SourceMapMappings[number][number] | undefined;
    for (const seg of segs) {
      if (seg[0] <= col) found = seg;
      else break;
    }
    return found;
  };
  for (let k = 0; k < sorted.length; k++) {
    const ins = sorted[k];
    const startNew = ins.offset + before[k];
    const [sl, sc] = toLineCol(newStarts, startNew);
    out[sl].push([sc]);
    const cover = covering(ins.offset);
    if (cover && cover.length > 1 && !segmentStarts.has(ins.offset) && ins.offset < oldCode.length) {
      const [al, ac] = toLineCol(newStarts, shift(ins.offset));
      out[al].push([ac, ...(cover.slice(1) as [])] as unknown as SourceMapMappings[number][number]);
    }
  }
  for (const line of out) line.sort((a, b) => a[0] - b[0]);
  // Drop exact duplicates that stacking can produce (same column, keep the first).
  for (let l = 0; l < out.length; l++) {
    out[l] = out[l].filter((seg, i, arr) => i === 0 || arr[i - 1][0] !== seg[0] || arr[i - 1].length !== seg.length);
  }
  return { ...map, mappings: encode(out) };
}
