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
  offsets: number[];
  boundary: Uint8Array;
}

const SIMPLE_ESCAPES = new Set([0x6e, 0x72, 0x74, 0x62, 0x66, 0x76, 0x30]); // n r t b f v 0
/** Longest escape: a run of backslashes aside, `\u{10FFFF}`. */
export const ESCAPE_LOOKAHEAD = 12;

function hexValue(buf: Uint8Array, from: number, count: number): number {
  if (count <= 0 || from + count > buf.length) return -1;
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
export function decodeEscape(buf: Uint8Array, i: number): { text: string; end: number } {
  let j = i;
  while (j < buf.length && buf[j] === 0x5c) j++;
  if (j >= buf.length) return { text: ' ', end: j };
  const c = buf[j];
  if (c === 0x75 /* u */) {
    if (buf[j + 1] === 0x7b /* { */) {
      let k = j + 2;
      while (k < buf.length && k < j + 9 && buf[k] !== 0x7d) k++;
      const v = hexValue(buf, j + 2, k - (j + 2));
      if (buf[k] === 0x7d && v >= 0 && v <= 0x10ffff) return { text: String.fromCodePoint(v).normalize('NFKC'), end: k + 1 };
      return { text: ' ', end: j };
    }
    const v = hexValue(buf, j + 1, 4);
    if (v >= 0) return { text: String.fromCharCode(v).normalize('NFKC'), end: j + 5 };
    return { text: ' ', end: j };
  }
  if (c === 0x78 /* x */) {
    const v = hexValue(buf, j + 1, 2);
    if (v >= 0) return { text: String.fromCharCode(v).normalize('NFKC'), end: j + 3 };
    return { text: ' ', end: j };
  }
  if (SIMPLE_ESCAPES.has(c)) return { text: ' ', end: j + 1 };
  // Anything else (\" \' \/ ...): the backslash is a separator and the next character reads as itself.
  return { text: ' ', end: j };
}

/** Fold buf[from, to). `base` is added to every offset. The window is read as if a separator preceded it. */
export function foldBytes(buf: Uint8Array, from = 0, to = buf.length, base = 0): Folded {
  const chars: number[] = [];
  const offsets: number[] = [];
  const bnd: number[] = [];
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
      else if (prevPrevType === T_UPPER) bnd[bnd.length - 1] = 1; // XMLParser: P starts a token
    }
    chars.push(CODE[c] & 63);
    offsets.push(offset);
    bnd.push(b);
    prevPrevType = prevType;
    prevType = type;
  };
  let i = from;
  while (i < to) {
    const byte = buf[i];
    const type = CODE[byte] >> 6;
    if (type === T_BACKSLASH) {
      const esc = decodeEscape(buf.subarray(0, to), i);
      for (let k = 0; k < esc.text.length; k++) feed(esc.text.charCodeAt(k), base + i);
      i = esc.end;
    } else if (type === T_NONASCII) {
      let j = i + 1;
      while (j < to && buf[j] >= 0x80) j++;
      const text = Buffer.from(buf.buffer, buf.byteOffset + i, j - i).toString('utf8').normalize('NFKC');
      for (let k = 0; k < text.length; k++) feed(text.charCodeAt(k), base + i);
      i = j;
    } else {
      if (type === T_NEWLINE) feed(0x20, base + i);
      else feed(byte, base + i);
      i++;
    }
  }
  let text = '';
  for (let k = 0; k < chars.length; k += 4096) {
    text += String.fromCharCode(...chars.slice(k, k + 4096).map((s) => (s < 26 ? 0x61 + s : 0x30 + s - 26)));
  }
  return { text, offsets, boundary: Uint8Array.from(bnd) };
}
