import { SPECIAL, type Automaton } from './automaton.js';
import { CODE, T_DIGIT, T_LOWER, T_UPPER } from './fold.js';
import { codePointOf, decodeEscape, decodeUtf8, endOf, ESCAPE_LOOKAHEAD, foldBytes, foldCodePoint, isPlainSeparator } from './fold-bytes.js';

// The streaming search. One pass per automaton over raw bytes (usually one automaton), each
// byte one table load (see automaton.ts), in chunks of CHUNK bytes with the previous chunk
// kept, in three fixed buffers, so memory is fixed whatever the input size.
//
// The DFA only says "the last L folded characters spell pattern P". A candidate is then
// checked where it stands: it must start and end on a token boundary, and consecutive letters
// may be at most MAX_GAP raw bytes apart (so a match is never assembled from letters scattered
// over a page). Plain ASCII candidates are checked in place by walking back over the raw
// bytes; candidates touching an escape, non-ASCII text or a chunk edge are settled by folding
// a small window with the reference folding (fold-bytes.ts).

export const MAX_GAP = 64;
/** Patterns longer than this (folded) are not searched: decoy names are far shorter. */
export const MAX_PATTERN = 160;
/** Bytes per chunk: the input is copied into three fixed buffers (current, previous, filling), so nothing is allocated per chunk and memory stays flat. */
const CHUNK = 1 << 20;
/** Smallest chunk allowed: a candidate's widest window (see settle) must fit in two chunks. */
export const MIN_CHUNK = (MAX_PATTERN + 2) * MAX_GAP + 256;
/**
 * Bytes needed after a candidate's end to know whether a token boundary follows: the next two
 * folded characters, if they touch the end, lie within two escapes; farther away, a separator
 * stands between.
 */
const AFTER = 2 * ESCAPE_LOOKAHEAD + 8;

export interface RawHit {
  pattern: number;
  /** Raw byte offsets within the entry of the first and last folded character. */
  start: number;
  end: number;
}

export interface Location {
  line: number;
  /** 1-based, in bytes from the start of the line. */
  column: number;
}

interface Chunk {
  buf: Buffer;
  base: number;
  /** Newlines before `base` in the entry, and the offset of the last of them (-1: none). */
  lineAtStart: number;
  lastNewlineBefore: number;
  /** Bytes of `buf` consumed (the rest is carried into the next chunk). */
  consumed: number;
  /** Which pool buffer holds it (-1: none). */
  slot: number;
}

const EMPTY: Chunk = { buf: Buffer.alloc(0), base: 0, lineAtStart: 0, lastNewlineBefore: -1, consumed: 0, slot: -1 };

function isAlnum(b: number): boolean {
  const t = CODE[b] >> 6;
  return t >= T_LOWER && t <= T_DIGIT;
}

function isSpecial(b: number): boolean {
  return b === 0x5c || b >= 0x80;
}

/** Byte classes for counting token starts: 0 separator, 1 lower, 2 upper, 3 digit. */
const CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const t = CODE[b] >> 6;
  CLASS[b] = t >= T_LOWER && t <= T_DIGIT ? t : 0;
}
/**
 * TOKEN_START[prev << 2 | cur]: a token starts at cur. An upper→lower pair counts too (for
 * XMLParser's P), which over-counts Capitalised words; over-counting only makes the
 * false-positive bound more cautious.
 */
const TOKEN_START = new Uint8Array(16);
for (let p = 0; p < 4; p++) for (let c = 1; c < 4; c++) TOKEN_START[(p << 2) | c] = p !== c ? 1 : 0;

/** Run the DFA from buf[i] until a state >= hot (an output or SPECIAL): returns its index, or len. */
function run(buf: Uint8Array, i: number, len: number, table: Uint16Array, hot: number, regs: Float64Array): number {
  let s = regs[0];
  for (; i < len; i++) {
    const t = table[(s << 8) | buf[i]];
    if (t >= hot) break;
    s = t;
  }
  regs[0] = s;
  return i;
}

/** As run(), counting token starts too (the byte at the returned index is counted). */
function runCounting(buf: Uint8Array, i: number, len: number, table: Uint16Array, hot: number, regs: Float64Array): number {
  let s = regs[0];
  let prevClass = regs[1];
  let tokens = regs[2];
  for (; i < len; i++) {
    const b = buf[i];
    const c = CLASS[b];
    tokens += TOKEN_START[(prevClass << 2) | c];
    prevClass = c;
    const t = table[(s << 8) | b];
    if (t >= hot) break;
    s = t;
  }
  regs[0] = s;
  regs[1] = prevClass;
  regs[2] = tokens;
  return i;
}

export class StreamMatcher {
  /** Token starts seen (over all entries): each is where a decoy could begin. */
  tokens = 0;
  /** Raw bytes read (over all entries). */
  totalBytes = 0;

  private readonly states: Int32Array;
  private readonly lengths: Int32Array;
  private readonly patterns: readonly string[];
  private readonly pool: Buffer[] = [];
  private fillSlot = -1;
  private fillLength = 0;
  /** Entry offset of the filling buffer's first byte. */
  private fillBase = 0;
  private prev: Chunk = EMPTY;
  private cur: Chunk = EMPTY;
  private prevClass = 0;
  private pending: Array<{ pattern: number; end: number; rawEnd: number }> = [];
  /** The tight loops' registers: state, previous byte class, token starts counted. */
  private readonly regs = new Float64Array(3);
  private final = false;

  private readonly chunkSize: number;

  /** `patterns` are the folded patterns the automata were built from, by id. `chunkSize` is for tests. */
  constructor(
    private readonly automata: Automaton[],
    patterns: readonly string[],
    private readonly onHit: (hit: RawHit) => void,
    options: { chunkSize?: number } = {},
  ) {
    this.chunkSize = Math.max(MIN_CHUNK, options.chunkSize ?? CHUNK);
    this.states = new Int32Array(automata.length);
    this.patterns = patterns;
    this.lengths = Int32Array.from(patterns, (p) => p.length);
  }

  /** Start a file or archive entry: matches never span two. */
  beginEntry(): void {
    this.states.fill(0);
    this.fillSlot = -1;
    this.fillLength = 0;
    this.fillBase = 0;
    this.prev = EMPTY;
    this.cur = EMPTY;
    this.prevClass = 0;
    this.pending = [];
    this.final = false;
  }

  write(chunk: Uint8Array): void {
    this.totalBytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (this.fillSlot < 0) this.fillSlot = this.freeSlot();
      const fill = this.pool[this.fillSlot];
      const n = Math.min(this.chunkSize - this.fillLength, chunk.length - at);
      fill.set(chunk.subarray(at, at + n), this.fillLength);
      this.fillLength += n;
      at += n;
      if (this.fillLength === this.chunkSize) this.flush(false);
    }
  }

  /** A pool buffer that is neither the current nor the previous chunk. */
  private freeSlot(): number {
    for (let slot = 0; slot < 3; slot++) {
      if (slot === this.cur.slot || slot === this.prev.slot) continue;
      this.pool[slot] ??= Buffer.allocUnsafe(this.chunkSize);
      return slot;
    }
    throw new Error('unreachable: three buffers, two in use');
  }

  endEntry(): void {
    this.flush(true);
    this.final = true;
    this.settlePending();
  }

  /** Line and column of a raw offset in the current or previous chunk. */
  locate(offset: number): Location {
    const chunk = offset >= this.cur.base ? this.cur : this.prev;
    const end = Math.min(offset - chunk.base, chunk.buf.length);
    let line = chunk.lineAtStart + 1;
    let lastNewline = chunk.lastNewlineBefore;
    for (let k = chunk.buf.indexOf(10, 0); k !== -1 && k < end; k = chunk.buf.indexOf(10, k + 1)) {
      line++;
      lastNewline = chunk.base + k;
    }
    return { line, column: offset - lastNewline };
  }

  /** Raw bytes [start, end) if still held, else undefined. */
  rawSlice(start: number, end: number): Buffer | undefined {
    const cur = this.cur;
    const prev = this.prev;
    const curEnd = cur.base + cur.buf.length;
    end = Math.min(end, curEnd);
    if (start >= cur.base) return cur.buf.subarray(start - cur.base, end - cur.base);
    if (start >= prev.base && prev.base + prev.buf.length >= cur.base) {
      if (end <= cur.base) return prev.buf.subarray(start - prev.base, end - prev.base);
      return Buffer.concat([prev.buf.subarray(start - prev.base, cur.base - prev.base), cur.buf.subarray(0, end - cur.base)]);
    }
    return undefined;
  }

  private flush(final: boolean): void {
    if (this.fillLength === 0) return;
    const slot = this.fillSlot;
    const buf = this.pool[slot].subarray(0, this.fillLength);
    const base = this.fillBase;
    this.fillSlot = -1;
    this.fillLength = 0;
    // Newlines before this chunk: those of the previous chunk's consumed part.
    const last = this.cur;
    let lineAtStart = last.lineAtStart;
    let lastNewlineBefore = last.lastNewlineBefore;
    for (let k = last.buf.indexOf(10, 0); k !== -1 && k < last.consumed; k = last.buf.indexOf(10, k + 1)) {
      lineAtStart++;
      lastNewlineBefore = last.base + k;
    }
    this.prev = last;
    this.cur = { buf, base, lineAtStart, lastNewlineBefore, consumed: buf.length, slot };
    this.final = final;
    this.settlePending();
    let stop = buf.length;
    for (let a = 0; a < this.automata.length; a++) stop = this.scan(a, buf, base, final);
    this.cur.consumed = stop;
    this.fillBase = base + stop;
    if (stop < buf.length) {
      // An escape or a character cut by the chunk's end: it starts the next chunk.
      this.fillSlot = this.freeSlot();
      this.pool[this.fillSlot].set(buf.subarray(stop));
      this.fillLength = buf.length - stop;
    }
    // Candidates near this chunk's start need the previous chunk, which the next flush drops.
    this.settlePending();
  }

  /** The hot loop for automaton `a`. Returns where it stopped (buf.length, or a sequence to finish with the next chunk). */
  private scan(a: number, buf: Buffer, base: number, final: boolean): number {
    const { table, hot } = this.automata[a];
    const countTokens = a === 0;
    const len = buf.length;
    const regs = this.regs;
    regs[0] = this.states[a];
    regs[1] = this.prevClass;
    regs[2] = 0;
    let i = 0;
    let s = 0;
    let tokens = 0;
    while (i < len) {
      // Tight loops (small functions, which V8 optimises best) until something needs attention.
      i = countTokens ? runCounting(buf, i, len, table, hot, regs) : run(buf, i, len, table, hot, regs);
      s = regs[0];
      tokens = regs[2];
      if (i >= len) break;
      const t = table[(s << 8) | buf[i]];
      if (t !== SPECIAL) {
        regs[0] = t;
        this.candidates(a, t, buf, base, i, i);
        i++;
        continue;
      }
      // An escape or a non-ASCII character: decode it and feed what it stands for.
      const b = buf[i];
      if (!final && len - i < ESCAPE_LOOKAHEAD + 8) break; // it may continue in the next chunk
      const v = b === 0x5c ? decodeEscape(buf, i, len) : decodeUtf8(buf, i, len);
      const end = endOf(v);
      const cp = codePointOf(v);
      if (cp >= 0x80 && isPlainSeparator(cp)) {
        // Most non-ASCII text (punctuation, accents, CJK): a separator, no normalize() call.
        regs[1] = 0;
        i = end;
        continue;
      }
      const text = foldCodePoint(cp);
      for (let k = 0; k < text.length; k++) {
        const c = text.charCodeAt(k);
        if (c >= 0x80 || !isAlnum(c)) continue;
        if (countTokens) tokens++;
        const u = table[(s << 8) | c];
        s = u;
        if (u >= hot) this.candidates(a, u, buf, base, i, end - 1);
      }
      i = end;
      regs[0] = s;
      regs[1] = 0; // the next byte starts fresh: the decoded text counted its own tokens
      regs[2] = tokens;
    }
    this.states[a] = regs[0];
    if (countTokens) {
      this.prevClass = regs[1];
      this.tokens += regs[2];
    }
    return Math.min(i, len);
  }

  /** `i`: where the pattern's last character came from; `last`: the last raw byte of it (an escape or a non-ASCII run is longer). */
  private candidates(a: number, s: number, buf: Buffer, base: number, i: number, last: number): void {
    const { outputStart, outputs, hot } = this.automata[a];
    for (let k = outputStart[s - hot]; k < outputStart[s - hot + 1]; k++) {
      const pattern = outputs[k];
      const verdict = this.checkInPlace(buf, base, i, this.lengths[pattern]);
      if (verdict >= 0) this.onHit({ pattern, start: base + verdict, end: base + i });
      else if (verdict === UNSURE) this.pending.push({ pattern, end: base + i, rawEnd: base + last });
    }
  }

  /**
   * Check an ASCII candidate ending at buf[i] by walking back over the raw bytes. Returns the
   * start index, REJECT, or UNSURE (escape or non-ASCII nearby, or a chunk edge: settle later).
   */
  private checkInPlace(buf: Buffer, base: number, i: number, length: number): number {
    const len = buf.length;
    if (isSpecial(buf[i])) return UNSURE;
    let k = i;
    for (let n = 1; n < length; n++) {
      const from = k;
      k--;
      while (k >= 0 && !isAlnum(buf[k])) {
        if (isSpecial(buf[k])) return UNSURE;
        if (from - k > MAX_GAP) return REJECT;
        k--;
      }
      if (k < 0) return UNSURE;
      if (from - k > MAX_GAP) return REJECT;
    }
    const start = k;
    // An escape just before the start, or a non-ASCII character touching it, could decode to letters: unsure.
    for (let j = Math.max(0, start - ESCAPE_LOOKAHEAD); j < start; j++) if (buf[j] === 0x5c) return UNSURE;
    if (start > 0 && buf[start - 1] >= 0x80) return UNSURE;
    if (start < ESCAPE_LOOKAHEAD && base > 0) return UNSURE;
    if (i + 2 >= len) return UNSURE;
    if (isSpecial(buf[i + 1]) || isSpecial(buf[i + 2])) return UNSURE;
    if (!boundaryAt(buf, start)) return REJECT;
    if (isAlnum(buf[i + 1]) && !boundaryAt(buf, i + 1)) return REJECT;
    return start;
  }

  /** Settle candidates that needed more context, once it is there (or the entry has ended). */
  private settlePending(): void {
    if (this.pending.length === 0) return;
    const available = this.cur.base + this.cur.buf.length;
    const kept: Array<{ pattern: number; end: number; rawEnd: number }> = [];
    for (const p of this.pending) {
      if (!this.final && p.rawEnd + AFTER > available) kept.push(p);
      else this.settle(p.pattern, p.end, p.rawEnd);
    }
    this.pending = kept;
  }

  private settle(pattern: number, end: number, rawEnd: number): void {
    // A tight window first (letters at most an escape apart), the widest one the gap rule allows if that fails.
    const length = this.lengths[pattern];
    if (this.settleIn(pattern, end, rawEnd, length * ESCAPE_LOOKAHEAD + 4 * ESCAPE_LOOKAHEAD) !== CUT) return;
    this.settleIn(pattern, end, rawEnd, (length + 1) * MAX_GAP + 2 * ESCAPE_LOOKAHEAD);
  }

  /** HIT, NO, or CUT when the window was too short to see the candidate's start. */
  private settleIn(pattern: number, end: number, rawEnd: number, back: number): number {
    const length = this.lengths[pattern];
    const lowest = this.prev.buf.length > 0 ? this.prev.base : this.cur.base;
    const from = Math.max(lowest, end - back);
    const window = this.rawSlice(from, rawEnd + 1 + AFTER);
    if (!window) return NO;
    const folded = foldBytes(window, 0, window.length, from);
    // The window is read as if a separator preceded it, and may begin inside an escape: only a
    // start well inside it, or at the entry's first byte, is trusted.
    const trusted = from === 0 ? 0 : from + 2 * ESCAPE_LOOKAHEAD;
    let verdict = NO;
    // The candidate ends near the window's end: look from there.
    for (let j = folded.offsets.length - 1; j >= 0; j--) {
      if (folded.offsets[j] > end) continue;
      if (folded.offsets[j] < end) break;
      const first = j - length + 1;
      if (first < 0 || folded.offsets[first] < trusted) {
        verdict = CUT;
        continue;
      }
      if (folded.boundary[first] !== 1) continue;
      // Past the window's end there are only separators, or nothing.
      if (j + 1 < folded.offsets.length && folded.boundary[j + 1] !== 1) continue;
      let gapsOk = true;
      for (let q = first; q < j; q++) if (folded.offsets[q + 1] - folded.offsets[q] > MAX_GAP) gapsOk = false;
      if (!gapsOk) continue;
      if (folded.text.substr(first, length) !== this.patterns[pattern]) continue;
      this.onHit({ pattern, start: folded.offsets[first], end });
      return HIT;
    }
    return verdict;
  }
}

const REJECT = -1;
const UNSURE = -2;
const HIT = 0;
const NO = 1;
const CUT = 2;

/** Does the token-boundary rule put a boundary at buf[x] (an alphanumeric byte, x >= 1)? */
function boundaryAt(buf: Buffer, x: number): boolean {
  if (x === 0) return true;
  const p = buf[x - 1];
  const tp = CODE[p] >> 6;
  const tx = CODE[buf[x]] >> 6;
  if (tp < T_LOWER || tp > T_DIGIT) return true;
  if (tp !== tx && !(tp === T_UPPER && tx === T_LOWER)) return true;
  if (tp === T_UPPER && tx === T_UPPER && x + 1 < buf.length && CODE[buf[x + 1]] >> 6 === T_LOWER) return true;
  return false;
}
