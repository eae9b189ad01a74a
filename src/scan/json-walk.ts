// A forward-only JSON walker over raw bytes, for source maps.
//
// Why not JSON.parse: on a 60 MB map (the incident's size) JSON.parse alone takes longer than
// gunzipping the tarball, and it materialises every sourcesContent string just to be counted.
// This walker finds string ends (quotes and backslashes only: a WebAssembly loop over a window
// of the bytes, json-strings.ts, then native Buffer.indexOf jumps for what it leaves), counts
// lines and UTF-8 bytes of each string from its escapes, and decodes only the small values we
// need (version, sources, sourceRoot...). It is iterative (an explicit stack), so a
// value nested 100,000 levels deep costs memory proportional to its depth, never the JS stack.
// bench/ measures it against JSON.parse; test/scan-sourcemap.test.ts checks it against JSON.parse.
//
// It can also walk bytes while they arrive (a 60 MB map streaming out of a tarball), so that the
// walk overlaps decompression instead of following it: the cursor's reads return NEED (or
// undefined) when the bytes they need have not arrived, the few structural walks are generators
// that yield there (the per-element loops, skipStep and stringsStep, are plain loops that keep
// their state), and `grow()` resumes them. A string that spans chunks is resumed where its last
// escape ended, never searched again from its start. Once `complete`, nothing returns NEED and
// every result and error is the same as a walk of the whole buffer
// (test/scan-early.test.ts splits maps at every kind of boundary to check it).

import { scanned, scanStringBytes, skipStringElements } from './json-strings.js';

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Line and byte counts of one JSON string, computed from its raw bytes. */
export interface StringStats {
  /** Raw content range in the buffer, between the quotes (escapes not decoded). */
  start: number;
  end: number;
  /** Decoded length in UTF-8 bytes. */
  bytes: number;
  /** Lines of decoded text: LF count, plus one when the text does not end with LF. */
  lines: number;
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/** The value of four hex digits at `i`, or -1. */
function hex4(buf: Buffer, i: number): number {
  const a = hexDigit(buf[i]);
  const b = hexDigit(buf[i + 1]);
  const c = hexDigit(buf[i + 2]);
  const d = hexDigit(buf[i + 3]);
  return a < 0 || b < 0 || c < 0 || d < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/** What a read returns when the bytes it needs have not arrived yet (never once complete). */
export const NEED = -2;

/** A structural walk: yields (nothing) when it needs more bytes, returns its result. */
export type Walk<T = void> = Generator<void, T, void>;

// Phases of skipStep and stringsStep.
const VALUE = 0;
const AFTER_VALUE = 1;
const KEY = 2;
const COLON = 3;
const OBJECT_START = 4;
const ARRAY_START = 5;
const ARRAY_OPEN = 0;
const ARRAY_FIRST = 1;
const ARRAY_ITEM = 2;
const ARRAY_AFTER = 3;

/** Where a skip stands: the closers of the containers it is in, and what comes next. */
export interface SkipState {
  closers: number[];
  phase: number;
}

/** Where an array walk stands (stringsStep), with the skip of a non-string element under way. */
export interface ArrayState {
  phase: number;
  skip: SkipState | undefined;
}

/** A string read that ran out of bytes: where to go on. */
interface PartialString {
  start: number;
  /** Everything before `p` has been accounted for (escapes counted, plain bytes skipped). */
  p: number;
  /** No unescaped-quote candidate before this offset. */
  quoteFrom: number;
  reduction: number;
  newlines: number;
  /** End offset of the last newline escape (-1: none). */
  lastNewlineEnd: number;
}

export class JsonCursor {
  pos: number;
  /** End of the bytes that have arrived; the end of the JSON once `complete`. */
  end: number;
  complete: boolean;
  /** `buf` up to `end`: native searches must not run into bytes that have not arrived. */
  private view: Buffer;
  private nextQuote = -2;
  private nextBackslash = -2;
  private partial: PartialString | undefined;

  /** `complete = false`: only [0, end) has arrived; `grow()` says when more has. */
  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
    complete = true,
  ) {
    this.pos = start;
    this.end = end;
    this.complete = complete;
    this.view = end === buf.length ? buf : buf.subarray(0, end);
  }

  /** Bytes [0, end) have now arrived; `complete` when that is all of them. */
  grow(end: number, complete: boolean): void {
    this.end = end;
    this.complete = complete;
    this.view = end === this.buf.length ? this.buf : this.buf.subarray(0, end);
    // "Not found" meant "not found so far".
    if (this.nextQuote === -1) this.nextQuote = -2;
    if (this.nextBackslash === -1) this.nextBackslash = -2;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(this.pos >= this.end ? 'unexpected end of JSON' : message, this.pos);
  }

  skipSpace(): void {
    const buf = this.buf;
    let i = this.pos;
    while (i < this.end) {
      const b = buf[i];
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  /** The next non-space byte, without consuming it (-1 at the end, NEED before it arrives). */
  peek(): number {
    this.skipSpace();
    return this.pos < this.end ? this.buf[this.pos] : this.complete ? -1 : NEED;
  }

  /** Yields until the next non-space byte has arrived (or the JSON has ended), and returns it. */
  *peekWalk(): Walk<number> {
    let c = this.peek();
    while (c === NEED) {
      yield;
      c = this.peek();
    }
    return c;
  }

  *expect(byte: number): Walk {
    if ((yield* this.peekWalk()) !== byte) this.fail(`expected '${String.fromCharCode(byte)}'`);
    this.pos++;
  }

  /**
   * Reads a string at the cursor (which must be on its opening quote) and returns its stats, or
   * undefined when its end has not arrived yet (call again after `grow()`: it goes on from where
   * it stopped). Only escapes are visited, so the cost is one native search per escape and per
   * string.
   */
  readString(): StringStats | undefined {
    // The loop's state: fresh, or where a read that ran out of bytes stopped.
    let start: number;
    let p: number;
    let quoteFrom: number;
    let reduction = 0;
    let newlines = 0;
    let lastNewlineEnd = -1;
    const partial = this.partial;
    if (partial === undefined) {
      const c = this.peek();
      if (c === NEED) return undefined;
      if (c !== QUOTE) this.fail('expected a string');
      start = this.pos + 1;
      p = start;
      quoteFrom = start;
    } else {
      this.partial = undefined;
      ({ start, p, quoteFrom, reduction, newlines, lastNewlineEnd } = partial);
    }
    const buf = this.buf;
    const view = this.view;
    const limit = this.end;
    // The fast path (json-strings.ts) goes as far as it can decide; this loop does the rest.
    if (p < limit) {
      const quote = scanStringBytes(this, buf, p, limit);
      reduction += scanned.reduction;
      newlines += scanned.newlines;
      if (scanned.lastNewlineEnd >= 0) lastNewlineEnd = scanned.lastNewlineEnd;
      if (quote >= 0) return this.endString(start, quote, reduction, newlines, lastNewlineEnd);
      p = scanned.at;
    }
    // Local copies of the cached search positions: this loop runs once per escape.
    let q = this.nextQuote;
    let b = this.nextBackslash;
    for (;;) {
      if (q !== -1 && q < p) q = view.indexOf(QUOTE, Math.max(p, quoteFrom));
      if (q < 0 && this.complete) {
        this.pos = limit;
        this.fail('unterminated string');
      }
      if (b !== -1 && b < p) b = view.indexOf(BACKSLASH, p);
      if (b < 0 || (q >= 0 && b > q)) {
        if (q >= 0) break;
        // Neither a quote nor an escape in [p, limit): those bytes are plain text.
        p = limit;
        break;
      }
      // An escape at b, before the quote or before the end of what has arrived.
      const c = buf[b + 1];
      if (q < 0 && b + 6 > limit) {
        // Its bytes may not all be here (a \u needs four more); and whether it is an error
        // depends on whether the string ends at all: take it up again with more bytes.
        p = b;
        break;
      }
      if (c === 0x6e /* n */) {
        newlines++;
        lastNewlineEnd = b + 2;
        reduction += 1;
        p = b + 2;
      } else if (c === 0x75 /* u */) {
        const unit = hex4(buf, b + 2);
        if (unit < 0) {
          if (q < 0) {
            p = b;
            break;
          }
          this.pos = b;
          this.fail('bad \\u escape');
        }
        const width = unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
        reduction += 6 - width;
        if (unit === 0x0a) {
          newlines++;
          lastNewlineEnd = b + 6;
        }
        p = b + 6;
      } else if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x72 || c === 0x74) {
        reduction += 1;
        p = b + 2;
      } else {
        if (q < 0) {
          p = b;
          break;
        }
        this.pos = b;
        this.fail(b + 1 >= limit ? 'unterminated string' : 'bad escape');
      }
    }
    this.nextQuote = q;
    this.nextBackslash = b;
    if (q < 0) {
      // The closing quote has not arrived: no quote anywhere in [p, limit) (a quote at or after
      // p would have been found), so the next search for one starts at limit.
      this.partial = { start, p, quoteFrom: limit, reduction, newlines, lastNewlineEnd };
      this.pos = start - 1;
      return undefined;
    }
    return this.endString(start, q, reduction, newlines, lastNewlineEnd);
  }

  /** The stats of a string whose closing quote is at `q`; the cursor moves past it. */
  private endString(start: number, q: number, reduction: number, newlines: number, lastNewlineEnd: number): StringStats {
    this.pos = q + 1;
    const bytes = q - start - reduction;
    const lines = bytes === 0 ? 0 : newlines + (lastNewlineEnd === q ? 0 : 1);
    return { start, end: q, bytes, lines };
  }

  /** readString, yielding until the string's end has arrived. */
  *readStringWalk(): Walk<StringStats> {
    let s = this.readString();
    while (s === undefined) {
      yield;
      s = this.readString();
    }
    return s;
  }

  /** Reads a string and decodes it (for short values such as paths). */
  *readStringValue(): Walk<string> {
    return this.decodeString(yield* this.readStringWalk());
  }

  /** The decoded value of a string read by readString. */
  decodeString(s: StringStats): string {
    const raw = this.buf.toString('utf8', s.start, s.end);
    if (!raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.pos = s.start;
      return this.fail('bad string');
    }
  }

  /** Reads a number token: its value, or undefined when it may go on in bytes not yet here. */
  number(): number | undefined {
    this.skipSpace();
    const start = this.pos;
    const buf = this.buf;
    let i = start;
    while (i < this.end) {
      const b = buf[i];
      if ((b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45) i++;
      else break;
    }
    if (i === this.end && !this.complete) return undefined;
    if (i === start) this.fail('expected a number');
    this.pos = i;
    const value = Number(buf.toString('latin1', start, i));
    if (Number.isNaN(value)) {
      this.pos = start;
      this.fail('bad number');
    }
    return value;
  }

  *readNumber(): Walk<number> {
    let value = this.number();
    while (value === undefined) {
      yield;
      value = this.number();
    }
    return value;
  }

  /** Reads true, false or null at the cursor; false when its bytes have not all arrived. */
  private literal(): boolean {
    const buf = this.buf;
    const word = buf[this.pos] === 0x74 ? 'true' : buf[this.pos] === 0x66 ? 'false' : 'null';
    if (this.pos + word.length > this.end && !this.complete) return false;
    if (buf.toString('latin1', this.pos, Math.min(this.pos + word.length, this.end)) !== word) this.fail('unexpected token');
    this.pos += word.length;
    return true;
  }

  /**
   * Advances a skip over one complete value of any kind (iterative: any depth costs only its
   * stack of closers); true once skipped, false when it needs more bytes (call again after
   * grow()). A plain loop, not a generator: V8 does not optimise a long loop inside a generator
   * while it runs, and `names` arrays hold thousands of elements.
   */
  skipStep(st: SkipState): boolean {
    const closers = st.closers;
    let c: number;
    for (;;) {
      switch (st.phase) {
        case VALUE:
          c = this.peek();
          if (c === NEED) return false;
          if (c === QUOTE) {
            // Inside an array (`names`): skip its run of strings in one call.
            if (closers.length > 0 && closers[closers.length - 1] === 0x5d && this.partial === undefined) {
              const after = skipStringElements(this, this.buf, this.pos, this.end);
              if (after > this.pos) {
                this.pos = after;
                st.phase = AFTER_VALUE;
                break;
              }
            }
            if (this.readString() === undefined) return false;
            st.phase = AFTER_VALUE;
          } else if (c === 0x7b /* { */) {
            this.pos++;
            st.phase = OBJECT_START;
          } else if (c === 0x5b /* [ */) {
            this.pos++;
            st.phase = ARRAY_START;
          } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
            if (!this.literal()) return false;
            st.phase = AFTER_VALUE;
          } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            if (this.number() === undefined) return false;
            st.phase = AFTER_VALUE;
          } else this.fail('unexpected token');
          break;
        case OBJECT_START:
          c = this.peek();
          if (c === NEED) return false;
          if (c === 0x7d) {
            this.pos++;
            st.phase = AFTER_VALUE;
          } else {
            closers.push(0x7d);
            st.phase = KEY;
          }
          break;
        case ARRAY_START:
          c = this.peek();
          if (c === NEED) return false;
          if (c === 0x5d) {
            this.pos++;
            st.phase = AFTER_VALUE;
          } else {
            closers.push(0x5d);
            st.phase = VALUE;
          }
          break;
        case KEY:
          if (this.readString() === undefined) return false;
          st.phase = COLON;
          break;
        case COLON:
          c = this.peek();
          if (c === NEED) return false;
          if (c !== 0x3a) this.fail("expected ':'");
          this.pos++;
          st.phase = VALUE;
          break;
        default: {
          // AFTER_VALUE
          if (closers.length === 0) return true;
          c = this.peek();
          if (c === NEED) return false;
          const top = closers[closers.length - 1];
          if (c === 0x2c /* , */) {
            this.pos++;
            st.phase = top === 0x7d ? KEY : VALUE;
          } else if (c === top) {
            this.pos++;
            closers.pop();
          } else {
            this.fail(`expected ',' or '${String.fromCharCode(top)}'`);
          }
        }
      }
    }
  }

  /** Skips one complete value of any kind. */
  *skipValue(): Walk {
    const st: SkipState = { closers: [], phase: VALUE };
    while (!this.skipStep(st)) yield;
  }

  /**
   * Iterates the members of the object at the cursor: runs `onKey` with the cursor on each
   * value; `onKey` must consume the value (or return false to have it skipped).
   */
  *eachMember(onKey: (key: string) => Walk<boolean | void>): Walk {
    yield* this.expect(0x7b);
    if ((yield* this.peekWalk()) === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      const key = yield* this.readStringValue();
      yield* this.expect(0x3a);
      this.skipSpace();
      if ((yield* onKey(key)) === false) yield* this.skipValue();
      const c = yield* this.peekWalk();
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return;
      }
      this.fail("expected ',' or '}'");
    }
  }

  /** Iterates the elements of the array at the cursor; `onItem` must consume each element. */
  *eachItem(onItem: (index: number) => Walk): Walk {
    yield* this.expect(0x5b);
    if ((yield* this.peekWalk()) === 0x5d) {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.skipSpace();
      yield* onItem(i);
      const c = yield* this.peekWalk();
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return;
      }
      this.fail("expected ',' or ']'");
    }
  }

  /**
   * Advances over the array at the cursor: `onItem` gets the stats of each string element, null
   * for any other element (skipped); true once the array has ended, false when it needs more
   * bytes. eachItem as a plain loop (see skipStep): sources and sourcesContent have thousands
   * of elements.
   */
  stringsStep(st: ArrayState, onItem: (s: StringStats | null) => void): boolean {
    let c: number;
    for (;;) {
      switch (st.phase) {
        case ARRAY_OPEN:
          c = this.peek();
          if (c === NEED) return false;
          if (c !== 0x5b) this.fail("expected '['");
          this.pos++;
          st.phase = ARRAY_FIRST;
          break;
        case ARRAY_FIRST:
          c = this.peek();
          if (c === NEED) return false;
          if (c === 0x5d) {
            this.pos++;
            return true;
          }
          st.phase = ARRAY_ITEM;
          break;
        case ARRAY_ITEM:
          if (st.skip === undefined) {
            this.skipSpace();
            c = this.peek();
            if (c === NEED) return false;
            if (c === QUOTE) {
              const s = this.readString();
              if (s === undefined) return false;
              onItem(s);
              st.phase = ARRAY_AFTER;
              break;
            }
            st.skip = { closers: [], phase: VALUE };
          }
          if (!this.skipStep(st.skip)) return false;
          st.skip = undefined;
          onItem(null);
          st.phase = ARRAY_AFTER;
          break;
        default:
          // ARRAY_AFTER
          c = this.peek();
          if (c === NEED) return false;
          if (c === 0x2c) {
            this.pos++;
            st.phase = ARRAY_ITEM;
          } else if (c === 0x5d) {
            this.pos++;
            return true;
          } else {
            this.fail("expected ',' or ']'");
          }
      }
    }
  }

  /** Iterates an array of (mostly) strings: see stringsStep. */
  *eachString(onItem: (s: StringStats | null) => void): Walk {
    const st: ArrayState = { phase: ARRAY_OPEN, skip: undefined };
    while (!this.stringsStep(st, onItem)) yield;
  }
}
