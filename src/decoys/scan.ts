// One linear pass over a chunk's text that finds what style learning and placement need,
// without parsing the whole file (a full parse of a multi-megabyte bundle costs seconds; this
// pass costs tens of milliseconds, see bench/README.md):
//   - function bodies whose first parameter is a plain identifier (placement hosts),
//   - `switch (identifier) { case "..." }` statements (placement hosts),
//   - `identifier === "string"` comparisons (to prefer hosts that already compare strings),
//   - `callee("snake_string", ...)` calls (feature-flag getters, for style),
//   - object literals holding an `input_schema` / `inputSchema` / `parameters` key (tool
//     definitions, parsed afterwards as small regions with acorn),
//   - every identifier and string long enough to collide with a decoy, folded.
// It is a tokenizer, not a parser: string, template, comment and regular-expression boundaries
// are tracked exactly, and regex-versus-division is decided from the previous token as usual.
// Anything it gets wrong is caught later: every host chosen for placement is re-parsed with
// acorn before a byte is inserted.

export type HostKind = 'member-callback' | 'callback' | 'method' | 'exported' | 'property' | 'declaration' | 'expression' | 'iife';

export interface FunctionHost {
  kind: HostKind;
  /** Offset where acorn should start parsing to get the whole function back. */
  start: number;
  /** For methods, the name is parsed inside a synthetic object literal. */
  isMethod: boolean;
  param: string;
  /** Offset just after the body's `{`. */
  bodyStart: number;
  /** Offset of the body's closing `}` (or -1 while open). */
  bodyEnd: number;
  /** The body starts with a string statement (a directive prologue): never insert before it. */
  directive: boolean;
  /** `param === "..."` comparisons seen inside the body. */
  compares: number;
  /** Declared name of a top-level `function name(`, for the export check; else ''. */
  topName: string;
}

export interface SwitchHost {
  /** Offset of the `switch` keyword. */
  start: number;
  discriminant: string;
  /** Offset just after the switch body's `{`. */
  bodyStart: number;
  bodyEnd: number;
  /** Offset of the `default` keyword directly in this switch, if any. */
  defaultAt: number;
  stringCases: number;
  /** A `return` is valid here (nearest enclosing scope boundary is a function body). */
  inFunction: boolean;
  /** Kind of the nearest enclosing function when it is a host (see FunctionHost.kind), else ''. */
  enclosing: HostKind | '';
}

export interface ScanResult {
  hosts: FunctionHost[];
  switches: SwitchHost[];
  /** callee name -> flag-like string arguments -> count. */
  stringCalls: Map<string, Map<string, number>>;
  /** Object-literal extents that hold a tool-schema key. */
  toolObjects: Array<{ start: number; end: number; key: string }>;
  /** Folded identifiers and strings (length 4..96 after folding). */
  names: Set<string>;
  /** Raw string literal values that look like names (for style: mcp__ prefixes, flags). */
  nameStrings: Set<string>;
  minified: boolean;
  /** The scanner met something it could not follow (unterminated literal): place nothing. */
  confused: boolean;
}

const T_NONE = 0;
const T_IDENT = 1;
const T_STRING = 2;
const T_NUM = 3;
const T_PUNCT = 4;
const T_TEMPLATE = 5;
const T_REGEX = 6;

// Multi-character punctuators we care about get codes above the char range.
const P_ARROW = 1001;
const P_EQ = 1002; // == or ===
const P_NEQ = 1003; // != or !==
const P_INC = 1004; // ++ or --

const B_BLOCK = 0;
const B_FN = 1;
const B_OBJ = 2;
const B_CLASS = 3;
const B_TPL = 4;
const B_SWITCH = 5;
const B_STATIC = 6;

const REGEX_AFTER = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);
const BLOCK_KEYWORDS = new Set(['if', 'for', 'while', 'with', 'catch', 'switch']);
const RESERVED = new Set([
  'if', 'for', 'while', 'with', 'catch', 'switch', 'function', 'return', 'typeof', 'instanceof', 'in', 'of', 'new',
  'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'class', 'extends', 'super', 'this', 'var', 'let',
  'const', 'import', 'export', 'default', 'try', 'finally', 'break', 'continue', 'debugger', 'null', 'true', 'false',
  'async', 'static', 'get', 'set', 'constructor',
]);
/** Decoy names fold to at least this many characters (generate.ts enforces it). */
export const MIN_DECOY_FOLDED = 12;
const MIN_NAME_RAW = MIN_DECOY_FOLDED - 2;
/** The `param` of a host with no parameters: its guard reads the first argument instead. */
export const ARGUMENTS0 = 'arguments[0]';
const TOOL_KEYS = new Set(['input_schema', 'inputSchema', 'parameters']);
const FLAGLIKE = /^[A-Za-z][A-Za-z0-9]*(?:[_.:-][A-Za-z0-9]+){1,7}$/;

interface ParenEntry {
  /** Token index (in the ring) before `(`: type and text offsets. */
  beforeType: number;
  beforeStart: number;
  beforeEnd: number;
  before2Type: number;
  before2Start: number;
  before2End: number;
  before3Type: number;
  before3Start: number;
  before3End: number;
  simple: boolean;
  idents: number;
  commas: number;
  firstStart: number;
  firstEnd: number;
  openAt: number;
}

interface BraceEntry {
  kind: number;
  start: number;
  host: number;
  sw: number;
  tool: number;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c === 92 || c > 127;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

export function scanChunk(code: string): ScanResult {
  const n = code.length;
  const hosts: FunctionHost[] = [];
  const switches: SwitchHost[] = [];
  const stringCalls = new Map<string, Map<string, number>>();
  const toolObjects: ScanResult['toolObjects'] = [];
  const names = new Set<string>();
  const nameStrings = new Set<string>();
  let confused = false;
  let newlines = 0;

  // A ring of the last 8 significant tokens.
  const RING = 8;
  const rt = new Int32Array(RING);
  const rs = new Int32Array(RING);
  const re = new Int32Array(RING);
  const rp = new Int32Array(RING); // punct code
  let count = 0;
  const parens: ParenEntry[] = [];
  const push = (type: number, s: number, e: number, p: number) => {
    // Track whether the innermost parenthesis holds only `a, b, c`.
    const top = parens.length > 0 ? parens[parens.length - 1] : undefined;
    if (top !== undefined && top.simple) {
      if (type === T_IDENT && !(e - s <= 11 && RESERVED.has(code.slice(s, e)))) {
        if (top.idents++ === 0) {
          top.firstStart = s;
          top.firstEnd = e;
        }
      } else if (type === T_PUNCT && p === 44) top.commas++;
      else top.simple = false;
    }
    const k = count % RING;
    rt[k] = type;
    rs[k] = s;
    re[k] = e;
    rp[k] = p;
    count++;
  };
  // back(1) is the last token.
  const bt = (i: number) => (count - i >= 0 ? rt[(count - i) % RING] : T_NONE);
  const bs = (i: number) => rs[(count - i) % RING];
  const be = (i: number) => re[(count - i) % RING];
  const bp = (i: number) => (count - i >= 0 ? rp[(count - i) % RING] : 0);
  const identIs = (s: number, e: number, word: string) => e - s === word.length && code.startsWith(word, s);
  const backIdentIs = (i: number, word: string) => bt(i) === T_IDENT && identIs(bs(i), be(i), word);

  let lastParen: ParenEntry | undefined;
  const braces: BraceEntry[] = [];
  /** `ident === "str"`: count it for the innermost enclosing host whose parameter it names. */
  const attribute = (s: number, e: number) => {
    for (let k = braces.length - 1; k >= 0; k--) {
      const b = braces[k];
      if (b.kind !== B_FN || b.host < 0) continue;
      const h = hosts[b.host];
      if (h.param.length === e - s && code.startsWith(h.param, s)) {
        h.compares++;
        return;
      }
    }
  };

  // Only names long enough to come within edit distance 2 of a decoy are kept (decoys fold to
  // at least MIN_DECOY_FOLDED characters), which skips almost every minified identifier.
  const addName = (s: number, e: number) => {
    if (e - s < MIN_NAME_RAW || e - s > 200) return;
    let f = code.slice(s, e);
    if (!/^[A-Za-z0-9]*$/.test(f)) f = f.replace(/[^A-Za-z0-9]+/g, '');
    if (f.length >= MIN_NAME_RAW && f.length <= 96) names.add(f.toLowerCase());
  };

  const regexAllowed = (): boolean => {
    const t = bt(1);
    if (t === T_NONE) return true;
    if (t === T_PUNCT) {
      const p = bp(1);
      return p !== 41 && p !== 93 && p !== P_INC; // ) ]
    }
    if (t === T_IDENT) return REGEX_AFTER.has(code.slice(bs(1), be(1)));
    return false;
  };

  const closeBrace = (at: number) => {
    const top = braces.pop();
    if (!top) return;
    if (top.host >= 0) hosts[top.host].bodyEnd = at;
    if (top.sw >= 0) switches[top.sw].bodyEnd = at;
    if (top.tool >= 0) toolObjects[top.tool].end = at + 1;
  };

  /**
   * Is this call's callee a property (`x.map(`, `p.then(`)? A minifier cannot see what such a
   * callee passes to its callback, so it can never inline constant arguments into it.
   */
  const memberCallee = (call: ParenEntry): boolean => {
    if (call.beforeType !== T_IDENT) return false;
    let j = call.beforeStart - 1;
    while (j >= 0 && (code.charCodeAt(j) === 32 || code.charCodeAt(j) === 10 || code.charCodeAt(j) === 9)) j--;
    return j >= 0 && code.charCodeAt(j) === 46;
  };

  const enclosingHostKind = (): HostKind | '' => {
    for (let i = braces.length - 1; i >= 0; i--) {
      const b = braces[i];
      if (b.kind === B_FN) return b.host >= 0 ? hosts[b.host].kind : '';
      if (b.kind === B_STATIC || b.kind === B_CLASS) return '';
    }
    return '';
  };

  /** Is a `return` valid at the innermost position? */
  const inFunction = (): boolean => {
    for (let i = braces.length - 1; i >= 0; i--) {
      const k = braces[i].kind;
      if (k === B_FN) return true;
      if (k === B_STATIC || k === B_CLASS) return false;
    }
    return false;
  };

  /** Classify a `{` from the tokens before it; registers hosts and switches. */
  const openBrace = (at: number) => {
    const entry: BraceEntry = { kind: B_BLOCK, start: at, host: -1, sw: -1, tool: -1 };
    const t1 = bt(1);
    const p1 = bp(1);
    if (t1 === T_PUNCT && p1 === P_ARROW) {
      entry.kind = B_FN;
      // Parameters: `x =>` or `(a, b) =>`, optionally after `async`.
      let param = '';
      let startTok = 2;
      if (bt(2) === T_IDENT) {
        param = code.slice(bs(2), be(2));
        startTok = 2;
      } else if (bt(2) === T_PUNCT && bp(2) === 41 && lastParen && lastParen.simple && lastParen.idents > 0) {
        param = code.slice(lastParen.firstStart, lastParen.firstEnd);
        startTok = -1;
      }
      if (param && !RESERVED.has(param)) {
        let start: number;
        let beforeType: number;
        let beforeP: number;
        let beforeS = 0;
        let beforeE = 0;
        if (startTok === 2) {
          start = bs(2);
          const asyncBefore = backIdentIs(3, 'async');
          beforeType = bt(asyncBefore ? 4 : 3);
          beforeP = bp(asyncBefore ? 4 : 3);
          if (asyncBefore) start = bs(3);
        } else {
          const lp = lastParen!;
          start = lp.openAt;
          const asyncBefore = lp.beforeType === T_IDENT && identIs(lp.beforeStart, lp.beforeEnd, 'async');
          if (asyncBefore) {
            start = lp.beforeStart;
            beforeType = lp.before2Type;
            beforeP = lp.before2Type === T_PUNCT ? code.charCodeAt(lp.before2Start) : 0;
          } else {
            beforeType = lp.beforeType;
            beforeP = lp.beforeType === T_PUNCT ? code.charCodeAt(lp.beforeStart) : 0;
            beforeS = lp.beforeStart;
            beforeE = lp.beforeEnd;
          }
        }
        void beforeS;
        void beforeE;
        const enclosing = parens[parens.length - 1];
        const isArg =
          beforeType === T_PUNCT &&
          (beforeP === 40 || beforeP === 44) &&
          !!enclosing &&
          (enclosing.beforeType === T_IDENT || (enclosing.beforeType === T_PUNCT && (code.charCodeAt(enclosing.beforeStart) === 41 || code.charCodeAt(enclosing.beforeStart) === 93))) &&
          !(enclosing.beforeType === T_IDENT && RESERVED.has(code.slice(enclosing.beforeStart, enclosing.beforeEnd)));
        const kind: HostKind = isArg ? (memberCallee(enclosing!) ? 'member-callback' : 'callback') : beforeType === T_PUNCT && beforeP === 40 ? 'iife' : 'expression';
        entry.host = hosts.length;
        hosts.push({ kind, start, isMethod: false, param, bodyStart: at + 1, bodyEnd: -1, directive: false, compares: 0, topName: '' });
      }
    } else if (t1 === T_PUNCT && p1 === 41 && lastParen) {
      const lp = lastParen;
      const bType = lp.beforeType;
      const bText = bType === T_IDENT ? code.slice(lp.beforeStart, lp.beforeEnd) : '';
      if (bType === T_IDENT && BLOCK_KEYWORDS.has(bText)) {
        if (bText === 'switch') {
          entry.kind = B_SWITCH;
          if (lp.simple && lp.idents === 1 && lp.commas === 0) {
            const disc = code.slice(lp.firstStart, lp.firstEnd);
            if (!RESERVED.has(disc)) {
              entry.sw = switches.length;
              switches.push({ start: lp.beforeStart, discriminant: disc, bodyStart: at + 1, bodyEnd: -1, defaultAt: -1, stringCases: 0, inFunction: inFunction(), enclosing: enclosingHostKind() });
            }
          }
        }
      } else {
        // function (...) {  |  function name (...) {  |  function* name (...) {  |  method(...) {
        let fnStartTok: 'anon' | 'named' | 'method' | '' = '';
        if (bType === T_IDENT && bText === 'function') fnStartTok = 'anon';
        else if (bType === T_PUNCT && code.charCodeAt(lp.beforeStart) === 42 && lp.before2Type === T_IDENT && identIs(lp.before2Start, lp.before2End, 'function')) fnStartTok = 'anon';
        else if (bType === T_IDENT && lp.before2Type === T_IDENT && identIs(lp.before2Start, lp.before2End, 'function')) fnStartTok = 'named';
        else if (bType === T_IDENT && lp.before2Type === T_PUNCT && code.charCodeAt(lp.before2Start) === 42 && lp.before3Type === T_IDENT && identIs(lp.before3Start, lp.before3End, 'function')) fnStartTok = 'named';
        else if (bType === T_IDENT && !RESERVED.has(bText)) {
          const outer = braces[braces.length - 1];
          if (outer && (outer.kind === B_OBJ || outer.kind === B_CLASS)) fnStartTok = 'method';
        } else if (bType === T_IDENT && (bText === 'get' || bText === 'set' || bText === 'static' || bText === 'async')) {
          const outer = braces[braces.length - 1];
          if (outer && (outer.kind === B_OBJ || outer.kind === B_CLASS)) fnStartTok = 'method';
        }
        if (fnStartTok) {
          entry.kind = B_FN;
          // No parameters: a non-arrow function can still read `arguments[0]`.
          if (lp.simple && (lp.idents > 0 || lp.commas === 0)) {
            const param = lp.idents > 0 ? code.slice(lp.firstStart, lp.firstEnd) : ARGUMENTS0;
            if (!RESERVED.has(param) && !(fnStartTok === 'method' && bText === 'constructor')) {
              let kind: HostKind;
              let start: number;
              if (fnStartTok === 'method') {
                kind = 'method';
                // Start at the method name, or at a modifier before it.
                start = lp.beforeStart;
                const mod = lp.before2Type === T_IDENT ? code.slice(lp.before2Start, lp.before2End) : '';
                if (mod === 'async' || mod === 'static' || mod === 'get' || mod === 'set') start = lp.before2Start;
                else if (lp.before2Type === T_PUNCT && code.charCodeAt(lp.before2Start) === 42) start = lp.before2Start;
              } else {
                // Find the `function` keyword and what stands before it.
                const fnTok = fnStartTok === 'anon' ? (bType === T_IDENT ? 'b1' : 'b2') : lp.before2Type === T_IDENT ? 'b2' : 'b3';
                const fnStart = fnTok === 'b1' ? lp.beforeStart : fnTok === 'b2' ? lp.before2Start : lp.before3Start;
                start = fnStart;
                // The token before `function` (found by scanning back over whitespace/comments is
                // costly; use the character class instead).
                let j = fnStart - 1;
                while (j >= 0 && (code.charCodeAt(j) === 32 || code.charCodeAt(j) === 10 || code.charCodeAt(j) === 9 || code.charCodeAt(j) === 13)) j--;
                let prevWordEnd = j + 1;
                let prevWordStart = prevWordEnd;
                while (prevWordStart > 0 && isIdentPart(code.charCodeAt(prevWordStart - 1))) prevWordStart--;
                let prevWord = code.slice(prevWordStart, prevWordEnd);
                if (prevWord === 'async') {
                  start = prevWordStart;
                  j = prevWordStart - 1;
                  while (j >= 0 && (code.charCodeAt(j) === 32 || code.charCodeAt(j) === 10 || code.charCodeAt(j) === 9 || code.charCodeAt(j) === 13)) j--;
                  prevWordEnd = j + 1;
                  prevWordStart = prevWordEnd;
                  while (prevWordStart > 0 && isIdentPart(code.charCodeAt(prevWordStart - 1))) prevWordStart--;
                  prevWord = code.slice(prevWordStart, prevWordEnd);
                }
                let prevChar = j >= 0 ? code.charCodeAt(j) : 59;
                // The tokenizer already skipped comments: trust its previous token when known.
                const generator = fnStartTok === 'anon' ? bType !== T_IDENT : lp.before2Type !== T_IDENT;
                if (!generator && prevWord !== 'async') {
                  const pt = fnStartTok === 'anon' ? lp.before2Type : lp.before3Type;
                  const ps = fnStartTok === 'anon' ? lp.before2Start : lp.before3Start;
                  const pe = fnStartTok === 'anon' ? lp.before2End : lp.before3End;
                  if (pt === T_NONE) prevChar = 59;
                  else if (pt === T_PUNCT) prevChar = code.charCodeAt(ps);
                  else if (pt === T_IDENT) {
                    prevWord = code.slice(ps, pe);
                    prevChar = 65;
                  }
                }
                if (prevWord === 'export' || prevWord === 'default') kind = 'exported';
                else if (prevChar === 40 || prevChar === 44) {
                  const enclosing = parens[parens.length - 1];
                  const callArgs =
                    !!enclosing &&
                    (enclosing.beforeType === T_IDENT || (enclosing.beforeType === T_PUNCT && (code.charCodeAt(enclosing.beforeStart) === 41 || code.charCodeAt(enclosing.beforeStart) === 93))) &&
                    !(enclosing.beforeType === T_IDENT && RESERVED.has(code.slice(enclosing.beforeStart, enclosing.beforeEnd)));
                  kind = callArgs ? (memberCallee(enclosing!) ? 'member-callback' : 'callback') : prevChar === 40 ? 'iife' : 'expression';
                } else if (prevChar === 61 /* = */) {
                  // `a.b = function` keeps its arguments unknown; `var f = function` may be inlined.
                  let k = j - 1;
                  while (k >= 0 && code.charCodeAt(k) === 32) k--;
                  let w = k + 1;
                  while (w > 0 && isIdentPart(code.charCodeAt(w - 1))) w--;
                  kind = w > 0 && code.charCodeAt(w - 1) === 46 ? 'property' : 'expression';
                } else if (prevChar === 58 /* : */) kind = 'property';
                else if (prevChar === 59 || prevChar === 123 || prevChar === 125 || j < 0) kind = 'declaration';
                else kind = 'expression';
              }
              entry.host = hosts.length;
              const topName = fnStartTok === 'named' && kind === 'declaration' && braces.length === 0 ? bText : '';
              hosts.push({ kind, start, isMethod: fnStartTok === 'method', param, bodyStart: at + 1, bodyEnd: -1, directive: false, compares: 0, topName });
            }
          }
        }
      }
    } else if (t1 === T_IDENT && backIdentIs(1, 'static')) {
      const outer = braces[braces.length - 1];
      entry.kind = outer && outer.kind === B_CLASS ? B_STATIC : B_BLOCK;
    } else {
      // class X {, class X extends Y {, class {
      let isClass = false;
      for (let i = 1; i <= 6 && bt(i) !== T_NONE; i++) {
        if (bt(i) === T_PUNCT && (bp(i) === 59 || bp(i) === 123 || bp(i) === 125)) break;
        if (backIdentIs(i, 'class')) {
          isClass = true;
          break;
        }
      }
      if (isClass) entry.kind = B_CLASS;
      else if (t1 === T_NONE) entry.kind = B_BLOCK;
      else if (t1 === T_PUNCT) {
        // After an operator or opening punctuation a `{` starts an object literal.
        entry.kind = p1 === 59 || p1 === 123 || p1 === 125 || p1 === 41 ? B_BLOCK : B_OBJ;
      } else if (t1 === T_IDENT) {
        const w = code.slice(bs(1), be(1));
        entry.kind = w === 'return' || w === 'case' || w === 'typeof' || w === 'void' || w === 'in' || w === 'of' || w === 'yield' || w === 'await' || w === 'throw' || w === 'delete' || w === 'new' ? B_OBJ : B_BLOCK;
      }
    }
    braces.push(entry);
  };

  let i = 0;
  // Hashbang.
  if (code.charCodeAt(0) === 35 && code.charCodeAt(1) === 33) {
    while (i < n && code.charCodeAt(i) !== 10) i++;
  }
  // Set when the token after a function body's `{` must be checked for a directive.
  let pendingDirectiveHost = -1;

  const scanTemplate = (from: number): number => {
    // From just after a backtick (or a `}` closing `${`); returns the index after the closing
    // backtick, or after `${` (pushing a template brace), or -1 when unterminated.
    let j = from;
    const chunkStart = from;
    while (j < n) {
      const c = code.charCodeAt(j);
      if (c === 92) {
        j += 2;
        continue;
      }
      if (c === 96) {
        addName(chunkStart, j);
        return j + 1;
      }
      if (c === 36 && code.charCodeAt(j + 1) === 123) {
        addName(chunkStart, j);
        braces.push({ kind: B_TPL, start: j + 1, host: -1, sw: -1, tool: -1 });
        return j + 2;
      }
      if (c === 10) newlines++;
      j++;
    }
    return -1;
  };

  while (i < n) {
    const c = code.charCodeAt(i);
    // Whitespace.
    if (c === 32 || c === 9 || c === 13 || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 10) {
      newlines++;
      i++;
      continue;
    }
    if (c === 47 /* / */) {
      const d = code.charCodeAt(i + 1);
      if (d === 47) {
        while (i < n && code.charCodeAt(i) !== 10) i++;
        continue;
      }
      if (d === 42) {
        const end = code.indexOf('*/', i + 2);
        if (end < 0) {
          confused = true;
          break;
        }
        for (let k = i; k < end; k++) if (code.charCodeAt(k) === 10) newlines++;
        i = end + 2;
        continue;
      }
      if (regexAllowed()) {
        let j = i + 1;
        let inClass = false;
        while (j < n) {
          const e = code.charCodeAt(j);
          if (e === 92) {
            j += 2;
            continue;
          }
          if (e === 10) break;
          if (inClass) {
            if (e === 93) inClass = false;
          } else if (e === 91) inClass = true;
          else if (e === 47) break;
          j++;
        }
        if (j >= n || code.charCodeAt(j) !== 47) {
          confused = true;
          break;
        }
        j++;
        while (j < n && isIdentPart(code.charCodeAt(j))) j++;
        push(T_REGEX, i, j, 0);
        i = j;
        continue;
      }
      push(T_PUNCT, i, i + 1, 47);
      i++;
      continue;
    }
    if (c === 34 || c === 39) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const e = code.charCodeAt(j);
        if (e === c) break;
        if (e === 92) {
          escaped = true;
          j += 2;
          continue;
        }
        if (e === 10) break;
        j++;
      }
      if (j >= n || code.charCodeAt(j) !== c) {
        confused = true;
        break;
      }
      const s = i + 1;
      const e = j;
      if (pendingDirectiveHost >= 0) hosts[pendingDirectiveHost].directive = true;
      pendingDirectiveHost = -1;
      if (e - s >= 4 && e - s <= 200) {
        if (e - s >= MIN_NAME_RAW) addName(s, e);
        if (e - s <= 96 && !escaped) {
          const value = code.slice(s, e);
          if (FLAGLIKE.test(value)) {
            nameStrings.add(value);
            // callee("flag", ...)
            if (bt(1) === T_PUNCT && bp(1) === 40 && bt(2) === T_IDENT) {
              const callee = code.slice(bs(2), be(2));
              if (!RESERVED.has(callee)) {
                let m = stringCalls.get(callee);
                if (!m) stringCalls.set(callee, (m = new Map()));
                m.set(value, (m.get(value) ?? 0) + 1);
              }
            }
          }
        }
      }
      // ident === "str"
      if (bt(1) === T_PUNCT && bp(1) === P_EQ && bt(2) === T_IDENT && !(count >= 3 && bt(3) === T_PUNCT && bp(3) === 46)) {
        attribute(bs(2), be(2));
      }
      push(T_STRING, i, j + 1, 0);
      i = j + 1;
      continue;
    }
    if (c === 96) {
      pendingDirectiveHost = -1;
      const j = scanTemplate(i + 1);
      if (j < 0) {
        confused = true;
        break;
      }
      push(T_TEMPLATE, i, j, 0);
      i = j;
      continue;
    }
    if (isIdentStart(c) || (c === 35 && isIdentStart(code.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n && isIdentPart(code.charCodeAt(j))) j++;
      pendingDirectiveHost = -1;
      if (j - i >= MIN_NAME_RAW) addName(i, j);
      // "str" === ident
      if (bt(1) === T_PUNCT && bp(1) === P_EQ && bt(2) === T_STRING) attribute(i, j);
      push(T_IDENT, i, j, 0);
      // case "str":  /  default:
      if (j - i === 4 && code.startsWith('case', i)) {
        const top = braces[braces.length - 1];
        if (top && top.sw >= 0) {
          let k = j;
          while (k < n && code.charCodeAt(k) === 32) k++;
          const q = code.charCodeAt(k);
          if (q === 34 || q === 39) switches[top.sw].stringCases++;
        }
      } else if (j - i === 7 && code.startsWith('default', i)) {
        const top = braces[braces.length - 1];
        if (top && top.sw >= 0) {
          let k = j;
          while (k < n && code.charCodeAt(k) === 32) k++;
          if (code.charCodeAt(k) === 58) switches[top.sw].defaultAt = i;
        }
      }
      i = j;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && code.charCodeAt(i + 1) >= 48 && code.charCodeAt(i + 1) <= 57)) {
      let j = i + 1;
      while (j < n) {
        const e = code.charCodeAt(j);
        if (isIdentPart(e) || e === 46) j++;
        else if ((e === 43 || e === 45) && (code.charCodeAt(j - 1) === 101 || code.charCodeAt(j - 1) === 69) && !/^0[xX]/.test(code.slice(i, i + 2))) j++;
        else break;
      }
      pendingDirectiveHost = -1;
      push(T_NUM, i, j, 0);
      i = j;
      continue;
    }
    // Punctuation.
    pendingDirectiveHost = -1;
    if (c === 123 /* { */) {
      openBrace(i);
      const top = braces[braces.length - 1];
      if (top.host >= 0) pendingDirectiveHost = top.host;
      push(T_PUNCT, i, i + 1, 123);
      i++;
      continue;
    }
    if (c === 125 /* } */) {
      const top = braces[braces.length - 1];
      if (top && top.kind === B_TPL) {
        braces.pop();
        const j = scanTemplate(i + 1);
        if (j < 0) {
          confused = true;
          break;
        }
        // The whole `...}...` continues a template token.
        push(T_TEMPLATE, i, j, 0);
        i = j;
        continue;
      }
      closeBrace(i);
      push(T_PUNCT, i, i + 1, 125);
      i++;
      continue;
    }
    if (c === 40 /* ( */) {
      const entry: ParenEntry = {
        beforeType: bt(1), beforeStart: bs(1), beforeEnd: be(1),
        before2Type: bt(2), before2Start: bs(2), before2End: be(2),
        before3Type: bt(3), before3Start: bs(3), before3End: be(3),
        simple: true, idents: 0, commas: 0, firstStart: -1, firstEnd: -1, openAt: i,
      };
      push(T_PUNCT, i, i + 1, 40);
      parens.push(entry);
      i++;
      continue;
    }
    if (c === 41 /* ) */) {
      lastParen = parens.pop();
      push(T_PUNCT, i, i + 1, 41);
      i++;
      continue;
    }
    let p = c;
    let len = 1;
    const d = code.charCodeAt(i + 1);
    if (c === 61 && d === 62) {
      p = P_ARROW;
      len = 2;
    } else if (c === 61 && d === 61) {
      p = P_EQ;
      len = code.charCodeAt(i + 2) === 61 ? 3 : 2;
    } else if (c === 33 && d === 61) {
      p = P_NEQ;
      len = code.charCodeAt(i + 2) === 61 ? 3 : 2;
    } else if ((c === 43 || c === 45) && d === c) {
      p = P_INC;
      len = 2;
    } else if (c === 46 && d === 46 && code.charCodeAt(i + 2) === 46) {
      len = 3;
    }
    // `:` after a tool-schema key directly inside an object literal.
    if (c === 58) {
      const top = braces[braces.length - 1];
      if (top && top.kind === B_OBJ && top.tool < 0 && (bt(1) === T_IDENT || bt(1) === T_STRING)) {
        const s = bt(1) === T_STRING ? bs(1) + 1 : bs(1);
        const e = bt(1) === T_STRING ? be(1) - 1 : be(1);
        if (e - s >= 10 && e - s <= 12 && TOOL_KEYS.has(code.slice(s, e))) {
          top.tool = toolObjects.length;
          toolObjects.push({ start: top.start, end: -1, key: code.slice(s, e) });
        }
      }
    }
    push(T_PUNCT, i, i + len, p);
    i += len;
  }

  const valid = hosts.filter((h) => h.bodyEnd > h.bodyStart && !h.directive);
  markExported(valid, code);
  // Switches can only host a case when they are closed and compare strings.
  const sws = switches.filter((s) => s.bodyEnd > s.bodyStart && s.stringCases > 0);
  const lines = newlines + 1;
  return {
    hosts: valid,
    switches: sws,
    stringCalls,
    toolObjects: toolObjects.filter((t) => t.end > t.start),
    names,
    nameStrings,
    minified: n / lines > 300,
    confused,
  };
}

/**
 * ESM chunks often declare a function and export it later (`export { f as name }`): such a
 * declaration keeps its body whatever a minifier does at its call sites, like `export function`.
 */
function markExported(hosts: FunctionHost[], code: string): void {
  const candidates = hosts.filter((h) => h.kind === 'declaration' && h.topName);
  if (candidates.length === 0) return;
  const exported = new Set<string>();
  for (const m of code.matchAll(/\bexport\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const local = part.trim().split(/\s+as\s+/)[0];
      if (local) exported.add(local);
    }
  }
  for (const h of candidates) if (exported.has(h.topName)) h.kind = 'exported';
}
