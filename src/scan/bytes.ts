// Byte-level helpers. The scanner searches raw bytes first (Buffer.indexOf is native and fast)
// and decodes text only around what it finds, so a 100 MB single-line file or invalid UTF-8
// costs one pass and never a giant string.

/** Every offset at which `needle` occurs in `buf` (non-overlapping), at most `limit` of them. */
export function findAll(buf: Buffer, needle: Buffer | string, limit = Infinity): number[] {
  const n = typeof needle === 'string' ? Buffer.from(needle, 'latin1') : needle;
  const out: number[] = [];
  let at = buf.indexOf(n, 0);
  while (at >= 0 && out.length < limit) {
    out.push(at);
    at = buf.indexOf(n, at + n.length);
  }
  return out;
}

/**
 * Every offset of `needle`, found by searching for its tail `tail` (a suffix whose first byte
 * is rare in code, such as `URL=`) and checking the bytes before. Native searches slow down
 * when the needle's first byte is common (`s`, `p`, `"`), and one search can serve several
 * needles sharing a tail.
 */
export function findAllByTail(buf: Buffer, tail: string, needles: readonly string[]): Array<{ at: number; needle: string }> {
  const t = Buffer.from(tail, 'latin1');
  const out: Array<{ at: number; needle: string }> = [];
  for (let at = buf.indexOf(t); at >= 0; at = buf.indexOf(t, at + t.length)) {
    for (const needle of needles) {
      const start = at + t.length - needle.length;
      if (start >= 0 && buf.toString('latin1', start, at + t.length) === needle) {
        out.push({ at: start, needle });
        break;
      }
    }
  }
  return out;
}

/**
 * Length of the ECMAScript white space (not line terminators) at `i`, 0 if none: tab, VT, FF,
 * space, NBSP, BOM and the Unicode space separators, as UTF-8.
 */
export function whitespaceAt(buf: Buffer, i: number): number {
  const b = buf[i];
  if (b === 0x20 || b === 0x09 || b === 0x0b || b === 0x0c) return 1;
  if (b === 0xc2 && buf[i + 1] === 0xa0) return 2;
  if (b === 0xef && buf[i + 1] === 0xbb && buf[i + 2] === 0xbf) return 3;
  if (b === 0xe1 && buf[i + 1] === 0x9a && buf[i + 2] === 0x80) return 3;
  if (b === 0xe2 && buf[i + 1] === 0x80) {
    const c = buf[i + 2];
    if ((c >= 0x80 && c <= 0x8a) || c === 0xaf) return 3;
  }
  if (b === 0xe2 && buf[i + 1] === 0x81 && buf[i + 2] === 0x9f) return 3;
  if (b === 0xe3 && buf[i + 1] === 0x80 && buf[i + 2] === 0x80) return 3;
  return 0;
}

/** Length of the ECMAScript line terminator at `i` (LF, CR, LS, PS), 0 if none. */
export function lineTerminatorAt(buf: Buffer, i: number): number {
  const b = buf[i];
  if (b === 0x0a || b === 0x0d) return 1;
  if (b === 0xe2 && buf[i + 1] === 0x80 && (buf[i + 2] === 0xa8 || buf[i + 2] === 0xa9)) return 3;
  return 0;
}

const LS = Buffer.from([0xe2, 0x80, 0xa8]);
const PS = Buffer.from([0xe2, 0x80, 0xa9]);

/**
 * Walks ECMAScript lines in order. `lineAround(offset)` must be called with non-decreasing
 * offsets; each call costs only the native searches between the previous offset and this one,
 * so visiting every match of a needle in a file stays linear.
 */
export class LineWalker {
  private start = 0;
  private nextLf = -2;
  private nextCr = -2;
  private nextLs = -2;
  private nextPs = -2;

  constructor(private readonly buf: Buffer) {}

  private next(kind: 'lf' | 'cr' | 'ls' | 'ps', from: number): number {
    const cached = kind === 'lf' ? this.nextLf : kind === 'cr' ? this.nextCr : kind === 'ls' ? this.nextLs : this.nextPs;
    if (cached !== -2 && (cached === -1 || cached >= from)) return cached;
    const found =
      kind === 'lf' ? this.buf.indexOf(0x0a, from) : kind === 'cr' ? this.buf.indexOf(0x0d, from) : this.buf.indexOf(kind === 'ls' ? LS : PS, from);
    if (kind === 'lf') this.nextLf = found;
    else if (kind === 'cr') this.nextCr = found;
    else if (kind === 'ls') this.nextLs = found;
    else this.nextPs = found;
    return found;
  }

  private terminatorFrom(from: number): number {
    let best = this.buf.length;
    for (const kind of ['lf', 'cr', 'ls', 'ps'] as const) {
      const at = this.next(kind, from);
      if (at >= 0 && at < best) best = at;
    }
    return best;
  }

  /** [start, end) of the line holding `offset` (end excludes the terminator). */
  lineAround(offset: number): { start: number; end: number } {
    let end = this.terminatorFrom(this.start);
    while (end < offset) {
      this.start = end + (lineTerminatorAt(this.buf, end) || 1);
      end = this.terminatorFrom(this.start);
    }
    return { start: this.start, end };
  }
}

/** 1-based line and column of a byte offset. Lines end at LF; the column counts UTF-16 units. */
export class LineIndex {
  private lfs: number[] | undefined;

  constructor(private readonly buf: Buffer) {}

  position(offset: number): { line: number; column: number } {
    if (!this.lfs) this.lfs = findAll(this.buf, Buffer.from([0x0a]));
    const lfs = this.lfs;
    let lo = 0;
    let hi = lfs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lfs[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    const lineStart = lo === 0 ? 0 : lfs[lo - 1] + 1;
    // Columns of very long lines are approximated in bytes rather than decoding megabytes.
    const column = offset - lineStart > 1 << 20 ? offset - lineStart : this.buf.toString('utf8', lineStart, offset).length;
    return { line: lo + 1, column: column + 1 };
  }
}

/** A cheap guess that a buffer is text: no NUL byte in its first 8 KiB. */
export function looksLikeText(buf: Buffer): boolean {
  const head = buf.subarray(0, 8192);
  return head.indexOf(0) < 0;
}

/** Offset of the first byte that is not JSON white space (or a UTF-8 BOM), from `from`. */
export function skipJsonSpace(buf: Buffer, from = 0): number {
  let i = from;
  if (i === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  while (i < buf.length) {
    const b = buf[i];
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) i++;
    else break;
  }
  return i;
}
