import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';
import { lineStarts, toLineCol } from '../maps/line-col.js';

// Decoys are pure insertions into already-generated code. Every mapping of the incoming map
// keeps its original position; only its generated position moves by what was inserted before
// it. Each inserted run starts with an unmapped segment (so it resolves to nothing), and where
// an insertion split an original segment's span, the span's remainder gets a copy of that
// segment (so columns after the insertion still resolve where they did).
//
// Only the lines that receive insertions are rewritten, and within them only the generated-
// column deltas that changed. The source/line/column/name fields are deltas carried across the
// whole string, so every original segment keeps its field text verbatim and in order, and the
// copy of a split segment is written with all-zero field deltas: it sits right after that
// segment's state (markers carry no fields), so zeros restate it without changing it.

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

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Thrown when a line is not the sorted, well-formed kind the in-place edit relies on. */
class NeedsFullDecode extends Error {}

function encodeVlq(value: number): string {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

interface Group {
  col: number;
  texts: string[];
  /** Past the last character of the code: nothing after it to keep mapped. */
  atEnd: boolean;
}

/** Where skipBefore stopped: the next segment's start, the running column, the last segment skipped. */
let skipPos = 0;
let skipCol = 0;
let skipFirst = -1;
let skipLast = -1;
let skipLastEnd = -1;

/** Where readColumnDelta stopped: just after the segment's first VLQ. */
let deltaEnd = 0;

/**
 * The generated-column delta a segment starts with (its first VLQ, at `pos`); sets deltaEnd.
 * A malformed or negative one sends the whole map to the full decoder.
 */
function readColumnDelta(mappings: string, pos: number, end: number): number {
  let value = 0;
  let shiftBits = 0;
  let digit: number;
  let p = pos;
  do {
    const c = mappings.charCodeAt(p++);
    digit = c < 128 ? B64_VALUE[c] : -1;
    if (digit === -1 || p > end) throw new NeedsFullDecode();
    value |= (digit & 31) << shiftBits;
    shiftBits += 5;
  } while (digit & 32);
  const delta = value & 1 ? -(value >>> 1) : value >>> 1;
  if (delta < 0) throw new NeedsFullDecode();
  deltaEnd = p;
  return delta;
}

/** The end of the segment whose fields go on from `p` (its `,`, or the line's end). */
function segmentEnd(mappings: string, p: number, end: number): number {
  const comma = mappings.indexOf(',', p);
  return comma === -1 || comma > end ? end : comma;
}

/**
 * Walks the segments from `pos` whose column stays below `target`, summing only their column
 * deltas. Kept a small top-level loop: on a multi-megabyte line it is nearly all the work.
 */
function skipBefore(mappings: string, pos: number, end: number, col: number, target: number): void {
  skipFirst = -1;
  skipLast = -1;
  while (pos < end) {
    const delta = readColumnDelta(mappings, pos, end);
    if (col + delta >= target) break;
    col += delta;
    const segEnd = segmentEnd(mappings, deltaEnd, end);
    if (skipFirst === -1) skipFirst = pos;
    skipLast = pos;
    skipLastEnd = segEnd;
    pos = segEnd + 1;
  }
  skipPos = pos;
  skipCol = col;
}

/** Rewrites one old line's segments (mappings[start, end)) with its insertion groups into `out`. */
function shiftLine(mappings: string, start: number, end: number, groups: Group[], out: string[]): void {
  let baseOld = 0; // new column of old column x on the current new line: x - baseOld + baseNew
  let baseNew = 0;
  let prevNewCol = 0;
  let lineHasItem = false;
  let runStart = -1; // a verbatim run of original segments, mappings[runStart, runEnd)
  let runEnd = -1;
  let coverStart = -1; // the last original segment seen on this line
  let coverEnd = -1;
  let g = 0;

  const flush = () => {
    if (runStart !== -1) out.push(mappings.slice(runStart, runEnd));
    runStart = -1;
  };
  const emit = (newCol: number, fields: string) => {
    flush();
    out.push((lineHasItem ? ',' : '') + encodeVlq(newCol - prevNewCol) + fields);
    prevNewCol = newCol;
    lineHasItem = true;
  };
  const fieldCount = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) if ((B64_VALUE[mappings.charCodeAt(i)] & 32) === 0) n++;
    return n;
  };
  const insertGroup = (group: Group, segmentAtCol: boolean) => {
    for (const text of group.texts) {
      emit(group.col - baseOld + baseNew, '');
      const lastNl = text.lastIndexOf('\n');
      if (lastNl === -1) {
        baseNew += text.length;
        continue;
      }
      flush();
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(';');
      lineHasItem = false;
      prevNewCol = 0;
      baseOld = group.col;
      baseNew = text.length - lastNl - 1;
    }
    if (segmentAtCol || group.atEnd || coverStart === -1) return;
    const fields = fieldCount(coverStart, coverEnd) - 1;
    if (fields > 0) emit(group.col - baseOld + baseNew, 'A'.repeat(fields));
  };

  let oldCol = 0;
  let pos = start;
  while (pos < end) {
    // Segments before the next insertion keep their text: they move by no more than the one
    // before them, so their deltas stand (at the line's start, or after the segment handled below).
    skipBefore(mappings, pos, end, oldCol, g < groups.length ? groups[g].col : Infinity);
    if (skipFirst !== -1) {
      if (runStart === -1) {
        if (lineHasItem) out.push(',');
        runStart = skipFirst;
      }
      runEnd = skipLastEnd;
      prevNewCol = skipCol - baseOld + baseNew;
      lineHasItem = true;
      coverStart = skipLast;
      coverEnd = skipLastEnd;
      oldCol = skipCol;
      pos = skipPos;
      if (pos >= end) break;
    }
    const delta = readColumnDelta(mappings, pos, end);
    const fieldsStart = deltaEnd;
    const segEnd = segmentEnd(mappings, fieldsStart, end);
    oldCol += delta;

    while (g < groups.length && groups[g].col <= oldCol) {
      const group = groups[g++];
      insertGroup(group, group.col === oldCol);
    }
    const newCol = oldCol - baseOld + baseNew;
    if (newCol - prevNewCol === delta) {
      // Same delta as before: the segment's text is unchanged (a run also keeps its commas).
      if (runStart === -1) {
        if (lineHasItem) out.push(',');
        runStart = pos;
      }
      runEnd = segEnd;
    } else {
      emit(newCol, mappings.slice(fieldsStart, segEnd));
    }
    prevNewCol = newCol;
    lineHasItem = true;
    coverStart = pos;
    coverEnd = segEnd;
    pos = segEnd + 1;
  }
  while (g < groups.length) insertGroup(groups[g++], false);
  flush();
}

function shiftInPlace(map: RawMap, oldCode: string, sorted: readonly Insertion[]): string {
  const oldStarts = lineStarts(oldCode);
  // Group the insertions by old line, then by column (stacked texts keep their order).
  const byLine = new Map<number, Group[]>();
  for (const ins of sorted) {
    const [line, col] = toLineCol(oldStarts, ins.offset);
    let groups = byLine.get(line);
    if (!groups) byLine.set(line, (groups = []));
    const last = groups[groups.length - 1];
    if (last && last.col === col) last.texts.push(ins.text);
    else groups.push({ col, texts: [ins.text], atEnd: ins.offset >= oldCode.length });
  }
  // Lines past the end of the mappings have no segments yet: pad them in.
  let mappings = map.mappings;
  let lineCount = 1;
  for (let i = mappings.indexOf(';'); i !== -1; i = mappings.indexOf(';', i + 1)) lineCount++;
  const lastLine = Math.max(-1, ...byLine.keys());
  if (lastLine >= lineCount) mappings += ';'.repeat(lastLine - lineCount + 1);

  const out: string[] = [];
  let line = 0;
  let lineStart = 0; // where `line` starts in mappings
  let copied = 0; // mappings before this are already in out
  for (const [target, groups] of [...byLine].sort((a, b) => a[0] - b[0])) {
    for (; line < target; line++) lineStart = mappings.indexOf(';', lineStart) + 1;
    out.push(mappings.slice(copied, lineStart));
    let lineEnd = mappings.indexOf(';', lineStart);
    if (lineEnd === -1) lineEnd = mappings.length;
    shiftLine(mappings, lineStart, lineEnd, groups, out);
    copied = lineEnd;
  }
  out.push(mappings.slice(copied));
  return out.join('');
}

/**
 * The whole-map version: decode, move every segment, re-encode (slow on big maps). Used when a
 * line is not the sorted, well-formed kind the in-place edit needs; exported to test it against.
 */
export function shiftMapByDecoding(map: RawMap, oldCode: string, newCode: string, insertions: readonly Insertion[]): RawMap {
  const sorted = insertions.filter((ins) => ins.text.length > 0).sort((a, b) => a.offset - b.offset);
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

export function shiftMap(map: RawMap, oldCode: string, newCode: string, insertions: readonly Insertion[]): RawMap {
  // Empty texts insert nothing; stacked texts keep the order they were given in.
  const sorted = insertions.filter((ins) => ins.text.length > 0).sort((a, b) => a.offset - b.offset);
  try {
    return { ...map, mappings: shiftInPlace(map, oldCode, sorted) };
  } catch (err) {
    if (!(err instanceof NeedsFullDecode)) throw err;
    return shiftMapByDecoding(map, oldCode, newCode, sorted);
  }
}
