// A forward-only JSON walker over raw bytes, for source maps.
//
// Why not JSON.parse: on a 60 MB map (the incident's size) JSON.parse alone takes longer than
// gunzipping the tarball, and it materialises every sourcesContent string just to be counted.
// This walker finds string ends with native Buffer.indexOf jumps (quotes and backslashes only),
// counts lines and UTF-8 bytes of each string from its escapes, and decodes only the small
// values we need (version, sources, sourceRoot...). It is iterative (an explicit stack), so a
// value nested 100,000 levels deep costs memory proportional to its depth, never the JS stack.
// bench/ measures it against JSON.parse; test/scan-sourcemap.test.ts checks it against JSON.parse.

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

export class JsonCursor {
  pos: number;
  private nextQuote = -2;
  private nextBackslash = -2;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
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

  /** The next non-space byte, without consuming it (-1 at the end). */
  peek(): number {
    this.skipSpace();
    return this.pos < this.end ? this.buf[this.pos] : -1;
  }

  expect(byte: number): void {
    if (this.peek() !== byte) this.fail(`expected '${String.fromCharCode(byte)}'`);
    this.pos++;
  }

  /**
   * Reads a string at the cursor (which must be on its opening quote) and returns its stats.
   * Only escapes are visited, so the cost is one native search per escape and per string.
   */
  readString(): StringStats {
    if (this.peek() !== QUOTE) this.fail('expected a string');
    const buf = this.buf;
    const limit = this.end;
    const start = this.pos + 1;
    // Local copies of the cached search positions: this loop runs once per escape.
    let q = this.nextQuote;
    let b = this.nextBackslash;
    let p = start;
    let reduction = 0;
    let newlines = 0;
    let lastWasNewline = false;
    for (;;) {
      if (q !== -1 && q < p) {
        q = buf.indexOf(QUOTE, p);
        if (q >= limit) q = -1;
      }
      if (q < 0) {
        this.pos = limit;
        this.fail('unterminated string');
      }
      if (b !== -1 && b < p) {
        b = buf.indexOf(BACKSLASH, p);
        if (b >= limit) b = -1;
      }
      if (b < 0 || b > q) break;
      const c = buf[b + 1];
      if (c === 0x6e /* n */) {
        newlines++;
        lastWasNewline = b + 2 === q;
        reduction += 1;
        p = b + 2;
      } else if (c === 0x75 /* u */) {
        const unit = hex4(buf, b + 2);
        if (unit < 0) {
          this.pos = b;
          this.fail('bad \\u escape');
        }
        const width = unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
        reduction += 6 - width;
        if (unit === 0x0a) {
          newlines++;
          lastWasNewline = b + 6 === q;
        }
        p = b + 6;
      } else if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x72 || c === 0x74) {
        reduction += 1;
        p = b + 2;
      } else {
        this.pos = b;
        this.fail(b + 1 >= limit ? 'unterminated string' : 'bad escape');
      }
    }
    this.nextQuote = q;
    this.nextBackslash = b;
    this.pos = q + 1;
    const bytes = q - start - reduction;
    const lines = bytes === 0 ? 0 : newlines + (lastWasNewline ? 0 : 1);
    return { start, end: q, bytes, lines };
  }

  /** Reads a string and decodes it (for short values such as paths). */
  readStringValue(): string {
    const s = this.readString();
    const raw = this.buf.toString('utf8', s.start, s.end);
    if (!raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.pos = s.start;
      return this.fail('bad string');
    }
  }

  /** Reads a number token and returns its value. */
  readNumber(): number {
    this.skipSpace();
    const start = this.pos;
    const buf = this.buf;
    let i = start;
    while (i < this.end) {
      const b = buf[i];
      if ((b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45) i++;
      else break;
    }
    if (i === start) this.fail('expected a number');
    this.pos = i;
    const value = Number(buf.toString('latin1', start, i));
    if (Number.isNaN(value)) {
      this.pos = start;
      this.fail('bad number');
    }
    return value;
  }

  private readLiteral(): void {
    const buf = this.buf;
    const word = buf[this.pos] === 0x74 ? 'true' : buf[this.pos] === 0x66 ? 'false' : 'null';
    if (buf.toString('latin1', this.pos, this.pos + word.length) !== word) this.fail('unexpected token');
    this.pos += word.length;
  }

  /** Skips one complete value of any kind, iteratively. */
  skipValue(): void {
    const closers: number[] = [];
    // expectValue: a value must come next; otherwise a ',' or a closer.
    let expectValue = true;
    for (;;) {
      const c = this.peek();
      if (expectValue) {
        if (c === QUOTE) this.readString();
        else if (c === 0x7b /* { */) {
          this.pos++;
          if (this.peek() === 0x7d) {
            this.pos++;
          } else {
            closers.push(0x7d);
            this.readString();
            this.expect(0x3a);
            continue;
          }
        } else if (c === 0x5b /* [ */) {
          this.pos++;
          if (this.peek() === 0x5d) {
            this.pos++;
          } else {
            closers.push(0x5d);
            continue;
          }
        } else if (c === 0x74 || c === 0x66 || c === 0x6e) this.readLiteral();
        else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.readNumber();
        else this.fail('unexpected token');
        expectValue = false;
      }
      if (closers.length === 0) return;
      const next = this.peek();
      const top = closers[closers.length - 1];
      if (next === 0x2c /* , */) {
        this.pos++;
        if (top === 0x7d) {
          this.readString();
          this.expect(0x3a);
        }
        expectValue = true;
      } else if (next === top) {
        this.pos++;
        closers.pop();
      } else {
        this.fail(`expected ',' or '${String.fromCharCode(top)}'`);
      }
    }
  }

  /**
   * Iterates the members of the object at the cursor: calls `onKey` with the cursor on each
   * value; `onKey` must consume the value (or return false to have it skipped).
   */
  eachMember(onKey: (key: string) => boolean | void): void {
    this.expect(0x7b);
    if (this.peek() === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      const key = this.readStringValue();
      this.expect(0x3a);
      this.skipSpace();
      if (onKey(key) === false) this.skipValue();
      const c = this.peek();
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
  eachItem(onItem: (index: number) => void): void {
    this.expect(0x5b);
    if (this.peek() === 0x5d) {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.skipSpace();
      onItem(i);
      const c = this.peek();
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
}
