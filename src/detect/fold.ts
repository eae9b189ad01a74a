// The folded alphabet detect matches in: ASCII letters (case folded) and digits, 36 symbols.
// Everything else is a separator and disappears from the folded stream, so `fooBar`, `foo_bar`,
// `foo-bar`, `FOO_BAR`, `Foo Bar` and `"foo"+"bar"` all fold to `foobar`. Where the tokens of
// the original text started is kept beside the stream (see stream-matcher.ts) so that a match
// must begin and end on a token boundary.

export const ALPHABET = 36;

/** Character types, in the high bits of a byte's code. */
export const T_SEP = 0;
export const T_LOWER = 1;
export const T_UPPER = 2;
export const T_DIGIT = 3;
export const T_NEWLINE = 4;
export const T_BACKSLASH = 5;
export const T_NONASCII = 6;

/** CODE[byte] = type << 6 | symbol (symbol 0..35 for alphanumerics). */
export const CODE = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  let code = T_SEP << 6;
  if (b >= 0x61 && b <= 0x7a) code = (T_LOWER << 6) | (b - 0x61);
  else if (b >= 0x41 && b <= 0x5a) code = (T_UPPER << 6) | (b - 0x41);
  else if (b >= 0x30 && b <= 0x39) code = (T_DIGIT << 6) | (26 + b - 0x30);
  else if (b === 0x0a) code = T_NEWLINE << 6;
  else if (b === 0x5c) code = T_BACKSLASH << 6;
  else if (b >= 0x80) code = T_NONASCII << 6;
  CODE[b] = code;
}

/** Folded symbol indices of an already folded string. */
export function symbols(folded: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < folded.length; i++) {
    const c = folded.charCodeAt(i);
    out.push(c >= 0x61 ? c - 0x61 : 26 + c - 0x30);
  }
  return out;
}
