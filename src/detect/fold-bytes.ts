import { CODE, T_BACKSLASH, T_DIGIT, T_LOWER, T_NEWLINE, T_NONASCII, T_SEP, T_UPPER } from './fold.js';

// The reference folding, written for clarity: raw bytes -> folded characters (a-z0-9), the raw
// offset each came from, and whether each starts a token. The fast matcher
// (stream-matcher.ts) must agree with it; it calls it to settle candidates near escapes,
// non-ASCII text and chunk edges, and the tests compare the two.
//
// - JS/JSON escapes (\uXXXX, \u{...}, \xXX) decode; \n \t \r \b \f \v \0 are whitespace; a run
//   of backslashes counts as one, so an escape escaped again (JSON holding JS) decodes alike.
// - Non-ASCII characters are NFKC-normalised one at a time (fullwidth letters, ligatures, ...);
//   what is still not an ASCII letter or digit afterwards is a separator.
// - A token starts after a separator, at lower→Upper, at letter↔digit, and at the P of XMLParser.

export interface Folded {
  text: string;
  offsets: Float64Array;
  boundary: Uint8Array;
}

const SIMPLE_ESCAPES = new Set([0x6e, 0x72, 0x74, 0x62, 0x66, 0x76, 0x30]); // n r t b f v 0
/** Longest escape: a run of backslashes aside, `\u{10FFFF}`. */
export const ESCAPE_LOOKAHEAD = 12;

/**
 * The decoders below return `end * SHIFT + (codePoint + 1)` (0 + end for "a separator"), so
 * the hot loop allocates nothing: decode with codePointOf() and endOf().
 */
const SHIFT = 0x200000;
export const codePointOf = (v: number): number => (v % SHIFT) - 1;
export const endOf = (v: number): number => Math.floor(v / SHIFT);

function hexValue(buf: Uint8Array, from: number, count: number, limit: number): number {
  if (count <= 0 || from + count > limit) return -1;
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = buf[from + k];
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Decode the escape at buf[i] (a backslash): the code point it stands for (-1: whitespace or
 * unknown, a separator) and where it ends, packed (see codePointOf/endOf).
 */
export function decodeEscape(buf: Uint8Array, i: number, limit = buf.length): number {
  let j = i;
  while (j < limit && buf[j] === 0x5c) j++;
  if (j >= limit) return j * SHIFT;
  const c = buf[j];
  if (c === 0x75 /* u */) {
    if (buf[j + 1] === 0x7b /* { */) {
      let k = j + 2;
      while (k < limit && k < j + 9 && buf[k] !== 0x7d) k++;
      const v = hexValue(buf, j + 2, k - (j + 2), limit);
      if (k < limit && buf[k] === 0x7d && v >= 0 && v <= 0x10ffff) return (k + 1) * SHIFT + v + 1;
      return j * SHIFT;
    }
    const v = hexValue(buf, j + 1, 4, limit);
    return v >= 0 ? (j + 5) * SHIFT + v + 1 : j * SHIFT;
  }
  if (c === 0x78 /* x */) {
    const v = hexValue(buf, j + 1, 2, limit);
    return v >= 0 ? (j + 3) * SHIFT + v + 1 : j * SHIFT;
  }
  if (SIMPLE_ESCAPES.has(c)) return (j + 1) * SHIFT;
  // Anything else (\" \' \/ ...): the backslash is a separator and the next character reads as itself.
  return j * SHIFT;
}

/** Decode the UTF-8 sequence at buf[i] (a byte >= 0x80), packed; invalid bytes read as U+FFFD, one at a time. */
export function decodeUtf8(buf: Uint8Array, i: number, limit = buf.length): number {
  const b0 = buf[i];
  const need = b0 >= 0xf0 ? (b0 < 0xf5 ? 3 : 0) : b0 >= 0xe0 ? 2 : b0 >= 0xc2 ? 1 : 0;
  if (need === 0 || i + need >= limit) return (i + 1) * SHIFT + 0xfffd + 1;
  let cp = b0 & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
  for (let k = 1; k <= need; k++) {
    const b = buf[i + k];
    if ((b & 0xc0) !== 0x80) return (i + 1) * SHIFT + 0xfffd + 1;
    cp = (cp << 6) | (b & 0x3f);
  }
  const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return (i + 1) * SHIFT + 0xfffd + 1;
  return (i + need + 1) * SHIFT + cp + 1;
}

let mayFold: Uint8Array | undefined;

/**
 * 1 for BMP code points whose NFKC form holds an ASCII letter or digit (fullwidth letters,
 * ligatures, circled and superscript digits, ...). Everything else outside ASCII is a separator
 * without calling normalize(): most non-ASCII text (punctuation, accents, CJK) takes that path.
 */
function nfkcTable(): Uint8Array {
  if (mayFold) return mayFold;
  const table = new Uint8Array(0x10000);
  for (let cp = 0x80; cp < 0x10000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const n = String.fromCharCode(cp).normalize('NFKC');
    for (let k = 0; k < n.length; k++) {
      const c = n.charCodeAt(k);
      if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
        table[cp] = 1;
        break;
      }
    }
  }
  mayFold = table;
  return table;
}

/**
 * What a code point reads as: itself below 0x80, its NFKC form (one character at a time) above,
 * or '' for a plain separator.
 */
export function foldCodePoint(cp: number): string {
  if (cp < 0) return '';
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x10000 && nfkcTable()[cp] === 0) return '';
  return String.fromCodePoint(cp).normalize('NFKC');
}

/** True when a non-ASCII code point is a plain separator (the fast path). */
export function isPlainSeparator(cp: number): boolean {
  return cp < 0x10000 && cp >= 0x80 && nfkcTable()[cp] === 0;
}

/** Fold buf[from, to). `base` is added to every offset. The window is read as if a separator preceded it. */
export function foldBytes(buf: Uint8Array, from = 0, to = buf.length, base = 0): Folded {
  let capacity = to - from + 16;
  let chars = new Uint8Array(capacity);
  let offsets = new Float64Array(capacity);
  let bnd = new Uint8Array(capacity);
  let n = 0;
  let prevType = T_SEP;
  let prevPrevType = T_SEP;
  const feed = (c: number, offset: number) => {
    const type = c < 0x80 ? CODE[c] >> 6 : T_NONASCII;
    if (type === T_SEP || type > T_DIGIT) {
      prevType = prevPrevType = T_SEP;
      return;
    }
    let b = 0;
    if (type !== prevType) {
      if (!(prevType === T_UPPER && type === T_LOWER)) b = 1;
      else if (prevPrevType === T_UPPER) bnd[n - 1] = 1; // XMLParser: P starts a token
    }
    if (n === capacity) {
      // NFKC can expand a character (a ligature, a fraction): grow.
      capacity *= 2;
      const c2 = new Uint8Array(capacity);
      c2.set(chars);
      chars = c2;
      const o2 = new Float64Array(capacity);
      o2.set(offsets);
      offsets = o2;
      const b2 = new Uint8Array(capacity);
      b2.set(bnd);
      bnd = b2;
    }
    const sym = CODE[c] & 63;
    chars[n] = sym < 26 ? 0x61 + sym : 0x30 + sym - 26;
    offsets[n] = offset;
    bnd[n] = b;
    n++;
    prevPrevType = prevType;
    prevType = type;
  };
  let i = from;
  while (i < to) {
    const byte = buf[i];
    const type = CODE[byte] >> 6;
    if (type <= T_DIGIT) {
      feed(byte, base + i);
      i++;
    } else if (type === T_BACKSLASH || type === T_NONASCII) {
      const v = type === T_BACKSLASH ? decodeEscape(buf, i, to) : decodeUtf8(buf, i, to);
      const text = foldCodePoint(codePointOf(v));
      if (text.length === 0) feed(0x20, base + i);
      for (let k = 0; k < text.length; k++) feed(text.charCodeAt(k), base + i);
      i = endOf(v);
    } else {
      // T_NEWLINE: a separator.
      prevType = prevPrevType = T_SEP;
      i++;
    }
  }
  return {
    text: Buffer.from(chars.buffer, 0, n).toString('latin1'),
    offsets: offsets.subarray(0, n),
    boundary: bnd.subarray(0, n),
  };
}
