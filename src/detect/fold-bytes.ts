import { CODE, T_BACKSLASH, T_DIGIT, T_LOWER, T_NEWLINE, T_NONASCII, T_SEP, T_UPPER } from './fold.js';

// The reference folding, written for clarity: raw bytes -> folded characters (a-z0-9), the raw
// offset each came from, and whether each starts a token. The fast matcher
// (stream-matcher.ts) must agree with it; it calls it to settle candidates near escapes,
// non-ASCII text and chunk edges, and the tests compare the two.
//
// - JS/JSON escapes (\uXXXX, \u{...}, \xXX) decode; \n \t \r \b \f \v \0 are whitespace; a run
//   of backslashes counts as one, so an escape escaped again (JSON holding JS) decodes alike.
// - Non-ASCII runs are NFKC-normalised (fullwidth letters, ligatures, ...); what is still not
//   an ASCII letter or digit afterwards is a separator.
// - A token starts after a separator, at lower→Upper, at letter↔digit, and at the P of XMLParser.

export interface Folded {
  text: string;
  offsets: Float64Array;
  boundary: Uint8Array;
}

const SIMPLE_ESCAPES = new Set([0x6e, 0x72, 0x74, 0x62, 0x66, 0x76, 0x30]); // n r t b f v 0
/** Longest escape: a run of backslashes aside, `\u{10FFFF}`. */
export const ESCAPE_LOOKAHEAD = 12;

function hexValue(buf: Uint8Array, from: number, count: number, limit = buf.length): number {
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

/** Decode the escape at buf[i] (a backslash): the text it stands for (' ' for whitespace or unknown) and where it ends. */
export function decodeEscape(buf: Uint8Array, i: number, limit = buf.length): { text: string; end: number } {
  let j = i;
  while (j < limit && buf[j] === 0x5c) j++;
  if (j >= limit) return { text: ' ', end: j };
  const c = buf[j];
  if (c === 0x75 /* u */) {
    if (buf[j + 1] === 0x7b /* { */) {
      let k = j + 2;
      while (k < limit && k < j + 9 && buf[k] !== 0x7d) k++;
      const v = hexValue(buf, j + 2, k - (j + 2), limit);
      if (buf[k] === 0x7d && v >= 0 && v <= 0x10ffff) return { text: String.fromCodePoint(v).normalize('NFKC'), end: k + 1 };
      return { text: ' ', end: j };
    }
    const v = hexValue(buf, j + 1, 4, limit);
    if (v >= 0) return { text: v < 0x80 ? String.fromCharCode(v) : String.fromCharCode(v).normalize('NFKC'), end: j + 5 };
    return { text: ' ', end: j };
  }
  if (c === 0x78 /* x */) {
    const v = hexValue(buf, j + 1, 2, limit);
    if (v >= 0) return { text: v < 0x80 ? String.fromCharCode(v) : String.fromCharCode(v).normalize('NFKC'), end: j + 3 };
    return { text: ' ', end: j };
  }
  if (SIMPLE_ESCAPES.has(c)) return { text: ' ', end: j + 1 };
  // Anything else (\" \' \/ ...): the backslash is a separator and the next character reads as itself.
  return { text: ' ', end: j };
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
    } else if (type === T_BACKSLASH) {
      const esc = decodeEscape(buf, i, to);
      for (let k = 0; k < esc.text.length; k++) feed(esc.text.charCodeAt(k), base + i);
      i = esc.end;
    } else if (type === T_NONASCII) {
      let j = i + 1;
      while (j < to && buf[j] >= 0x80) j++;
      const text = Buffer.from(buf.buffer, buf.byteOffset + i, j - i).toString('utf8').normalize('NFKC');
      for (let k = 0; k < text.length; k++) feed(text.charCodeAt(k), base + i);
      i = j;
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
