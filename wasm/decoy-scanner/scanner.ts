// AssemblyScript. The decoy engine's one pass over a chunk (see src/decoys/scan.ts, which loads
// the compiled module and turns its records into objects). Same tokenizer as the JavaScript pass
// it replaced: exact string, template, comment and regular-expression boundaries, regex versus
// division from the previous token, function bodies and string switches as placement hosts,
// tool definitions (their own name, description and schema literal), flag-shaped string
// arguments, and every identifier or string long enough to collide with a decoy, folded (ASCII
// letters and digits, lower case) into a block of names that `near` then searches.
// Why WebAssembly: V8 ran the JavaScript pass over a 6 MB bundle largely unoptimized the one
// time a production build calls it (300-450 ms cold, 110-140 ms warm); compiled ahead of time
// this pass costs ~8-12 ms per MB on this project's 2-core machine from its first slices
// (bench/README.md, "Decoys"). Work done once per chunk (finish) runs as V8's baseline code:
// keep it free of walks over megabytes.
//
// Compiled three times (scripts/build-wasm.mjs): as is, for code held as UTF-16; with
// `--use NARROW=1`, for ASCII code held as one byte per character (most bundles: esbuild
// escapes non-ASCII by default; half the memory to fill and fault in: ~5-7 ms less on 6 MB);
// and with `--use NARROW=1 --use SPEC=1`, for the second half of a split scan (see "the split"
// at the end: the worker scans it while this thread scans the first half).
// Memory: the host writes the code (UTF-16, or ASCII bytes when NARROW) at the pointer
// `prepare(n)` returns (with 16 zero code units after it, so a look-ahead past the end reads
// 0, never garbage, and an identifier run stops there without a bound check), calls `begin()`,
// then `step(limit)` until it returns n or -1, then `finish()`, which returns the address of a
// header of record pointers and counts (H_* below). Nothing here allocates through the
// AssemblyScript runtime: one bump allocator, reset by every `prepare`.

// ---- allocation
let staticTop: usize = 0;
let top: usize = 0;

function alloc(bytes: i32): usize {
  const p = (top + 7) & ~(<usize>7);
  top = p + <usize>bytes;
  const pages = <i32>((top + 0xffff) >>> 16);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) unreachable();
  return p;
}

// Growable arrays of fixed-size int records.
@unmanaged
class Vec {
  ptr: usize;
  len: i32;
  cap: i32;
  stride: i32; // ints per record
}

function newVec(stride: i32, cap: i32): Vec {
  const v = changetype<Vec>(alloc(offsetof<Vec>()));
  v.ptr = alloc(cap * stride * 4);
  v.len = 0;
  v.cap = cap;
  v.stride = stride;
  return v;
}

/** Room for `more` records after the `len` there are (capacity at least doubles). */
@inline function reserveVec(v: Vec, more: i32): void {
  if (v.len + more > v.cap) {
    const cap = max<i32>(v.cap * 2, v.len + more);
    const np = alloc(cap * v.stride * 4);
    memory.copy(np, v.ptr, <usize>(v.len * v.stride * 4));
    v.ptr = np;
    v.cap = cap;
  }
}

/** Appends a record and returns its address. */
function vpush(v: Vec): usize {
  if (v.len == v.cap) reserveVec(v, 1);
  return v.ptr + <usize>(v.len++ * v.stride * 4);
}

@inline function rec(v: Vec, i: i32): usize {
  return v.ptr + <usize>(i * v.stride * 4);
}
@inline function geti(p: usize, f: i32): i32 {
  return load<i32>(p + (<usize>f << 2));
}
@inline function seti(p: usize, f: i32, x: i32): void {
  store<i32>(p + (<usize>f << 2), x);
}

// ---- constants (as in the JavaScript pass)
const T_NONE = 0;
const T_IDENT = 1;
const T_STRING = 2;
const T_NUM = 3;
const T_PUNCT = 4;
const T_TEMPLATE = 5;
const T_REGEX = 6;
// SPEC builds: a ring slot filled before the scan's start, whose token is not known.
const T_UNKNOWN = -1;

const P_ARROW = 1001;
const P_EQ = 1002;
const P_NEQ = 1003;
const P_INC = 1004;

const B_BLOCK = 0;
const B_FN = 1;
const B_OBJ = 2;
const B_CLASS = 3;
const B_TPL = 4;
const B_SWITCH = 5;
const B_STATIC = 6;

// Host kinds, in the order of HOST_KINDS in src/decoys/scan.ts.
const K_MEMBER_CALLBACK = 0;
const K_CALLBACK = 1;
const K_METHOD = 2;
const K_EXPORTED = 3;
const K_PROPERTY = 4;
const K_DECLARATION = 5;
const K_EXPRESSION = 6;
const K_IIFE = 7;

const MIN_NAME_RAW = 10;
const MAX_NAME_RAW = 160;
const MAX_NAME_FOLDED = 96;

// Record layouts (ints). Host: kind, start, isMethod, paramStart, paramEnd (-1: no parameter,
// the guard reads arguments[0]), bodyStart, bodyEnd, directive, compares, topNameStart, topNameEnd.
const HOST_STRIDE = 12;
// Switch: start, discStart, discEnd, bodyStart, bodyEnd, defaultAt, stringCases, inFunction, enclosing kind (-1: none).
const SWITCH_STRIDE = 10;
// Tool object: start, end, keyStart, keyEnd, then the text inside the quotes of its own `name`
// and `description` string values (-1: none), and the extent of its schema object literal
// (start at `{`, end at `}`; -1: not an object literal).
const TOOL_STRIDE = 10;
// Flag-shaped string: start, end (inside the quotes), calleeStart, calleeEnd (-1: not a call argument).
const FLAG_STRIDE = 4;
// String with escapes, long enough to be a name: start, end (inside the quotes).
const ESC_STRIDE = 2;
// Brace: kind, start, host, sw, tool, then (object literals) its own `name` and `description`
// string values (start, end inside the quotes) and the tool whose schema it is (-1: none).
const BRACE_STRIDE = 10;
// Parenthesis: before1..3 (type, start, end), simple, idents, commas, firstStart, firstEnd, openAt.
const PAREN_STRIDE = 16;
const F_BT = 0, F_BS = 1, F_BE = 2, F_B2T = 3, F_B2S = 4, F_B2E = 5, F_B3T = 6, F_B3S = 7, F_B3E = 8;
const F_SIMPLE = 9, F_IDENTS = 10, F_COMMAS = 11, F_FS = 12, F_FE = 13, F_OPEN = 14;

// Result header (ints).
const H_HOSTS = 0, H_HOSTS_LEN = 1, H_SWITCHES = 2, H_SWITCHES_LEN = 3, H_TOOLS = 4, H_TOOLS_LEN = 5;
const H_FLAGS = 6, H_FLAGS_LEN = 7, H_ESC = 8, H_ESC_LEN = 9, H_NAMES = 10, H_NAMES_BYTES = 11;
const H_NAME_RECS = 12, H_NEWLINES = 13, H_CONFUSED = 14, H_DOUBLE_QUOTED = 15, H_SINGLE_QUOTED = 16;
const H_EXPORTS = 17, H_EXPORTS_LEN = 18, H_NAME_RECS_LEN = 19;
const HEADER_INTS = 20;

// ---- state
let n: i32 = 0;
// The tables live at addresses fixed when the module is compiled (static data), and the code at
// CODE_AT: V8 then folds each address into the load that uses it, where a global would be read
// again for every character.
const CODE_AT: usize = 1 << 16; // above the static data (under 5 KB), checked in prepare
const CLASS: usize = memory.data(256, 16); // 1 identifier start, 2 identifier part only (digits); 128-255 as isIdentStart says
// What a character starts, for step's one dispatch (a jump table, not a chain of comparisons):
// 256 entries, so the NARROW build reads any byte without a bound check.
const KIND: usize = memory.data(256, 16);
const C_PUNCT = 0, C_SPACE = 1, C_NL = 2, C_SLASH = 3, C_QUOTE = 4, C_TICK = 5, C_IDENT = 6, C_DIGIT = 7;
const C_LBRACE = 8, C_RBRACE = 9, C_LPAREN = 10, C_RPAREN = 11, C_HASH = 12, C_DOT = 13;
const FOLD: usize = memory.data(128, 16); // 128 bytes: the folded character, 0 if folding drops it
const BITS: usize = memory.data(128 * 8, 16); // 128 u64: charBit of each folded character
const RT: usize = memory.data(32, 16);
const RS: usize = memory.data(32, 16);
const RE: usize = memory.data(32, 16);
const RP: usize = memory.data(32, 16);
let count: i32 = 0;
let hosts: Vec = changetype<Vec>(0);
let switches: Vec = changetype<Vec>(0);
let tools: Vec = changetype<Vec>(0);
let flags: Vec = changetype<Vec>(0);
let escs: Vec = changetype<Vec>(0);
let exportsAt: Vec = changetype<Vec>(0); // offsets of the keyword `export` (in code, not in strings)
let nameRecs: Vec = changetype<Vec>(0); // per name: offset in the block, length, u64 character mask
let braces: Vec = changetype<Vec>(0);
let parens: Vec = changetype<Vec>(0);
let pos: i32 = 0;
let lastCloseAt: i32 = -1;
let lastParenIdx: i32 = -1;
let pendingDirectiveHost: i32 = -1;
let newlines: i32 = 0;
let doubleQuoted: i32 = 0; // string literals by quote, for the quotes decoys are written with
let singleQuoted: i32 = 0;
let confused: i32 = 0;
// Folded names: bytes `name\n` appended to a growable block (see addName).
let namesPtr: usize = 0;
let namesLen: i32 = 0;
let namesCap: i32 = 0;
let recent: usize = 0; // RECENT_MASK + 1 slots of a u64 hash, the length, -
// Two parenthesis views (the last closed one and the enclosing one).
const LP: usize = memory.data(PAREN_STRIDE * 4, 16);
const EN: usize = memory.data(PAREN_STRIDE * 4, 16);

// ---- a scan split in two (see "the split" at the end of this file)
// Events the second half records for what only the first half's state at the split decides:
// kind, then three ints.
const E_CLOSE = 1; // a `}` closing a brace opened before the split: at
const E_ATTR = 2; // `ident === "str"` naming no parameter of a host opened after it: s, e
const E_ENCL = 3; // a switch whose enclosing function opened before the split: switch index
const E_TOP = 4; // a top-level declaration, if every brace open at the split has closed: host index
const E_CASE = 5; // `case "..."` directly in a switch opened before the split
const E_DEFAULT = 6; // `default:` directly in a switch opened before the split: at
const E_PCLOSE = 7; // a `)` closing a parenthesis opened before the split
const E_PENC = 8; // a callback or IIFE host read "no enclosing parenthesis" (one opened before the split may be): host index, after `(`
const E_OUTER = 9; // a method (or static block) directly in a frame opened before the split: 1 if it must be a class
const E_VALUE = 10; // `name: "..."` / `description: "..."` directly in such a frame: start, end, brace field
const EVENT_STRIDE = 4;
let events: Vec = changetype<Vec>(0);
let specArmed: i32 = 0;
let specFailed: i32 = 0;
let regionStart: usize = 0;
let ring0: usize = 0; // the token ring at the split, in order bt(1)..bt(8): type, start, end, p

function event(kind: i32, a: i32, b: i32, c: i32 = -1): void {
  if (!specArmed) return;
  const r = vpush(events);
  seti(r, 0, kind);
  seti(r, 1, a);
  seti(r, 2, b);
  seti(r, 3, c);
}

/** The second half needed state from before the split that no event can carry: no result (`reason`: which read, for diagnosis). */
function unknownState(reason: i32): void {
  if (specArmed && specFailed == 0) specFailed = reason;
}

/**
 * `name(...) {` with no `function` before it: a method, when the enclosing frame is an object
 * literal or a class body. In SPEC builds a frame opened before the split is assumed to be one
 * (in valid code nothing else can hold such a text), and the merge checks it.
 */
function methodOuter(outerKind: i32): bool {
  if (isDefined(SPEC)) {
    if (braces.len <= 1) {
      event(E_OUTER, 0, 0);
      return true;
    }
  }
  return outerKind == B_OBJ || outerKind == B_CLASS;
}

/** Does a frame opened after the split decide inFunction/enclosingHostKind? */
function scopeDecidedLocally(): bool {
  for (let i = braces.len - 1; i >= 0; i--) {
    const k = geti(rec(braces, i), 0);
    if (k == B_FN || k == B_STATIC || k == B_CLASS) return true;
  }
  return false;
}

function init(): void {
  if (staticTop != 0) return;
  top = (__heap_base + 15) & ~(<usize>15);
  for (let c = 0; c < 128; c++) {
    let k: u8 = 0;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c == 36 || c == 92) k = 1;
    else if (c >= 48 && c <= 57) k = 2;
    store<u8>(CLASS + <usize>c, k);
    let d = C_PUNCT;
    if (k == 1) d = C_IDENT;
    else if (k == 2) d = C_DIGIT;
    else if (c == 32 || c == 9 || c == 13) d = C_SPACE;
    else if (c == 10) d = C_NL;
    else if (c == 47) d = C_SLASH;
    else if (c == 34 || c == 39) d = C_QUOTE;
    else if (c == 96) d = C_TICK;
    else if (c == 123) d = C_LBRACE;
    else if (c == 125) d = C_RBRACE;
    else if (c == 40) d = C_LPAREN;
    else if (c == 41) d = C_RPAREN;
    else if (c == 35) d = C_HASH;
    else if (c == 46) d = C_DOT;
    store<u8>(KIND + <usize>c, <u8>d);
  }
  // Past ASCII (read only by the NARROW build, whose characters are bytes): as isIdentStart says.
  for (let c = 128; c < 256; c++) {
    store<u8>(CLASS + <usize>c, 1);
    store<u8>(KIND + <usize>c, <u8>(c == 0xa0 ? C_SPACE : C_IDENT));
  }
  // Folding: lower-case ASCII letters and digits, 0 for what folding drops.
  for (let c = 0; c < 128; c++) {
    let f = 0;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) f = c;
    else if (c >= 65 && c <= 90) f = c | 32;
    store<u8>(FOLD + <usize>c, <u8>f);
    store<u64>(BITS + (<usize>c << 3), f == 0 ? 0 : charBit(f)); // by the unfolded character
  }
  staticTop = top;
}

// NARROW: a compile-time constant given with `--use NARROW=1` (see the top of this file).
@inline function ch(i: i32): i32 {
  if (isDefined(NARROW)) return <i32>load<u8>(CODE_AT + <usize>i);
  return <i32>load<u16>(CODE_AT + (<usize>i << 1));
}
@inline function isIdentStart(c: i32): bool {
  if (isDefined(NARROW)) return load<u8>(CLASS + <usize>c) == 1;
  return c < 128 ? load<u8>(CLASS + <usize>c) == 1 : true;
}
@inline function isIdentPart(c: i32): bool {
  if (isDefined(NARROW)) return load<u8>(CLASS + <usize>c) != 0;
  return c < 128 ? load<u8>(CLASS + <usize>c) != 0 : true;
}
@inline function isSpace(c: i32): bool {
  return c == 32 || c == 10 || c == 9 || c == 13;
}

// ---- the token ring (last 8 significant tokens); bt(1) is the last one
@inline function push(type: i32, s: i32, e: i32, p: i32): void {
  const k = <usize>(count & 7) << 2;
  store<i32>(RT + k, type);
  store<i32>(RS + k, s);
  store<i32>(RE + k, e);
  store<i32>(RP + k, p);
  count++;
}
@inline function bt(i: i32): i32 {
  const t = count - i >= 0 ? load<i32>(RT + (<usize>((count - i) & 7) << 2)) : T_NONE;
  if (isDefined(SPEC)) {
    if (t == T_UNKNOWN) unknownState(1);
  }
  return t;
}
@inline function bs(i: i32): i32 {
  return load<i32>(RS + (<usize>((count - i) & 7) << 2));
}
@inline function be(i: i32): i32 {
  return load<i32>(RE + (<usize>((count - i) & 7) << 2));
}
@inline function bp(i: i32): i32 {
  if (isDefined(SPEC)) {
    if (load<i32>(RT + (<usize>((count - i) & 7) << 2)) == T_UNKNOWN) unknownState(2);
  }
  return count - i >= 0 ? load<i32>(RP + (<usize>((count - i) & 7) << 2)) : 0;
}

/** The character after the spaces from `j` on (0 at the end: the code is zero-padded). */
@inline function charAfterSpaces(j: i32): i32 {
  let k = j;
  while (k < n && ch(k) == 32) k++;
  return ch(k);
}

function identIs(s: i32, e: i32, word: string): bool {
  const len = word.length;
  if (e - s != len) return false;
  for (let k = 0; k < len; k++) if (ch(s + k) != <i32>word.charCodeAt(k)) return false;
  return true;
}
function backIdentIs(i: i32, word: string): bool {
  return bt(i) == T_IDENT && identIs(bs(i), be(i), word);
}

function isRegexAfterWord(s: i32, e: i32): bool {
  switch (e - s) {
    case 2: return identIs(s, e, 'in') || identIs(s, e, 'of') || identIs(s, e, 'do');
    case 3: return identIs(s, e, 'new');
    case 4: return identIs(s, e, 'void') || identIs(s, e, 'case') || identIs(s, e, 'else');
    case 5: return identIs(s, e, 'throw') || identIs(s, e, 'yield') || identIs(s, e, 'await');
    case 6: return identIs(s, e, 'return') || identIs(s, e, 'typeof') || identIs(s, e, 'delete');
    case 10: return identIs(s, e, 'instanceof');
  }
  return false;
}
function isBlockKeyword(s: i32, e: i32): bool {
  switch (e - s) {
    case 2: return identIs(s, e, 'if');
    case 3: return identIs(s, e, 'for');
    case 4: return identIs(s, e, 'with');
    case 5: return identIs(s, e, 'while') || identIs(s, e, 'catch');
    case 6: return identIs(s, e, 'switch');
  }
  return false;
}
function isReserved(s: i32, e: i32): bool {
  switch (e - s) {
    case 2: return identIs(s, e, 'if') || identIs(s, e, 'in') || identIs(s, e, 'of') || identIs(s, e, 'do');
    case 3: return identIs(s, e, 'for') || identIs(s, e, 'new') || identIs(s, e, 'var') || identIs(s, e, 'let') || identIs(s, e, 'try') || identIs(s, e, 'get') || identIs(s, e, 'set');
    case 4: return identIs(s, e, 'with') || identIs(s, e, 'void') || identIs(s, e, 'case') || identIs(s, e, 'else') || identIs(s, e, 'this') || identIs(s, e, 'null') || identIs(s, e, 'true');
    case 5: return identIs(s, e, 'while') || identIs(s, e, 'catch') || identIs(s, e, 'throw') || identIs(s, e, 'yield') || identIs(s, e, 'await') || identIs(s, e, 'class') || identIs(s, e, 'super') || identIs(s, e, 'const') || identIs(s, e, 'break') || identIs(s, e, 'false') || identIs(s, e, 'async');
    case 6: return identIs(s, e, 'switch') || identIs(s, e, 'return') || identIs(s, e, 'typeof') || identIs(s, e, 'delete') || identIs(s, e, 'import') || identIs(s, e, 'export') || identIs(s, e, 'static');
    case 7: return identIs(s, e, 'extends') || identIs(s, e, 'default') || identIs(s, e, 'finally');
    case 8: return identIs(s, e, 'function') || identIs(s, e, 'continue') || identIs(s, e, 'debugger');
    case 10: return identIs(s, e, 'instanceof');
    case 11: return identIs(s, e, 'constructor');
  }
  return false;
}

// ---- names
// Every identifier and string long enough to matter is folded (ASCII letters and digits, lower
// case) into one block of `name\n` lines. A repeat is skipped when a small direct-mapped cache
// of recent folded names (a 64-bit hash and the length; 128 KB, so it stays in L2) has just
// seen it; other repeats are written again, which `near` does not mind. A full hash table
// measured slower: most texts of a large bundle are unique, and each probe of a table of
// megabytes is a cache miss. The text is folded straight into the block and hashed there, eight
// bytes at a time, in one pass over the code. (Two different names sharing the hash and the
// length, odds about 2^-64, would only skip the second.)
const RECENT_MASK = 8191;

/** Room in the names block for `bytes` more, a newline and an eight-byte read past them. */
@inline function reserveNames(bytes: i32): void {
  if (namesLen + bytes + 9 > namesCap) {
    const cap = max<i32>(namesCap * 2, namesLen + bytes + 9);
    const np = alloc(cap);
    memory.copy(np, namesPtr, <usize>namesLen);
    namesPtr = np;
    namesCap = cap;
  }
}

function addName(s: i32, e: i32): void {
  const len = e - s;
  if (len < MIN_NAME_RAW || len > MAX_NAME_RAW) return;
  reserveNames(len);
  const start = namesPtr + <usize>namesLen;
  let w = start;
  let m: u64 = 0;
  // Branch-free: every character is stored, and the write position moves past kept ones only.
  for (let k = s; k < e; k++) {
    const c = ch(k);
    const x = <usize>(c < 128 ? c : 0);
    const f = load<u8>(FOLD + x);
    store<u8>(w, f);
    w += <usize>(f != 0);
    m |= load<u64>(BITS + (x << 3));
  }
  const flen = <i32>(w - start);
  if (flen < MIN_NAME_RAW || flen > MAX_NAME_FOLDED) return;
  // Zero the bytes after the name that the last word reads, then hash the words.
  store<u64>(w, 0);
  let h: u64 = <u64>flen;
  for (let p = start; p < w; p += 8) {
    h = (h ^ load<u64>(p)) * 0x9e3779b97f4a7c15;
    h = rotl<u64>(h, 31);
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  const r = recent + (<usize>(<i32>h & RECENT_MASK) << 4);
  if (load<u64>(r) == h && load<i32>(r, 8) == flen) return;
  store<u64>(r, h);
  store<i32>(r, flen, 8);
  store<u8>(w, 10);
  // Offset, length and character mask, for indexNames (which runs once per chunk, so V8 runs
  // it as baseline code: it must not walk the block again).
  const nr = vpush(nameRecs);
  seti(nr, 0, namesLen);
  seti(nr, 1, flen);
  store<u64>(nr, m, 8);
  namesLen += flen + 1;
}

// ---- parentheses
/** Copies parenthesis record `idx` into the view `dst`; given `closeAt`, also reads its parameters. */
function parenAt(idx: i32, closeAt: i32, dst: usize): void {
  const src = rec(parens, idx);
  memory.copy(dst, src, PAREN_STRIDE * 4);
  seti(dst, F_SIMPLE, 0);
  seti(dst, F_IDENTS, 0);
  seti(dst, F_COMMAS, 0);
  seti(dst, F_FS, -1);
  seti(dst, F_FE, -1);
  if (closeAt > geti(dst, F_OPEN)) readParams(dst, closeAt);
}

/** `( a, b, c )` strictly alternating, whitespace allowed; anything else is not simple. */
function readParams(p: usize, closeAt: i32): void {
  let j = geti(p, F_OPEN) + 1;
  let expectIdent = true;
  let idents = 0;
  let commas = 0;
  while (j < closeAt) {
    const c = ch(j);
    if (isSpace(c)) {
      j++;
      continue;
    }
    if (expectIdent && isIdentStart(c) && c != 92) {
      let k = j + 1;
      while (k < closeAt && isIdentPart(ch(k)) && ch(k) != 92) k++;
      if (idents++ == 0) {
        seti(p, F_FS, j);
        seti(p, F_FE, k);
      }
      expectIdent = false;
      j = k;
      continue;
    }
    if (!expectIdent && c == 44) {
      commas++;
      expectIdent = true;
      j++;
      continue;
    }
    seti(p, F_IDENTS, idents);
    seti(p, F_COMMAS, commas);
    return;
  }
  seti(p, F_IDENTS, idents);
  seti(p, F_COMMAS, commas);
  seti(p, F_SIMPLE, expectIdent ? (idents == 0 ? 1 : 0) : 1);
}

// ---- braces
function pushBrace(kind: i32, start: i32): usize {
  const b = vpush(braces);
  seti(b, 0, kind);
  seti(b, 1, start);
  for (let f = 2; f < BRACE_STRIDE; f++) seti(b, f, -1);
  return b;
}
@inline function topBrace(): usize {
  return braces.len > 0 ? rec(braces, braces.len - 1) : 0;
}

/** `ident === "str"`: count it for the innermost enclosing host whose parameter it names. */
function attribute(s: i32, e: i32): void {
  for (let k = braces.len - 1; k >= 0; k--) {
    const b = rec(braces, k);
    if (geti(b, 0) != B_FN || geti(b, 2) < 0) continue;
    const h = rec(hosts, geti(b, 2));
    const ps = geti(h, 3);
    const pe = geti(h, 4);
    if (ps < 0 || pe - ps != e - s) continue;
    let same = true;
    for (let q = 0; q < e - s; q++) {
      if (ch(ps + q) != ch(s + q)) {
        same = false;
        break;
      }
    }
    if (same) {
      seti(h, 8, geti(h, 8) + 1);
      return;
    }
  }
  if (isDefined(SPEC)) event(E_ATTR, s, e);
}

function closeBrace(at: i32): void {
  if (braces.len == 0) {
    if (isDefined(SPEC)) event(E_CLOSE, at, 0);
    return;
  }
  const top = rec(braces, --braces.len);
  if (geti(top, 2) >= 0) seti(rec(hosts, geti(top, 2)), 6, at);
  if (geti(top, 3) >= 0) seti(rec(switches, geti(top, 3)), 4, at);
  if (geti(top, 4) >= 0) {
    const t = rec(tools, geti(top, 4));
    seti(t, 1, at + 1);
    for (let f = 0; f < 4; f++) seti(t, 4 + f, geti(top, 5 + f));
  }
  if (geti(top, 9) >= 0) seti(rec(tools, geti(top, 9)), 9, at);
}

/** Is this call's callee a property (`x.map(`)? A minifier cannot inline constants into such a callback. */
function memberCallee(call: usize): bool {
  if (geti(call, F_BT) != T_IDENT) return false;
  let j = geti(call, F_BS) - 1;
  while (j >= 0 && (ch(j) == 32 || ch(j) == 10 || ch(j) == 9)) j--;
  return j >= 0 && ch(j) == 46;
}

/** The kind of a function written as an argument (`call` its paren record) or after a `(` (an IIFE), or else an expression. */
@inline function argHostKind(callArgs: bool, call: usize, afterParen: bool): i32 {
  return callArgs ? (memberCallee(call) ? K_MEMBER_CALLBACK : K_CALLBACK) : afterParen ? K_IIFE : K_EXPRESSION;
}

/**
 * The kind of a host (function or arrow) just after `(` or `,`, from the parenthesis that
 * encloses it. (SPEC: with none open in this half, an event lets the merge decide it.)
 */
function argKind(afterParen: bool): i32 {
  let callArgs = false;
  if (parens.len > 0) {
    parenAt(parens.len - 1, -1, EN);
    callArgs = isCallArgs(EN);
  } else if (isDefined(SPEC)) event(E_PENC, hosts.len, afterParen ? 1 : 0);
  return argHostKind(callArgs, EN, afterParen);
}

function enclosingHostKind(): i32 {
  for (let i = braces.len - 1; i >= 0; i--) {
    const b = rec(braces, i);
    const k = geti(b, 0);
    if (k == B_FN) return geti(b, 2) >= 0 ? geti(rec(hosts, geti(b, 2)), 0) : -1;
    if (k == B_STATIC || k == B_CLASS) return -1;
  }
  return -1;
}

function inFunction(): i32 {
  for (let i = braces.len - 1; i >= 0; i--) {
    const k = geti(rec(braces, i), 0);
    if (k == B_FN) return 1;
    if (k == B_STATIC || k == B_CLASS) return 0;
  }
  return 0;
}

/** Is `enclosing` (a parenthesis view) a call's argument list: `f(`, `x.f(`, `f()(`, `a[0](`? */
function isCallArgs(enclosing: usize): bool {
  const t = geti(enclosing, F_BT);
  const s = geti(enclosing, F_BS);
  if (t == T_IDENT) return !isReserved(s, geti(enclosing, F_BE));
  return t == T_PUNCT && (ch(s) == 41 || ch(s) == 93);
}

function addHost(kind: i32, start: i32, isMethod: i32, ps: i32, pe: i32, bodyStart: i32, topS: i32, topE: i32): i32 {
  const idx = hosts.len;
  const h = vpush(hosts);
  seti(h, 0, kind);
  seti(h, 1, start);
  seti(h, 2, isMethod);
  seti(h, 3, ps);
  seti(h, 4, pe);
  seti(h, 5, bodyStart);
  seti(h, 6, -1);
  seti(h, 7, 0);
  seti(h, 8, 0);
  seti(h, 9, topS);
  seti(h, 10, topE);
  return idx;
}

/** Classify a `{` from the tokens before it; registers hosts and switches. */
function openBrace(at: i32): void {
  const entry = pushBrace(B_BLOCK, at);
  noteSchema(entry, at);
  const t1 = bt(1);
  const p1 = bp(1);
  // Only `)` or `=>` before this `{` make the last closed parenthesis relevant.
  let haveLP = false;
  if (isDefined(SPEC)) {
    if (lastParenIdx == -2 && t1 == T_PUNCT && (p1 == 41 || p1 == P_ARROW)) unknownState(3);
  }
  if (lastParenIdx >= 0 && t1 == T_PUNCT && (p1 == 41 || p1 == P_ARROW)) {
    parenAt(lastParenIdx, lastCloseAt, LP);
    haveLP = true;
  }
  if (t1 == T_PUNCT && p1 == P_ARROW) {
    seti(entry, 0, B_FN);
    // Parameters: `x =>` or `(a, b) =>`, optionally after `async`.
    let ps = -1;
    let pe = -1;
    let fromToken = false;
    if (bt(2) == T_IDENT) {
      ps = bs(2);
      pe = be(2);
      fromToken = true;
    } else if (bt(2) == T_PUNCT && bp(2) == 41 && haveLP && geti(LP, F_SIMPLE) != 0 && geti(LP, F_IDENTS) > 0) {
      ps = geti(LP, F_FS);
      pe = geti(LP, F_FE);
    }
    if (ps >= 0 && !isReserved(ps, pe)) {
      let start: i32;
      let beforeType: i32;
      let beforeP: i32;
      if (fromToken) {
        start = bs(2);
        const asyncBefore = backIdentIs(3, 'async');
        beforeType = bt(asyncBefore ? 4 : 3);
        beforeP = bp(asyncBefore ? 4 : 3);
        if (asyncBefore) start = bs(3);
      } else {
        start = geti(LP, F_OPEN);
        const asyncBefore = geti(LP, F_BT) == T_IDENT && identIs(geti(LP, F_BS), geti(LP, F_BE), 'async');
        if (asyncBefore) {
          start = geti(LP, F_BS);
          beforeType = geti(LP, F_B2T);
          beforeP = beforeType == T_PUNCT ? ch(geti(LP, F_B2S)) : 0;
        } else {
          beforeType = geti(LP, F_BT);
          beforeP = beforeType == T_PUNCT ? ch(geti(LP, F_BS)) : 0;
        }
      }
      const kind = beforeType == T_PUNCT && (beforeP == 40 || beforeP == 44) ? argKind(beforeP == 40) : K_EXPRESSION;
      seti(entry, 2, addHost(kind, start, 0, ps, pe, at + 1, -1, -1));
    }
  } else if (t1 == T_PUNCT && p1 == 41 && haveLP) {
    const bType = geti(LP, F_BT);
    const bS = geti(LP, F_BS);
    const bE = geti(LP, F_BE);
    if (bType == T_IDENT && isBlockKeyword(bS, bE)) {
      if (identIs(bS, bE, 'switch')) {
        seti(entry, 0, B_SWITCH);
        if (geti(LP, F_SIMPLE) != 0 && geti(LP, F_IDENTS) == 1 && geti(LP, F_COMMAS) == 0) {
          const ds = geti(LP, F_FS);
          const de = geti(LP, F_FE);
          if (!isReserved(ds, de)) {
            // inFunction and the enclosing host are read before this brace counts as open.
            braces.len--;
            const inFn = inFunction();
            const enclosing = enclosingHostKind();
            if (isDefined(SPEC)) {
              if (!scopeDecidedLocally()) event(E_ENCL, switches.len, 0);
            }
            braces.len++;
            seti(entry, 3, switches.len);
            const sw = vpush(switches);
            seti(sw, 0, bS);
            seti(sw, 1, ds);
            seti(sw, 2, de);
            seti(sw, 3, at + 1);
            seti(sw, 4, -1);
            seti(sw, 5, -1);
            seti(sw, 6, 0);
            seti(sw, 7, inFn);
            seti(sw, 8, enclosing);
          }
        }
      }
    } else {
      // function (...) {  |  function name (...) {  |  function* name (...) {  |  method(...) {
      const FN_ANON = 1, FN_NAMED = 2, FN_METHOD = 3;
      let fnStart = 0;
      const b2T = geti(LP, F_B2T);
      const b3T = geti(LP, F_B3T);
      const outerKind = braces.len > 1 ? geti(rec(braces, braces.len - 2), 0) : -1;
      if (bType == T_IDENT && identIs(bS, bE, 'function')) fnStart = FN_ANON;
      else if (bType == T_PUNCT && ch(bS) == 42 && b2T == T_IDENT && identIs(geti(LP, F_B2S), geti(LP, F_B2E), 'function')) fnStart = FN_ANON;
      else if (bType == T_IDENT && b2T == T_IDENT && identIs(geti(LP, F_B2S), geti(LP, F_B2E), 'function')) fnStart = FN_NAMED;
      else if (bType == T_IDENT && b2T == T_PUNCT && ch(geti(LP, F_B2S)) == 42 && b3T == T_IDENT && identIs(geti(LP, F_B3S), geti(LP, F_B3E), 'function')) fnStart = FN_NAMED;
      else if (bType == T_IDENT && !isReserved(bS, bE)) {
        if (methodOuter(outerKind)) fnStart = FN_METHOD;
      } else if (bType == T_IDENT && (identIs(bS, bE, 'get') || identIs(bS, bE, 'set') || identIs(bS, bE, 'static') || identIs(bS, bE, 'async'))) {
        if (methodOuter(outerKind)) fnStart = FN_METHOD;
      }
      if (fnStart != 0) {
        seti(entry, 0, B_FN);
        const simple = geti(LP, F_SIMPLE) != 0;
        const idents = geti(LP, F_IDENTS);
        // No parameters: a non-arrow function can still read `arguments[0]`.
        if (simple && (idents > 0 || geti(LP, F_COMMAS) == 0)) {
          const ps = idents > 0 ? geti(LP, F_FS) : -1;
          const pe = idents > 0 ? geti(LP, F_FE) : -1;
          if (!(ps >= 0 && isReserved(ps, pe)) && !(fnStart == FN_METHOD && identIs(bS, bE, 'constructor'))) {
            let kind: i32;
            let start: i32;
            if (fnStart == FN_METHOD) {
              kind = K_METHOD;
              // Start at the method name, or at a modifier before it.
              start = bS;
              if (b2T == T_IDENT) {
                const ms = geti(LP, F_B2S);
                const me = geti(LP, F_B2E);
                if (identIs(ms, me, 'async') || identIs(ms, me, 'static') || identIs(ms, me, 'get') || identIs(ms, me, 'set')) start = ms;
              } else if (b2T == T_PUNCT && ch(geti(LP, F_B2S)) == 42) start = geti(LP, F_B2S);
            } else {
              // Find the `function` keyword and what stands before it.
              let fnKw: i32;
              if (fnStart == FN_ANON) fnKw = bType == T_IDENT ? bS : geti(LP, F_B2S);
              else fnKw = b2T == T_IDENT ? geti(LP, F_B2S) : geti(LP, F_B3S);
              start = fnKw;
              let j = fnKw - 1;
              while (j >= 0 && isSpace(ch(j))) j--;
              let pwEnd = j + 1;
              let pwStart = pwEnd;
              while (pwStart > 0 && isIdentPart(ch(pwStart - 1))) pwStart--;
              let prevS = pwStart;
              let prevE = pwEnd;
              if (identIs(prevS, prevE, 'async')) {
                start = pwStart;
                j = pwStart - 1;
                while (j >= 0 && isSpace(ch(j))) j--;
                pwEnd = j + 1;
                pwStart = pwEnd;
                while (pwStart > 0 && isIdentPart(ch(pwStart - 1))) pwStart--;
                prevS = pwStart;
                prevE = pwEnd;
              }
              let prevChar = j >= 0 ? ch(j) : 59;
              // The tokenizer already skipped comments: trust its previous token when known.
              const generator = fnStart == FN_ANON ? bType != T_IDENT : b2T != T_IDENT;
              if (!generator && !identIs(prevS, prevE, 'async')) {
                const pt = fnStart == FN_ANON ? b2T : b3T;
                const pts = fnStart == FN_ANON ? geti(LP, F_B2S) : geti(LP, F_B3S);
                const pte = fnStart == FN_ANON ? geti(LP, F_B2E) : geti(LP, F_B3E);
                if (pt == T_NONE) prevChar = 59;
                else if (pt == T_PUNCT) prevChar = ch(pts);
                else if (pt == T_IDENT) {
                  prevS = pts;
                  prevE = pte;
                  prevChar = 65;
                }
              }
              if (identIs(prevS, prevE, 'export') || identIs(prevS, prevE, 'default')) kind = K_EXPORTED;
              else if (prevChar == 40 || prevChar == 44) kind = argKind(prevChar == 40);
              else if (prevChar == 61) {
                // `a.b = function` keeps its arguments unknown; `var f = function` may be inlined.
                let k = j - 1;
                while (k >= 0 && ch(k) == 32) k--;
                let w = k + 1;
                while (w > 0 && isIdentPart(ch(w - 1))) w--;
                kind = w > 0 && ch(w - 1) == 46 ? K_PROPERTY : K_EXPRESSION;
              } else if (prevChar == 58) kind = K_PROPERTY;
              else if (prevChar == 59 || prevChar == 123 || prevChar == 125 || j < 0) kind = K_DECLARATION;
              else kind = K_EXPRESSION;
            }
            // Top level is depth 0 before this brace was pushed.
            const topLevel = fnStart == FN_NAMED && kind == K_DECLARATION && braces.len == 1;
            seti(entry, 2, addHost(kind, start, fnStart == FN_METHOD ? 1 : 0, ps, pe, at + 1, topLevel ? bS : -1, topLevel ? bE : -1));
            // Top level only if every frame open at the split has closed by now.
            if (isDefined(SPEC)) {
              if (topLevel) event(E_TOP, hosts.len - 1, 0);
            }
          }
        }
      }
    }
  } else if (t1 == T_IDENT && backIdentIs(1, 'static')) {
    let outerKind = braces.len > 1 ? geti(rec(braces, braces.len - 2), 0) : -1;
    if (isDefined(SPEC)) {
      // `static {` is a class's static block in valid code: assumed, and checked at the merge.
      if (braces.len <= 1) {
        event(E_OUTER, 1, 0);
        outerKind = B_CLASS;
      }
    }
    seti(entry, 0, outerKind == B_CLASS ? B_STATIC : B_BLOCK);
  } else {
    // class X {, class X extends Y {, class {
    let isClass = false;
    for (let i = 1; i <= 6 && bt(i) != T_NONE; i++) {
      if (bt(i) == T_PUNCT && (bp(i) == 59 || bp(i) == 123 || bp(i) == 125)) break;
      if (backIdentIs(i, 'class')) {
        isClass = true;
        break;
      }
    }
    if (isClass) seti(entry, 0, B_CLASS);
    else if (t1 == T_NONE) seti(entry, 0, B_BLOCK);
    else if (t1 == T_PUNCT) {
      // After an operator or opening punctuation a `{` starts an object literal.
      seti(entry, 0, p1 == 59 || p1 == 123 || p1 == 125 || p1 == 41 ? B_BLOCK : B_OBJ);
    } else if (t1 == T_IDENT) {
      const s = bs(1);
      const e = be(1);
      const obj =
        identIs(s, e, 'return') || identIs(s, e, 'case') || identIs(s, e, 'typeof') || identIs(s, e, 'void') || identIs(s, e, 'in') ||
        identIs(s, e, 'of') || identIs(s, e, 'yield') || identIs(s, e, 'await') || identIs(s, e, 'throw') || identIs(s, e, 'delete') ||
        identIs(s, e, 'new');
      seti(entry, 0, obj ? B_OBJ : B_BLOCK);
    }
  }
}

/** `key: {` right after a tool-schema key of the enclosing tool object: that object is its schema. */
function noteSchema(entry: usize, at: i32): void {
  // (A second half whose `key: {` stands directly in a frame opened before the split has nothing
  // to note either: a tool's schema key and its `{` are adjacent tokens, and a split follows a `;`.)
  if (braces.len < 2 || bt(1) != T_PUNCT || bp(1) != 58) return;
  const outer = rec(braces, braces.len - 2);
  const tool = geti(outer, 4);
  if (tool < 0) return;
  const t = rec(tools, tool);
  const keyStart = bt(2) == T_STRING ? bs(2) + 1 : bs(2);
  if ((bt(2) == T_IDENT || bt(2) == T_STRING) && keyStart == geti(t, 2)) {
    seti(entry, 9, tool);
    seti(t, 8, at);
  }
}

/** A string value `s..e` (inside its quotes): an object literal's own `name` or `description`? */
function noteValue(s: i32, e: i32): void {
  if (bt(1) != T_PUNCT || bp(1) != 58 || bt(3) != T_PUNCT || (bp(3) != 123 && bp(3) != 44)) return;
  const kt = bt(2);
  if (kt != T_IDENT && kt != T_STRING) return;
  const top = topBrace();
  const ks = kt == T_STRING ? bs(2) + 1 : bs(2);
  const ke = kt == T_STRING ? be(2) - 1 : be(2);
  if (isDefined(SPEC)) {
    // Directly in a frame opened before the split: the merge sets it if that is an object literal.
    if (top == 0) {
      if (identIs(ks, ke, 'name')) event(E_VALUE, s, e, 5);
      else if (identIs(ks, ke, 'description')) event(E_VALUE, s, e, 7);
      return;
    }
  }
  if (top == 0 || geti(top, 0) != B_OBJ) return;
  if (identIs(ks, ke, 'name')) {
    seti(top, 5, s);
    seti(top, 6, e);
  } else if (identIs(ks, ke, 'description')) {
    seti(top, 7, s);
    seti(top, 8, e);
  }
}

function regexAllowed(): bool {
  const t = bt(1);
  if (t == T_NONE) return true;
  if (t == T_PUNCT) {
    const p = bp(1);
    return p != 41 && p != 93 && p != P_INC;
  }
  if (t == T_IDENT) return isRegexAfterWord(bs(1), be(1));
  return false;
}

/**
 * From just after a backtick (or the `}` closing `${`): the index after the closing backtick,
 * or after `${` (pushing a template brace), or -1 when unterminated.
 */
function scanTemplate(from: i32): i32 {
  let j = from;
  while (j < n) {
    const c = ch(j);
    if (c == 92) {
      j += 2;
      continue;
    }
    if (c == 96) {
      addName(from, j);
      return j + 1;
    }
    if (c == 36 && ch(j + 1) == 123) {
      addName(from, j);
      pushBrace(B_TPL, j + 1);
      return j + 2;
    }
    j++;
  }
  return -1;
}

/**
 * The flag shape (FLAGLIKE in src/decoys/scan.ts, checked here so that the host does not run a
 * regular expression over thousands of strings): a letter, then letters and digits in 2 to 8
 * runs joined by single `_ . : -`.
 */
function flagShaped(s: i32, e: i32): bool {
  const c0 = ch(s) | 32;
  if (!(c0 >= 97 && c0 <= 122)) return false;
  let seps = 0;
  let afterSep = false;
  for (let k = s + 1; k < e; k++) {
    const c = ch(k);
    if (c == 95 || c == 46 || c == 58 || c == 45) {
      if (afterSep) return false;
      afterSep = true;
      seps++;
    } else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) afterSep = false;
    else return false;
  }
  return seps >= 1 && seps <= 7 && !afterSep;
}

/** The scan met something it cannot follow: stop, and place nothing in this chunk. */
function lost(): i32 {
  confused = 1;
  pos = n;
  return -1;
}

/**
 * Scans whole tokens from where the last call stopped until `limit` (a token may end past it);
 * returns where it stopped: `n` when done, -1 when it lost track. Called in slices so that V8's
 * tier-up (which replaces a function between calls, never inside one) reaches this pass early.
 */
export function step(limit: i32): i32 {
  let i = pos;
  while (i < limit) {
    if (isDefined(SPEC)) {
      if (specFailed != 0) {
        pos = i;
        return -1;
      }
    }
    const c = ch(i);
    let kind: i32;
    if (isDefined(NARROW)) kind = <i32>load<u8>(KIND + <usize>c);
    else kind = c < 128 ? <i32>load<u8>(KIND + <usize>c) : c == 0xa0 || c == 0xfeff ? C_SPACE : C_IDENT;
    if (kind >= C_HASH) {
      if (kind == C_HASH) kind = isIdentStart(ch(i + 1)) ? C_IDENT : C_PUNCT;
      else {
        const d = ch(i + 1);
        kind = d >= 48 && d <= 57 ? C_DIGIT : C_PUNCT;
      }
    }
    // Every case ends in `continue` or `return`; only plain punctuation falls through.
    switch (kind) {
      case C_SPACE: {
        i++;
        continue;
      }
      case C_NL: {
        newlines++;
        i++;
        continue;
      }
      case C_SLASH: {
        const d = ch(i + 1);
        if (d == 47) {
          while (i < n && ch(i) != 10) i++;
          continue;
        }
        if (d == 42) {
          let k = i + 2;
          while (k < n && !(ch(k) == 42 && ch(k + 1) == 47)) {
            if (ch(k) == 10) newlines++;
            k++;
          }
          if (k >= n) {
            return lost();
          }
          i = k + 2;
          continue;
        }
        if (regexAllowed()) {
          let j = i + 1;
          let inClass = false;
          while (j < n) {
            const e = ch(j);
            if (e == 92) {
              j += 2;
              continue;
            }
            if (e == 10) break;
            if (inClass) {
              if (e == 93) inClass = false;
            } else if (e == 91) inClass = true;
            else if (e == 47) break;
            j++;
          }
          if (j >= n || ch(j) != 47) {
            return lost();
          }
          j++;
          while (isIdentPart(ch(j))) j++; // the zero padding ends the run
          push(T_REGEX, i, j, 0);
          i = j;
          continue;
        }
        push(T_PUNCT, i, i + 1, 47);
        i++;
        continue;
      }
      case C_QUOTE: {
        let j = i + 1;
        let escaped = false;
        // A raw newline inside a string is only a line continuation (after a backslash); any
        // other means the scan lost track (a regular expression read as a division, say).
        for (;;) {
          if (j >= n) {
            return lost();
          }
          const q = ch(j);
          if (q == c) break;
          if (q == 92) {
            escaped = true;
            j += ch(j + 1) == 13 && ch(j + 2) == 10 ? 3 : 2;
            continue;
          }
          if (q == 10) {
            return lost();
          }
          j++;
        }
        const s = i + 1;
        const e = j;
        if (c == 34) doubleQuoted++;
        else singleQuoted++;
        if (pendingDirectiveHost >= 0) seti(rec(hosts, pendingDirectiveHost), 7, 1);
        pendingDirectiveHost = -1;
        if (e - s >= 4 && e - s <= 200) {
          if (e - s >= MIN_NAME_RAW) {
            addName(s, e);
            // The value as well as the text: `"a\nb"` is `a`, a newline and `b` at run time.
            if (escaped) {
              const r = vpush(escs);
              seti(r, 0, s);
              seti(r, 1, e);
            }
          }
          if (e - s <= 96 && !escaped && flagShaped(s, e)) {
            const r = vpush(flags);
            seti(r, 0, s);
            seti(r, 1, e);
            // callee("flag", ...)
            if (bt(1) == T_PUNCT && bp(1) == 40 && bt(2) == T_IDENT) {
              seti(r, 2, bs(2));
              seti(r, 3, be(2));
            } else {
              seti(r, 2, -1);
              seti(r, 3, -1);
            }
          }
        }
        noteValue(s, e);
        // ident === "str"
        if (count >= 2 && bp(1) == P_EQ && bt(1) == T_PUNCT && bt(2) == T_IDENT && !(count >= 3 && bt(3) == T_PUNCT && bp(3) == 46)) {
          attribute(bs(2), be(2));
        }
        push(T_STRING, i, j + 1, 0);
        i = j + 1;
        continue;
      }
      case C_TICK: {
        pendingDirectiveHost = -1;
        const open = braces.len;
        const j = scanTemplate(i + 1);
        if (j < 0) {
          return lost();
        }
        // A whole template without substitutions is a string value too.
        if (braces.len == open) noteValue(i + 1, j - 1);
        push(T_TEMPLATE, i, j, 0);
        i = j;
        continue;
      }
      case C_IDENT: {
        let j = i + 1;
        while (isIdentPart(ch(j))) j++; // the zero padding ends the run
        pendingDirectiveHost = -1;
        if (j - i >= MIN_NAME_RAW) addName(i, j);
        // "str" === ident
        if (count >= 2 && bp(1) == P_EQ && bt(1) == T_PUNCT && bt(2) == T_STRING) attribute(i, j);
        push(T_IDENT, i, j, 0);
        if (j - i == 6 && identIs(i, j, 'export')) seti(vpush(exportsAt), 0, i);
        // case "str":  /  default:
        // (SPEC: at the half's top level the switch is not known yet: an event says what was seen.)
        if (j - i == 4 && identIs(i, j, 'case')) {
          const top = topBrace();
          const inSwitch = top != 0 && geti(top, 3) >= 0;
          if (inSwitch || (isDefined(SPEC) && top == 0)) {
            const q = charAfterSpaces(j);
            if (q == 34 || q == 39) {
              if (inSwitch) {
                const sw = rec(switches, geti(top, 3));
                seti(sw, 6, geti(sw, 6) + 1);
              } else event(E_CASE, 0, 0);
            }
          }
        } else if (j - i == 7 && identIs(i, j, 'default')) {
          const top = topBrace();
          const inSwitch = top != 0 && geti(top, 3) >= 0;
          if ((inSwitch || (isDefined(SPEC) && top == 0)) && charAfterSpaces(j) == 58) {
            if (inSwitch) seti(rec(switches, geti(top, 3)), 5, i);
            else event(E_DEFAULT, i, 0);
          }
        }
        i = j;
        continue;
      }
      case C_DIGIT: {
        const hex = c == 48 && (ch(i + 1) | 32) == 120;
        let j = i + 1;
        while (j < n) {
          const e = ch(j);
          if (isIdentPart(e) || e == 46) j++;
          else if ((e == 43 || e == 45) && (ch(j - 1) | 32) == 101 && !hex) j++;
          else break;
        }
        pendingDirectiveHost = -1;
        push(T_NUM, i, j, 0);
        i = j;
        continue;
      }
      case C_LBRACE: {
        pendingDirectiveHost = -1;
        openBrace(i);
        const top = topBrace();
        if (geti(top, 2) >= 0) pendingDirectiveHost = geti(top, 2);
        push(T_PUNCT, i, i + 1, 123);
        i++;
        continue;
      }
      case C_RBRACE: {
        pendingDirectiveHost = -1;
        const top = topBrace();
        if (top != 0 && geti(top, 0) == B_TPL) {
          braces.len--;
          const j = scanTemplate(i + 1);
          if (j < 0) {
            return lost();
          }
          // The whole `}...` continues a template token.
          push(T_TEMPLATE, i, j, 0);
          i = j;
          continue;
        }
        closeBrace(i);
        push(T_PUNCT, i, i + 1, 125);
        i++;
        continue;
      }
      case C_LPAREN: {
        pendingDirectiveHost = -1;
        const r = vpush(parens);
        seti(r, F_BT, bt(1));
        seti(r, F_BS, bs(1));
        seti(r, F_BE, be(1));
        seti(r, F_B2T, bt(2));
        seti(r, F_B2S, bs(2));
        seti(r, F_B2E, be(2));
        seti(r, F_B3T, bt(3));
        seti(r, F_B3S, bs(3));
        seti(r, F_B3E, be(3));
        seti(r, F_OPEN, i);
        push(T_PUNCT, i, i + 1, 40);
        i++;
        continue;
      }
      case C_RPAREN: {
        pendingDirectiveHost = -1;
        // SPEC: a parenthesis opened before the split closes here: unknown (-2), and an event.
        if (isDefined(SPEC)) {
          if (parens.len == 0) event(E_PCLOSE, 0, 0);
        }
        lastParenIdx = parens.len > 0 ? --parens.len : isDefined(SPEC) ? -2 : -1;
        lastCloseAt = i;
        push(T_PUNCT, i, i + 1, 41);
        i++;
        continue;
      }
    }
    // Punctuation.
    pendingDirectiveHost = -1;
    let p = c;
    let len = 1;
    const d = ch(i + 1);
    if (c == 61 && d == 62) {
      p = P_ARROW;
      len = 2;
    } else if (c == 61 && d == 61) {
      p = P_EQ;
      len = ch(i + 2) == 61 ? 3 : 2;
    } else if (c == 33 && d == 61) {
      p = P_NEQ;
      len = ch(i + 2) == 61 ? 3 : 2;
    } else if ((c == 43 || c == 45) && d == c) {
      p = P_INC;
      len = 2;
    } else if (c == 46 && d == 46 && ch(i + 2) == 46) {
      len = 3;
    }
    // `:` after a tool-schema key directly inside an object literal.
    if (c == 58) {
      const top = topBrace();
      // (SPEC: a schema key at the half's top level belongs to an object opened before the split.)
      const inObject = top != 0 && geti(top, 0) == B_OBJ && geti(top, 4) < 0;
      if ((inObject || (isDefined(SPEC) && top == 0)) && (bt(1) == T_IDENT || bt(1) == T_STRING)) {
        const s = bt(1) == T_STRING ? bs(1) + 1 : bs(1);
        const e = bt(1) == T_STRING ? be(1) - 1 : be(1);
        const schemaKey = identIs(s, e, 'input_schema') || identIs(s, e, 'inputSchema') || identIs(s, e, 'parameters');
        if (schemaKey && !inObject) unknownState(9);
        else if (schemaKey) {
          seti(top, 4, tools.len);
          const t = vpush(tools);
          seti(t, 0, geti(top, 1));
          seti(t, 1, -1);
          seti(t, 2, s);
          seti(t, 3, e);
          for (let f = 4; f < TOOL_STRIDE; f++) seti(t, f, -1);
        }
      }
    }
    push(T_PUNCT, i, i + len, p);
    i += len;
  }
  pos = i;
  return i;
}

/** Room for `units` code units of code (plus zero padding); returns where to write them. */
export function prepare(units: i32): usize {
  init();
  if (staticTop > CODE_AT) unreachable();
  top = CODE_AT; // the code is the first allocation: at CODE_AT (alloc keeps an aligned start)
  if (isDefined(NARROW)) {
    alloc(units + 16);
    memory.fill(CODE_AT + <usize>units, 0, 16);
  } else {
    alloc((units + 16) * 2);
    memory.fill(CODE_AT + (<usize>units << 1), 0, 32);
  }
  n = units;
  // Where the next allocation starts (alloc aligns to 8): the second half's records from here on.
  regionStart = (top + 7) & ~(<usize>7);
  return CODE_AT;
}

/** Resets the scan state for the code written after `prepare`. */
export function begin(): void {
  count = 0;
  memory.fill(RT, 0, 32);
  if (isDefined(SPEC)) {
    // Every slot unknown until the tokens before the split have been read again.
    count = 8;
    memory.fill(RT, 0xff, 32);
    events = newVec(EVENT_STRIDE, 1024);
    specArmed = 0;
    specFailed = 0;
  }
  memory.fill(RS, 0, 32);
  memory.fill(RE, 0, 32);
  memory.fill(RP, 0, 32);
  const cap = max<i32>(64, n >> 9);
  hosts = newVec(HOST_STRIDE, cap);
  switches = newVec(SWITCH_STRIDE, 64);
  tools = newVec(TOOL_STRIDE, 16);
  flags = newVec(FLAG_STRIDE, 256);
  escs = newVec(ESC_STRIDE, 256);
  exportsAt = newVec(1, 64);
  nameRecs = newVec(4, max<i32>(1024, n >> 7));
  braces = newVec(BRACE_STRIDE, 256);
  parens = newVec(PAREN_STRIDE, 256);
  lastCloseAt = -1;
  lastParenIdx = -1;
  pendingDirectiveHost = -1;
  newlines = 0;
  doubleQuoted = 0;
  singleQuoted = 0;
  confused = 0;
  namesCap = max<i32>(4096, n >> 3);
  namesPtr = alloc(namesCap);
  namesLen = 0;
  recent = alloc((RECENT_MASK + 1) * 16);
  memory.fill(recent, 0, (RECENT_MASK + 1) * 16);
  pos = 0;
  // Hashbang.
  if (ch(0) == 35 && ch(1) == 33) {
    while (pos < n && ch(pos) != 10) pos++;
  }
}

/** The result header's fields (H_*) at `h`: where each kind of record is, and the counts. */
function writeHeader(h: usize): void {
  seti(h, H_HOSTS, <i32>hosts.ptr);
  seti(h, H_HOSTS_LEN, hosts.len);
  seti(h, H_SWITCHES, <i32>switches.ptr);
  seti(h, H_SWITCHES_LEN, switches.len);
  seti(h, H_TOOLS, <i32>tools.ptr);
  seti(h, H_TOOLS_LEN, tools.len);
  seti(h, H_FLAGS, <i32>flags.ptr);
  seti(h, H_FLAGS_LEN, flags.len);
  seti(h, H_ESC, <i32>escs.ptr);
  seti(h, H_ESC_LEN, escs.len);
  seti(h, H_NAMES, <i32>namesPtr);
  seti(h, H_NAMES_BYTES, namesLen);
  seti(h, H_NAME_RECS, <i32>nameRecs.ptr);
  seti(h, H_NAME_RECS_LEN, nameRecs.len);
  seti(h, H_NEWLINES, newlines);
  seti(h, H_CONFUSED, confused);
  seti(h, H_DOUBLE_QUOTED, doubleQuoted);
  seti(h, H_SINGLE_QUOTED, singleQuoted);
  seti(h, H_EXPORTS, <i32>exportsAt.ptr);
  seti(h, H_EXPORTS_LEN, exportsAt.len);
}

/** After the last step: indexes the names for `near` and returns the address of the result header. */
export function finish(): usize {
  indexNames();
  const h = alloc(HEADER_INTS * 4);
  writeHeader(h);
  return h;
}

// ---- near-miss queries over the names: is any within edit distance 2 of a decoy name?
// Names are bucketed by length (only lengths within 2 can be that close) and each carries the
// set of characters it holds as a bit mask: a name within 2 edits of the query lacks at most 2
// of the query's characters and holds at most 2 it lacks (each edit removes or adds at most
// one), which rules out almost every name with two popcounts before any distance is computed.
const MAX_QUERY = 240;
let byLength: usize = 0; // name offsets in the block, ordered by length
let lengthStart: usize = 0; // MAX_NAME_FOLDED + 2 ints: first index of each length
let masks: usize = 0; // u64 per name, same order as byLength
let query: usize = 0;
let rowA: usize = 0;
let rowB: usize = 0;

@inline function charBit(c: i32): u64 {
  return c >= 97 ? <u64>1 << <u64>(c - 97) : <u64>1 << <u64>(26 + c - 48);
}

function indexNames(): void {
  lengthStart = alloc((MAX_NAME_FOLDED + 2) * 4);
  memory.fill(lengthStart, 0, (MAX_NAME_FOLDED + 2) * 4);
  // Count per length, then prefix sums, then place (a counting sort of the name records).
  for (let i = 0; i < nameRecs.len; i++) {
    const len = geti(rec(nameRecs, i), 1);
    seti(lengthStart, len + 1, geti(lengthStart, len + 1) + 1);
  }
  for (let l = 1; l <= MAX_NAME_FOLDED + 1; l++) seti(lengthStart, l, geti(lengthStart, l) + geti(lengthStart, l - 1));
  const fill = alloc((MAX_NAME_FOLDED + 1) * 4);
  memory.copy(fill, lengthStart, (MAX_NAME_FOLDED + 1) * 4);
  byLength = alloc(max<i32>(1, nameRecs.len) * 4);
  masks = alloc(max<i32>(1, nameRecs.len) * 8);
  for (let i = 0; i < nameRecs.len; i++) {
    const r = rec(nameRecs, i);
    const len = geti(r, 1);
    const at = geti(fill, len);
    seti(fill, len, at + 1);
    seti(byLength, at, geti(r, 0));
    store<u64>(masks + (<usize>at << 3), load<u64>(r, 8));
  }
  query = alloc(MAX_QUERY + 8);
  rowA = alloc((MAX_QUERY + 8) * 4);
  rowB = alloc((MAX_QUERY + 8) * 4);
}

/** Where to write a folded query (ASCII letters and digits, lower case) for `near`. */
export function queryPtr(): usize {
  return query;
}

/** Offset in the names block of a name within edit distance 2 of the query, or -1. */
export function near(qlen: i32): i32 {
  if (qlen < 1 || qlen > MAX_QUERY) return -1;
  let qm: u64 = 0;
  for (let k = 0; k < qlen; k++) qm |= charBit(<i32>load<u8>(query + <usize>k));
  const lo = max<i32>(1, qlen - 2);
  const hi = min<i32>(MAX_NAME_FOLDED, qlen + 2);
  for (let len = lo; len <= hi; len++) {
    const end = geti(lengthStart, len + 1);
    for (let i = geti(lengthStart, len); i < end; i++) {
      const m = load<u64>(masks + (<usize>i << 3));
      if (popcnt<u64>(qm & ~m) > 2 || popcnt<u64>(m & ~qm) > 2) continue;
      const off = geti(byLength, i);
      if (distanceAtMost2(off, len, qlen)) return off;
    }
  }
  return -1;
}

/** Levenshtein distance between the name at `off` (length `len`) and the query is 2 or less. */
function distanceAtMost2(off: i32, len: i32, qlen: i32): bool {
  // Only cells within two of the diagonal can hold 2 or less (near() passes names whose length
  // is within two of the query's): five cells per row, the rest held at 3, which stands for
  // "more than 2" (nothing computed from a 3 drops below 3).
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= min<i32>(qlen, 3); j++) seti(prev, j, min<i32>(j, 3));
  for (let i = 1; i <= len; i++) {
    const jlo = max<i32>(1, i - 2);
    const jhi = min<i32>(qlen, i + 2);
    let rowMin = jlo == 1 ? min<i32>(i, 3) : 3;
    seti(cur, jlo - 1, rowMin);
    const a = <i32>load<u8>(namesPtr + <usize>(off + i - 1));
    for (let j = jlo; j <= jhi; j++) {
      const cost = a == <i32>load<u8>(query + <usize>(j - 1)) ? 0 : 1;
      const v = min<i32>(min<i32>(geti(prev, j) + 1, geti(cur, j - 1) + 1), geti(prev, j - 1) + cost);
      seti(cur, j, v);
      if (v < rowMin) rowMin = v;
    }
    // The next row reads one cell right of this band.
    if (jhi < qlen) seti(cur, jhi + 1, 3);
    if (rowMin > 2) return false;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return geti(prev, qlen) <= 2;
}

// ---- the split
// A large chunk's pass can run in two halves at once (src/decoys/scan.ts, the scan worker): this
// thread scans [0, S) with the normal build while a worker scans [S, n) with a SPEC build
// (`--use SPEC=1`), starting at S with its own empty stacks. S is just after a `;`. The worker
// first reads the text from an earlier `;` to S again (beginAt, step to S, specReset), so its
// token ring at S holds the real last eight tokens; the first half checks that ring against its
// own. What the second half cannot know (braces and parentheses opened before S) it records as
// events, which mergeSpec replays against the first half's stacks at S. What it assumes (that a
// `name(...) {` there stands in an object literal or class body) mergeSpec checks; what no
// event can carry (a tool key directly in an object opened before S, a `{` right after a
// parenthesis closed across S, a template substitution open at S) voids the second half, and
// the first half scans on alone. The result is the serial pass's exactly (test/decoys-split.test.ts
// compares them at many split points).

// The second half's header: the result header (H_*), then these (scanSecondHalf in
// src/decoys/scan-split.ts reads SH_REGION_START and SH_REGION_END by number: 25 and 26).
const SH_EVENTS = HEADER_INTS, SH_EVENTS_LEN = HEADER_INTS + 1, SH_FAILED = HEADER_INTS + 2, SH_SPLIT = HEADER_INTS + 3;
const SH_END = HEADER_INTS + 4, SH_REGION_START = HEADER_INTS + 5, SH_REGION_END = HEADER_INTS + 6, SH_RING = HEADER_INTS + 7;
const SPEC_HEADER_INTS = SH_RING + 32;

/** SPEC: start reading at `from` (just after a `;` before the split). */
export function beginAt(from: i32): void {
  begin();
  pos = from;
}

/** SPEC: at the split; keeps the token ring, drops everything read before it. */
export function specReset(): void {
  ring0 = alloc(32 * 4);
  for (let i = 1; i <= 8; i++) {
    const k = <usize>((count - i) & 7) << 2;
    const r = ring0 + (<usize>(i - 1) << 4);
    store<i32>(r, load<i32>(RT + k));
    store<i32>(r, load<i32>(RS + k), 4);
    store<i32>(r, load<i32>(RE + k), 8);
    store<i32>(r, load<i32>(RP + k), 12);
  }
  hosts.len = 0;
  switches.len = 0;
  tools.len = 0;
  flags.len = 0;
  escs.len = 0;
  exportsAt.len = 0;
  nameRecs.len = 0;
  braces.len = 0;
  parens.len = 0;
  events.len = 0;
  namesLen = 0;
  // The repeat cache must hold only names the block holds: one met before the split (where this
  // half may have read the text otherwise than the first half did) would skip its next
  // occurrence, and the merged names would lack it.
  memory.fill(recent, 0, (RECENT_MASK + 1) * 16);
  newlines = 0;
  doubleQuoted = 0;
  singleQuoted = 0;
  confused = 0;
  lastParenIdx = -2; // a parenthesis closed before the split: unknown
  lastCloseAt = -1;
  pendingDirectiveHost = -1;
  specArmed = 1;
  specFailed = 0;
}

/** SPEC: after the last step; the header of the second half's records (everything from regionStart on). */
export function finishSpec(split: i32): usize {
  const h = alloc(SPEC_HEADER_INTS * 4);
  writeHeader(h);
  seti(h, SH_EVENTS, <i32>events.ptr);
  seti(h, SH_EVENTS_LEN, events.len);
  seti(h, SH_FAILED, specFailed | confused | (specArmed == 0 ? 1 : 0));
  seti(h, SH_SPLIT, split);
  seti(h, SH_END, pos);
  if (ring0 != 0) memory.copy(h + (<usize>SH_RING << 2), ring0, 32 * 4);
  seti(h, SH_REGION_START, <i32>regionStart);
  seti(h, SH_REGION_END, <i32>top);
  return h;
}

/** Room for the second half's region (copied in by the host before mergeSpec). */
export function importRegion(bytes: i32): usize {
  return alloc(bytes);
}

function appendRecords(v: Vec, src: usize, len: i32): void {
  reserveVec(v, len);
  memory.copy(rec(v, v.len), src, <usize>(len * v.stride * 4));
  v.len += len;
}

/**
 * After this thread stepped to exactly the split: takes in the second half (its region copied to
 * `region`; `regionB` and `headerB` are addresses in the second half's memory). Returns 1 when
 * the scan is now complete to the end, 0 when the second half cannot be used (nothing changed:
 * scan on from the split).
 */
export function mergeSpec(region: usize, regionB: usize, headerB: usize): i32 {
  const delta = region - regionB;
  const h = headerB + delta;
  if (geti(h, SH_FAILED) != 0 || geti(h, SH_SPLIT) != pos || geti(h, SH_END) != n) return 0;
  // The split must follow a `;` token, not a `;` in a comment that happens to end there: what the
  // second half assumes of the state between tokens (no directive prologue pending) holds only then.
  if (count < 1 || bt(1) != T_PUNCT || bp(1) != 59 || be(1) != pos) return 0;
  // The second half read the tokens before the split as this half did.
  for (let i = 1; i <= 8; i++) {
    const r = h + (<usize>(SH_RING + (i - 1) * 4) << 2);
    const k = <usize>((count - i) & 7) << 2;
    if (count - i < 0) return 0;
    if (load<i32>(r) != load<i32>(RT + k) || load<i32>(r, 4) != load<i32>(RS + k) || load<i32>(r, 8) != load<i32>(RE + k) || load<i32>(r, 12) != load<i32>(RP + k)) return 0;
  }
  // What the events assume of the stacks at the split, checked before anything changes.
  const ev = <usize>geti(h, SH_EVENTS) + delta;
  const evLen = geti(h, SH_EVENTS_LEN);
  let depth = braces.len;
  for (let q = 0; q < evLen; q++) {
    const kind = geti(ev + <usize>(q * EVENT_STRIDE * 4), 0);
    if (kind == E_CLOSE) {
      if (depth > 0) {
        // A `}` that resumes a template is text to the serial pass, not a close.
        if (geti(rec(braces, depth - 1), 0) == B_TPL) return 0;
        depth--;
      }
    } else if (kind == E_OUTER) {
      // The second half took this frame for an object literal or class body (a class, for `static {`).
      const outer = depth > 0 ? geti(rec(braces, depth - 1), 0) : -1;
      const classOnly = geti(ev + <usize>(q * EVENT_STRIDE * 4), 1) != 0;
      if (!(outer == B_CLASS || (!classOnly && outer == B_OBJ))) return 0;
    }
  }

  const hostBase = hosts.len;
  const switchBase = switches.len;
  appendRecords(hosts, <usize>geti(h, H_HOSTS) + delta, geti(h, H_HOSTS_LEN));
  appendRecords(switches, <usize>geti(h, H_SWITCHES) + delta, geti(h, H_SWITCHES_LEN));
  appendRecords(tools, <usize>geti(h, H_TOOLS) + delta, geti(h, H_TOOLS_LEN));
  appendRecords(flags, <usize>geti(h, H_FLAGS) + delta, geti(h, H_FLAGS_LEN));
  appendRecords(escs, <usize>geti(h, H_ESC) + delta, geti(h, H_ESC_LEN));
  appendRecords(exportsAt, <usize>geti(h, H_EXPORTS) + delta, geti(h, H_EXPORTS_LEN));
  // Names: the block, then the records with their offsets moved past this half's names.
  const nameBytes = geti(h, H_NAMES_BYTES);
  reserveNames(nameBytes);
  memory.copy(namesPtr + <usize>namesLen, <usize>geti(h, H_NAMES) + delta, <usize>nameBytes);
  const recsFrom = nameRecs.len;
  const recsLen = geti(h, H_NAME_RECS_LEN);
  appendRecords(nameRecs, <usize>geti(h, H_NAME_RECS) + delta, recsLen);
  for (let q = recsFrom; q < nameRecs.len; q++) {
    const r = rec(nameRecs, q);
    seti(r, 0, geti(r, 0) + namesLen);
  }
  namesLen += nameBytes;
  newlines += geti(h, H_NEWLINES);
  doubleQuoted += geti(h, H_DOUBLE_QUOTED);
  singleQuoted += geti(h, H_SINGLE_QUOTED);

  // The events, in text order, against this half's stacks.
  for (let q = 0; q < evLen; q++) {
    const e = ev + <usize>(q * EVENT_STRIDE * 4);
    const kind = geti(e, 0);
    const a = geti(e, 1);
    if (kind == E_CLOSE) closeBrace(a);
    else if (kind == E_ATTR) attribute(a, geti(e, 2));
    else if (kind == E_ENCL) {
      const sw = rec(switches, switchBase + a);
      seti(sw, 7, inFunction());
      seti(sw, 8, enclosingHostKind());
    } else if (kind == E_TOP) {
      if (braces.len != 0) {
        const host = rec(hosts, hostBase + a);
        seti(host, 9, -1);
        seti(host, 10, -1);
      }
    } else if (kind == E_CASE || kind == E_DEFAULT) {
      const top = topBrace();
      if (top != 0 && geti(top, 3) >= 0) {
        const sw = rec(switches, geti(top, 3));
        if (kind == E_CASE) seti(sw, 6, geti(sw, 6) + 1);
        else seti(sw, 5, a);
      }
    } else if (kind == E_VALUE) {
      const top = topBrace();
      if (top != 0 && geti(top, 0) == B_OBJ) {
        seti(top, geti(e, 3), a);
        seti(top, geti(e, 3) + 1, geti(e, 2));
      }
    } else if (kind == E_PCLOSE) {
      if (parens.len > 0) parens.len--;
    } else if (kind == E_PENC) {
      // The host's kind as the serial pass decides it, from the parenthesis that encloses it.
      if (parens.len > 0) {
        parenAt(parens.len - 1, -1, EN);
        const host = rec(hosts, hostBase + a);
        seti(host, 0, argHostKind(isCallArgs(EN), EN, geti(e, 2) != 0));
      }
    }
  }
  pos = n;
  return 1;
}
