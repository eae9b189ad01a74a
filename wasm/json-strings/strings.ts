// AssemblyScript. The inner loop of JsonCursor.readString (src/scan/json-walk.ts): from a
// position inside a JSON string, find its closing quote, counting what its escapes take away
// from the decoded length and the newlines they encode. src/scan/json-strings.ts copies a
// window of the map's bytes into this module's memory and calls `scan` on it; where it cannot
// decide (an escape whose bytes may run past the window, a bad escape) it hands the position
// back and the JavaScript loop, the reference, decides.
// Why WebAssembly: sourcesContent holds one escape per source line (1.2 million in the incident's
// map) and `names` tens of thousands of short strings. The JavaScript loop pays two native
// Buffer.indexOf calls per escape; here sixteen bytes are compared per step (SIMD).

// Results of the last call, read by the host: [reduction, newlines, lastNewlineEnd, at].
const OUT: usize = memory.data(16, 16);

/** Address of the four result slots. */
export function out(): usize {
  return OUT;
}

/** First free address, 16-aligned: the host copies its window here. */
export function heap(): usize {
  return (__heap_base + 15) & ~15;
}

function hexDigit(b: u32): i32 {
  if (b >= 0x30 && b <= 0x39) return (b - 0x30) as i32;
  if (b >= 0x61 && b <= 0x66) return (b - 0x57) as i32;
  if (b >= 0x41 && b <= 0x46) return (b - 0x37) as i32;
  return -1;
}

/**
 * Scans string bytes at [p, limit). Returns the address of the closing quote; or -1: stopped
 * undecided, go on at `at` (an escape within six bytes of `limit`, or `limit` itself); or -2:
 * a bad escape at `at`. reduction counts the bytes escapes take away from the UTF-8 length,
 * newlines the LFs they encode, lastNewlineEnd the end address of the last one (-1: none).
 */
export function scan(p: usize, limit: usize): i32 {
  let reduction: i32 = 0;
  let newlines: i32 = 0;
  let lastNewlineEnd: i32 = -1;
  const quotes = i8x16.splat(0x22);
  const backslashes = i8x16.splat(0x5c);
  let i = p;
  let result: i32 = -1;
  let at: usize = limit;
  for (;;) {
    // The next quote or backslash.
    let found = false;
    while (i + 16 <= limit) {
      const v = v128.load(i);
      const mask = i8x16.bitmask(v128.or(i8x16.eq(v, quotes), i8x16.eq(v, backslashes)));
      if (mask != 0) {
        i += ctz(mask);
        found = true;
        break;
      }
      i += 16;
    }
    if (!found) {
      while (i < limit) {
        const c = load<u8>(i);
        if (c == 0x22 || c == 0x5c) {
          found = true;
          break;
        }
        i++;
      }
    }
    if (!found) break;
    if (load<u8>(i) == 0x22) {
      result = i as i32;
      break;
    }
    // An escape: decide it only when all of its bytes are in the window.
    if (i + 6 > limit) {
      at = i;
      break;
    }
    const c = load<u8>(i + 1);
    if (c == 0x6e) {
      newlines++;
      reduction++;
      i += 2;
      lastNewlineEnd = i as i32;
    } else if (c == 0x75) {
      const a = hexDigit(load<u8>(i + 2));
      const b = hexDigit(load<u8>(i + 3));
      const d = hexDigit(load<u8>(i + 4));
      const e = hexDigit(load<u8>(i + 5));
      if ((a | b | d | e) < 0) {
        result = -2;
        at = i;
        break;
      }
      const unit = (a << 12) | (b << 8) | (d << 4) | e;
      const width = unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
      reduction += 6 - width;
      i += 6;
      if (unit == 0x0a) {
        newlines++;
        lastNewlineEnd = i as i32;
      }
    } else if (c == 0x22 || c == 0x5c || c == 0x2f || c == 0x62 || c == 0x66 || c == 0x72 || c == 0x74) {
      reduction++;
      i += 2;
    } else {
      result = -2;
      at = i;
      break;
    }
  }
  store<i32>(OUT, reduction);
  store<i32>(OUT, newlines, 4);
  store<i32>(OUT, lastNewlineEnd, 8);
  store<i32>(OUT, at as i32, 12);
  return result;
}

function isSpace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

/**
 * Skips a run of array elements that are strings (a `names` array): at p, an opening quote.
 * Returns the address just after the last string whose every byte checked out in [p, limit)
 * (p: none did). Whatever stopped the run (the array's end, another kind of value, an error,
 * the end of the window) is left to the host's walk, which reads it from there.
 */
export function skipStrings(p: usize, limit: usize): i32 {
  let last = p;
  let i = p;
  while (i < limit && load<u8>(i) == 0x22) {
    const q = scan(i + 1, limit);
    if (q < 0) break;
    last = (q as usize) + 1;
    i = last;
    while (i < limit && isSpace(load<u8>(i))) i++;
    if (i >= limit || load<u8>(i) != 0x2c) break;
    i++;
    while (i < limit && isSpace(load<u8>(i))) i++;
  }
  return last as i32;
}
