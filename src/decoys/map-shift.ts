// Decoys are pure insertions into already-generated code. Every mapping of the incoming map
// keeps its original position; only its generated position moves by what was inserted before
// it. Each inserted run starts with an unmapped segment (so it resolves to nothing), and where
// an insertion split an original segment's span, the span's remainder gets a copy of that
// segment (so columns after the insertion still resolve where they did).
//
// Only the generated lines that receive an insertion are decoded and re-encoded: a map's
// columns restart on every line, and neither an unmapped segment nor a copy of the segment
// before it changes the running source/line/column/name state the next segment is encoded
// against, so every other line's text stays valid byte for byte; and within a line only the
// column deltas around each insertion change. (Decoding and re-encoding a 7 MB `mappings`
// cost ~1.5 s; this reads the column fields once.)

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

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

function vlq(value: number): string {
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

/** Number of VLQ fields in one encoded segment (a field ends at a digit without bit 32). */
function fieldCount(segment: string): number {
  let n = 0;
  for (let i = 0; i < segment.length; i++) if ((B64_VALUE[segment.charCodeAt(i)] & 32) === 0) n++;
  return n;
}

/**
 * One generated line's encoded segments with insertions at the given columns, edited in
 * place: only the column field of the first segment after each insertion changes (columns are
 * deltas), an unmapped segment marks the inserted text, and a copy of the segment before it
 * (all deltas 0: the same source position) continues a span the insertion split. Everything
 * else is copied as text. Returns the new text, with a `;` for each newline inserted.
 */
function shiftLine(text: string, insertions: Array<{ column: number; text: string }>): string {
  const n = text.length;
  let out = '';
  let copied = 0; // text[copied..] not yet in `out`
  let pos = 0; // start of the next unread segment
  let col = 0; // absolute column of the last segment read
  let prevStart = -1; // start of the last segment read
  let k = 0;
  // After the insertions so far: old column `anchor` is at column `resume` of the current
  // output line, and `newCol` is the column of the last segment written on that line.
  let anchor = 0;
  let resume = 0;
  let newCol = 0;
  let lineHasSegments = false;
  const readColumnDelta = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const digit = B64_VALUE[text.charCodeAt(pos++)];
      result += (digit & 31) * 2 ** shift;
      if ((digit & 32) === 0) break;
      shift += 5;
    }
    return result % 2 === 1 ? -(result - 1) / 2 : result / 2;
  };
  const newColumnOf = (oldColumn: number) => oldColumn - anchor + resume;
  while (k < insertions.length) {
    const column = insertions[k].column;
    // Read (without rewriting) every segment before this column.
    let nextStart = -1;
    let nextCol = 0;
    let nextColEnd = 0;
    while (pos < n) {
      const start = pos;
      const c = col + readColumnDelta();
      if (c >= column) {
        nextStart = start;
        nextCol = c;
        nextColEnd = pos;
        break;
      }
      col = c;
      prevStart = start;
      lineHasSegments = true;
      const comma = text.indexOf(',', pos);
      pos = comma < 0 ? n : comma + 1;
    }
    // Segments up to here are unchanged, and so is newCol's relation to them.
    const upto = nextStart >= 0 ? nextStart : n;
    out += text.slice(copied, upto);
    if (upto > copied) newCol = newColumnOf(col);
    const sep = () => (lineHasSegments ? ',' : '');
    // The insertions at this column, in order.
    while (k < insertions.length && insertions[k].column === column) {
      const ins = insertions[k++];
      const start = newColumnOf(column);
      out += sep() + vlq(start - newCol);
      lineHasSegments = true;
      newCol = start;
      const parts = ins.text.split('\n');
      for (let p = 1; p < parts.length; p++) {
        out += ';';
        lineHasSegments = false;
        newCol = 0;
      }
      resume = parts.length > 1 ? parts[parts.length - 1].length : start + ins.text.length;
      anchor = column;
    }
    // The insertion split a mapped span (no segment starts right at it): continue the span.
    if (prevStart >= 0 && nextCol !== column) {
      const comma = text.indexOf(',', prevStart);
      const fields = fieldCount(text.slice(prevStart, comma < 0 || comma > upto ? upto : comma));
      if (fields >= 4) {
        out += sep() + vlq(resume - newCol) + (fields === 5 ? 'AAAA' : 'AAA');
        lineHasSegments = true;
        newCol = resume;
      }
    }
    if (nextStart >= 0 && k < insertions.length && insertions[k].column <= nextCol) {
      // The next insertion also comes before that segment: read it again next time round.
      pos = nextStart;
      copied = nextStart;
    } else if (nextStart >= 0) {
      // The first segment at or after the insertions: only its column delta changes.
      const at = newColumnOf(nextCol);
      out += sep() + vlq(at - newCol);
      lineHasSegments = true;
      newCol = at;
      col = nextCol;
      prevStart = nextStart;
      copied = nextColEnd;
      const comma = text.indexOf(',', pos);
      pos = comma < 0 ? n : comma + 1;
    } else copied = n;
  }
  return out + text.slice(copied);
}

export function shiftMap(map: RawMap, oldCode: string, _newCode: string, insertions: readonly Insertion[]): RawMap {
  if (insertions.length === 0) return { ...map };
  const starts = lineStarts(oldCode);
  // Group insertions by generated line, keeping their order at equal offsets (magic-string's
  // appendLeft puts later ones after earlier ones).
  const byLine = new Map<number, Array<{ column: number; text: string }>>();
  const ordered = insertions.map((ins, i) => ({ ins, i })).sort((a, b) => a.ins.offset - b.ins.offset || a.i - b.i);
  for (const { ins } of ordered) {
    const line = lineOf(starts, ins.offset);
    let list = byLine.get(line);
    if (!list) byLine.set(line, (list = []));
    list.push({ column: ins.offset - starts[line], text: ins.text });
  }
  const lines = map.mappings.split(';');
  for (const [line, list] of byLine) {
    if (line >= lines.length) continue; // past the last mapped line: nothing to move
    lines[line] = shiftLine(lines[line], list);
  }
  return { ...map, mappings: lines.join(';') };
}
