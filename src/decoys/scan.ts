// One linear pass over a chunk's text that finds what style learning and placement need,
// without parsing the whole file (a full acorn parse of a 6 MB bundle costs 1.5 s or more; this
// pass about 130 ms once V8 has optimized it, see bench/README.md):
//   - function bodies whose first parameter is a plain identifier (placement hosts),
//   - `switch (identifier) { case "..." }` statements (placement hosts),
//   - `identifier === "string"` comparisons (to prefer hosts that already compare strings),
//   - `callee("snake_string", ...)` calls (feature-flag getters, for style),
//   - object literals holding an `input_schema` / `inputSchema` / `parameters` key (tool
//     definitions, parsed afterwards as small regions with acorn),
//   - every identifier and string long enough to collide with a decoy, folded.
// It is a tokenizer, not a parser: string, template, comment and regular-expression boundaries
// are tracked exactly (code inside a string is never taken for code), and regex-versus-division
// is decided from the previous token as usual. Every host chosen for placement is re-parsed
// with acorn before a byte is inserted, and a chunk where the scan loses track (a literal that
// does not end) gets no decoys at all. test/decoys-scan.test.ts checks it against acorn.

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
/** Decoy names fold to at most about 70 characters: longer texts cannot come within 2 edits. */
const MAX_NAME_RAW = 160;
/** The `param` of a host with no parameters: its guard reads the first argument instead. */
export const ARGUMENTS0 = 'arguments[0]';
const TOOL_KEYS = new Set(['input_schema', 'inputSchema', 'parameters']);
const FLAGLIKE = /^[A-Za-z][A-Za-z0-9]*(?:[_.:-][A-Za-z0-9]+){1,7}$/;

// Field offsets of a parenthesis record in the scan's int stack.
const F_BT = 0, F_BS = 1, F_BE = 2, F_B2T = 3, F_B2S = 4, F_B2E = 5, F_B3T = 6, F_B3S = 7, F_B3E = 8;
const F_SIMPLE = 9, F_IDENTS = 10, F_COMMAS = 11, F_FS = 12, F_FE = 13, F_OPEN = 14;
const STRIDE = 16;
/** Bytes per call of Scanner.step. */
const STEP_BYTES = 1 << 16;

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

// Character classes of ASCII, by table: 1 identifier start, 2 identifier part only (digits).
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c === 92) CLASS[c] = 1;
  else if (c >= 48 && c <= 57) CLASS[c] = 2;
}
/** Cheap pre-check for FLAGLIKE without slicing: letters, digits and at least one `_ . : -`. */
function flagShaped(code: string, s: number, e: number): boolean {
  let sep = false;
  for (let k = s; k < e; k++) {
    const c = code.charCodeAt(k);
    if (c === 95 || c === 46 || c === 58 || c === 45) sep = true;
    else if (c >= 128 || CLASS[c] === 0 || c === 36) return false;
  }
  return sep;
}

function isIdentStart(c: number): boolean {
  return c < 128 ? CLASS[c] === 1 : true;
}
function isIdentPart(c: number): boolean {
  return c < 128 ? CLASS[c] !== 0 : true;
}

// A small text that walks every path of the scanner, repeated. Scanning it a few times before
// the first large chunk lets V8 optimize the scanner's methods on it (they are shared by every
// Scanner), so the large chunk runs optimized code from its first bytes (measured:
// bench/README.md).
const WARM_UP_UNIT = [
  '"use strict";/* c */// l',
  'var re=/a[/\\]]b/gi,d=a/b/c,t=`x${{a:1}.a}y${`z${q}`}`,s="a\\"b long enough here",u=\'c long enough too\';',
  'function f(a,b){switch(a){case "read_file":return 1;case \'x\':break;default:return 2}if(a==="zz"||"yy"===b)return 3}',
  'const o={bar(m){return m},get g(){return 1},input_schema:{type:"object"},name:"read_file_now"};',
  'class K extends Base{constructor(z){super();this.z=z}static{}go(w){return w}async *gen(v){yield v}}',
  'export function exp(e){return [1].map(function(q){return q*2}).filter(v=>{return v>1}).map(async(x,y)=>{await x})}',
  'flag("tengu_amber_lantern",!1);flag(\'tengu_cobalt_fox\');(function(g){g.x=1})(this);x=i++/2;0x1f+1e-5+.5;',
  'somethingRatherLongNamed.anotherRatherLongProperty(yetAnotherLongIdentifier,"a string literal of some length");',
].join('\n');
let warmedUp = false;

export function scanChunk(code: string): ScanResult {
  if (!warmedUp && code.length > 1 << 20) {
    warmedUp = true;
    const sample = WARM_UP_UNIT.repeat(WARM_UP_REPEAT);
    for (let k = 0; k < WARM_UP_RUNS; k++) new Scanner(sample).run();
  }
  return new Scanner(code).run();
}
const WARM_UP_REPEAT = 40;
const WARM_UP_RUNS = 20;

/** The scan state; one instance per chunk (methods, not per-call closures, so V8 keeps one optimized copy). */
class Scanner {
  readonly n: number;
  readonly hosts: FunctionHost[] = [];
  readonly switches: SwitchHost[] = [];
  readonly stringCalls = new Map<string, Map<string, number>>();
  readonly toolObjects: ScanResult['toolObjects'] = [];
  readonly names = new Set<string>();
  readonly nameStrings = new Set<string>();
  confused = false;
  newlines = 0;
  // A ring of the last 8 significant tokens.
  readonly rt = new Int32Array(8);
  readonly rs = new Int32Array(8);
  readonly re = new Int32Array(8);
  readonly rp = new Int32Array(8);
  count = 0;
  // Open parentheses, as a stack of int records (one object per `(` of a large bundle would
  // cost more than the rest of the scan); see the F_* field offsets.
  PS = new Int32Array(64 * STRIDE);
  pd = 0;
  lastCloseAt = -1;
  lastParenIdx = -1;
  // Open braces. Entries are reused (a large bundle opens hundreds of thousands of braces; one
  // object each would keep the garbage collector busy): `bd` is the depth.
  readonly braces: BraceEntry[] = [];
  bd = 0;
  // Only names long enough to come within edit distance 2 of a decoy are kept (decoys fold to
  // at least MIN_DECOY_FOLDED characters), which skips almost every minified identifier.
  // Raw texts are collected first and folded once each at the end: most repeat many times.
  // The set is an open-addressing table of (hash, index) over `rawNames`, probed with the hash
  // the scan computes while it walks a token, so a repeated name costs no allocation at all.
  readonly rawNames: string[] = [];
  readonly decodedNames: string[] = [];
  tableMask = (1 << 14) - 1;
  tableHash = new Int32Array(this.tableMask + 1);
  tableRef = new Int32Array(this.tableMask + 1).fill(-1);
  readonly rawHashes: number[] = [];
  // Set when the token after a function body's `{` must be checked for a directive.
  pendingDirectiveHost = -1;
  // Next positions of a few characters, found with indexOf (native, fast over the long
  // strings and templates that make up half of a large bundle) and cached: the scan only moves
  // forward, so each is searched for about once per occurrence.
  nextBS = -1;
  nextNL = -1;
  nextTick = -1;
  nextDollar = -1;

  constructor(readonly code: string) {
    this.n = this.code.length;
  }

  /** A parenthesis record; `closeAt` given, also whether it holds only `a, b, c`. */
  parenAt(idx: number, closeAt = -1): ParenEntry {
    const b = idx * STRIDE;
    const entry: ParenEntry = {
      beforeType: this.PS[b + F_BT], beforeStart: this.PS[b + F_BS], beforeEnd: this.PS[b + F_BE],
      before2Type: this.PS[b + F_B2T], before2Start: this.PS[b + F_B2S], before2End: this.PS[b + F_B2E],
      before3Type: this.PS[b + F_B3T], before3Start: this.PS[b + F_B3S], before3End: this.PS[b + F_B3E],
      simple: false, idents: 0, commas: 0, firstStart: -1, firstEnd: -1, openAt: this.PS[b + F_OPEN],
    };
    if (closeAt > entry.openAt) this.readParams(entry, closeAt);
    return entry;
  }

  /** `( a, b, c )` strictly alternating, whitespace allowed; anything else is not simple. */
  readParams(entry: ParenEntry, closeAt: number) {
    let j = entry.openAt + 1;
    let expectIdent = true;
    while (j < closeAt) {
      const c = this.code.charCodeAt(j);
      if (c === 32 || c === 10 || c === 9 || c === 13) {
        j++;
        continue;
      }
      if (expectIdent && isIdentStart(c) && c !== 92) {
        let k = j + 1;
        while (k < closeAt && isIdentPart(this.code.charCodeAt(k)) && this.code.charCodeAt(k) !== 92) k++;
        if (entry.idents++ === 0) {
          entry.firstStart = j;
          entry.firstEnd = k;
        }
        expectIdent = false;
        j = k;
        continue;
      }
      if (!expectIdent && c === 44) {
        entry.commas++;
        expectIdent = true;
        j++;
        continue;
      }
      return;
    }
    entry.simple = expectIdent ? entry.idents === 0 : true;
  }

  push(type: number, s: number, e: number, p: number) {
    const k = this.count & 7;
    this.rt[k] = type;
    this.rs[k] = s;
    this.re[k] = e;
    this.rp[k] = p;
    this.count++;
  }

  // back(1) is the last token.
  bt(i: number) {
    return (this.count - i >= 0 ? this.rt[(this.count - i) & 7] : T_NONE);
  }

  bs(i: number) {
    return this.rs[(this.count - i) & 7];
  }

  be(i: number) {
    return this.re[(this.count - i) & 7];
  }

  bp(i: number) {
    return (this.count - i >= 0 ? this.rp[(this.count - i) & 7] : 0);
  }

  identIs(s: number, e: number, word: string) {
    return e - s === word.length && this.code.startsWith(word, s);
  }

  backIdentIs(i: number, word: string) {
    return this.bt(i) === T_IDENT && this.identIs(this.bs(i), this.be(i), word);
  }

  nextBrace(kind: number, start: number): BraceEntry {
    let e = this.braces[this.bd];
    if (e === undefined) this.braces[this.bd] = e = { kind, start, host: -1, sw: -1, tool: -1 };
    else {
      e.kind = kind;
      e.start = start;
      e.host = -1;
      e.sw = -1;
      e.tool = -1;
    }
    return e;
  }

  /** `ident === "str"`: count it for the innermost enclosing host whose parameter it names. */
  attribute(s: number, e: number) {
    for (let k = this.bd - 1; k >= 0; k--) {
      const b = this.braces[k];
      if (b.kind !== B_FN || b.host < 0) continue;
      const h = this.hosts[b.host];
      if (h.param.length === e - s && this.code.startsWith(h.param, s)) {
        h.compares++;
        return;
      }
    }
  }

  insert(h: number, ref: number) {
    let slot = h & this.tableMask;
    while (this.tableRef[slot] !== -1) slot = (slot + 1) & this.tableMask;
    this.tableRef[slot] = ref;
    this.tableHash[slot] = h;
  }

  // Same hash, length, first and last character: the same name (a 32-bit collision on top of
  // those could only drop one name from the set, never add a wrong one).
  sameText(raw: string, s: number, len: number): boolean {
    return raw.length === len && raw.charCodeAt(0) === this.code.charCodeAt(s) && raw.charCodeAt(len - 1) === this.code.charCodeAt(s + len - 1);
  }

  addNameHashed(s: number, e: number, h: number) {
    const len = e - s;
    if (len < MIN_NAME_RAW || len > MAX_NAME_RAW) return;
    let slot = h & this.tableMask;
    for (;;) {
      const ref = this.tableRef[slot];
      if (ref === -1) break;
      if (this.tableHash[slot] === h && this.sameText(this.rawNames[ref], s, len)) return;
      slot = (slot + 1) & this.tableMask;
    }
    this.rawNames.push(this.code.slice(s, e));
    this.rawHashes.push(h);
    if (this.rawNames.length * 2 > this.tableMask) {
      this.tableMask = this.tableMask * 2 + 1;
      this.tableHash = new Int32Array(this.tableMask + 1);
      this.tableRef = new Int32Array(this.tableMask + 1).fill(-1);
      for (let r = 0; r < this.rawNames.length; r++) this.insert(this.rawHashes[r], r);
    } else this.insert(h, this.rawNames.length - 1);
  }

  addName(s: number, e: number) {
    if (e - s < MIN_NAME_RAW || e - s > MAX_NAME_RAW) return;
    let h = 0;
    for (let k = s; k < e; k++) h = (Math.imul(h, 31) + this.code.charCodeAt(k)) | 0;
    this.addNameHashed(s, e, h);
  }

  regexAllowed(): boolean {
    const t = this.bt(1);
    if (t === T_NONE) return true;
    if (t === T_PUNCT) {
      const p = this.bp(1);
      return p !== 41 && p !== 93 && p !== P_INC; // ) ]
    }
    if (t === T_IDENT) return REGEX_AFTER.has(this.code.slice(this.bs(1), this.be(1)));
    return false;
  }

  closeBrace(at: number) {
    if (this.bd === 0) return;
    const top = this.braces[--this.bd];
    if (top.host >= 0) this.hosts[top.host].bodyEnd = at;
    if (top.sw >= 0) this.switches[top.sw].bodyEnd = at;
    if (top.tool >= 0) this.toolObjects[top.tool].end = at + 1;
  }

  /**
   * Is this call's callee a property (`x.map(`, `p.then(`)? A minifier cannot see what such a
   * callee passes to its callback, so it can never inline constant arguments into it.
   */
  memberCallee(call: ParenEntry): boolean {
    if (call.beforeType !== T_IDENT) return false;
    let j = call.beforeStart - 1;
    while (j >= 0 && (this.code.charCodeAt(j) === 32 || this.code.charCodeAt(j) === 10 || this.code.charCodeAt(j) === 9)) j--;
    return j >= 0 && this.code.charCodeAt(j) === 46;
  }

  enclosingHostKind(): HostKind | '' {
    for (let i = this.bd - 1; i >= 0; i--) {
      const b = this.braces[i];
      if (b.kind === B_FN) return b.host >= 0 ? this.hosts[b.host].kind : '';
      if (b.kind === B_STATIC || b.kind === B_CLASS) return '';
    }
    return '';
  }

  /** Is a `return` valid at the innermost position? */
  inFunction(): boolean {
    for (let i = this.bd - 1; i >= 0; i--) {
      const k = this.braces[i].kind;
      if (k === B_FN) return true;
      if (k === B_STATIC || k === B_CLASS) return false;
    }
    return false;
  }

  /** Classify a `{` from the tokens before it; registers hosts and switches. */
  openBrace(at: number) {
    const entry = this.nextBrace(B_BLOCK, at);
    // Only `)` or `=>` before this `{` make the last closed parenthesis relevant.
    const lastParen = this.lastParenIdx >= 0 && this.bt(1) === T_PUNCT && (this.bp(1) === 41 || this.bp(1) === P_ARROW) ? this.parenAt(this.lastParenIdx, this.lastCloseAt) : undefined;
    const t1 = this.bt(1);
    const p1 = this.bp(1);
    if (t1 === T_PUNCT && p1 === P_ARROW) {
      entry.kind = B_FN;
      // Parameters: `x =>` or `(a, b) =>`, optionally after `async`.
      let param = '';
      let startTok = 2;
      if (this.bt(2) === T_IDENT) {
        param = this.code.slice(this.bs(2), this.be(2));
        startTok = 2;
      } else if (this.bt(2) === T_PUNCT && this.bp(2) === 41 && lastParen && lastParen.simple && lastParen.idents > 0) {
        param = this.code.slice(lastParen.firstStart, lastParen.firstEnd);
        startTok = -1;
      }
      if (param && !RESERVED.has(param)) {
        let start: number;
        let beforeType: number;
        let beforeP: number;
        if (startTok === 2) {
          start = this.bs(2);
          const asyncBefore = this.backIdentIs(3, 'async');
          beforeType = this.bt(asyncBefore ? 4 : 3);
          beforeP = this.bp(asyncBefore ? 4 : 3);
          if (asyncBefore) start = this.bs(3);
        } else {
          const lp = lastParen!;
          start = lp.openAt;
          const asyncBefore = lp.beforeType === T_IDENT && this.identIs(lp.beforeStart, lp.beforeEnd, 'async');
          if (asyncBefore) {
            start = lp.beforeStart;
            beforeType = lp.before2Type;
            beforeP = lp.before2Type === T_PUNCT ? this.code.charCodeAt(lp.before2Start) : 0;
          } else {
            beforeType = lp.beforeType;
            beforeP = lp.beforeType === T_PUNCT ? this.code.charCodeAt(lp.beforeStart) : 0;
          }
        }
        const enclosing = this.pd > 0 ? this.parenAt(this.pd - 1) : undefined;
        const isArg =
          beforeType === T_PUNCT &&
          (beforeP === 40 || beforeP === 44) &&
          !!enclosing &&
          (enclosing.beforeType === T_IDENT || (enclosing.beforeType === T_PUNCT && (this.code.charCodeAt(enclosing.beforeStart) === 41 || this.code.charCodeAt(enclosing.beforeStart) === 93))) &&
          !(enclosing.beforeType === T_IDENT && RESERVED.has(this.code.slice(enclosing.beforeStart, enclosing.beforeEnd)));
        const kind: HostKind = isArg ? (this.memberCallee(enclosing!) ? 'member-callback' : 'callback') : beforeType === T_PUNCT && beforeP === 40 ? 'iife' : 'expression';
        entry.host = this.hosts.length;
        this.hosts.push({ kind, start, isMethod: false, param, bodyStart: at + 1, bodyEnd: -1, directive: false, compares: 0, topName: '' });
      }
    } else if (t1 === T_PUNCT && p1 === 41 && lastParen) {
      const lp = lastParen;
      const bType = lp.beforeType;
      const bText = bType === T_IDENT ? this.code.slice(lp.beforeStart, lp.beforeEnd) : '';
      if (bType === T_IDENT && BLOCK_KEYWORDS.has(bText)) {
        if (bText === 'switch') {
          entry.kind = B_SWITCH;
          if (lp.simple && lp.idents === 1 && lp.commas === 0) {
            const disc = this.code.slice(lp.firstStart, lp.firstEnd);
            if (!RESERVED.has(disc)) {
              entry.sw = this.switches.length;
              this.switches.push({ start: lp.beforeStart, discriminant: disc, bodyStart: at + 1, bodyEnd: -1, defaultAt: -1, stringCases: 0, inFunction: this.inFunction(), enclosing: this.enclosingHostKind() });
            }
          }
        }
      } else {
        // function (...) {  |  function name (...) {  |  function* name (...) {  |  method(...) {
        let fnStartTok: 'anon' | 'named' | 'method' | '' = '';
        if (bType === T_IDENT && bText === 'function') fnStartTok = 'anon';
        else if (bType === T_PUNCT && this.code.charCodeAt(lp.beforeStart) === 42 && lp.before2Type === T_IDENT && this.identIs(lp.before2Start, lp.before2End, 'function')) fnStartTok = 'anon';
        else if (bType === T_IDENT && lp.before2Type === T_IDENT && this.identIs(lp.before2Start, lp.before2End, 'function')) fnStartTok = 'named';
        else if (bType === T_IDENT && lp.before2Type === T_PUNCT && this.code.charCodeAt(lp.before2Start) === 42 && lp.before3Type === T_IDENT && this.identIs(lp.before3Start, lp.before3End, 'function')) fnStartTok = 'named';
        else if (bType === T_IDENT && !RESERVED.has(bText)) {
          const outer = (this.bd > 0 ? this.braces[this.bd - 1] : undefined);
          if (outer && (outer.kind === B_OBJ || outer.kind === B_CLASS)) fnStartTok = 'method';
        } else if (bType === T_IDENT && (bText === 'get' || bText === 'set' || bText === 'static' || bText === 'async')) {
          const outer = (this.bd > 0 ? this.braces[this.bd - 1] : undefined);
          if (outer && (outer.kind === B_OBJ || outer.kind === B_CLASS)) fnStartTok = 'method';
        }
        if (fnStartTok) {
          entry.kind = B_FN;
          // No parameters: a non-arrow function can still read `arguments[0]`.
          if (lp.simple && (lp.idents > 0 || lp.commas === 0)) {
            const param = lp.idents > 0 ? this.code.slice(lp.firstStart, lp.firstEnd) : ARGUMENTS0;
            if (!RESERVED.has(param) && !(fnStartTok === 'method' && bText === 'constructor')) {
              let kind: HostKind;
              let start: number;
              if (fnStartTok === 'method') {
                kind = 'method';
                // Start at the method name, or at a modifier before it.
                start = lp.beforeStart;
                const mod = lp.before2Type === T_IDENT ? this.code.slice(lp.before2Start, lp.before2End) : '';
                if (mod === 'async' || mod === 'static' || mod === 'get' || mod === 'set') start = lp.before2Start;
                else if (lp.before2Type === T_PUNCT && this.code.charCodeAt(lp.before2Start) === 42) start = lp.before2Start;
              } else {
                // Find the `function` keyword and what stands before it.
                const fnTok = fnStartTok === 'anon' ? (bType === T_IDENT ? 'b1' : 'b2') : lp.before2Type === T_IDENT ? 'b2' : 'b3';
                const fnStart = fnTok === 'b1' ? lp.beforeStart : fnTok === 'b2' ? lp.before2Start : lp.before3Start;
                start = fnStart;
                // The token before `function` (found by scanning back over whitespace/comments is
                // costly; use the character class instead).
                let j = fnStart - 1;
                while (j >= 0 && (this.code.charCodeAt(j) === 32 || this.code.charCodeAt(j) === 10 || this.code.charCodeAt(j) === 9 || this.code.charCodeAt(j) === 13)) j--;
                let prevWordEnd = j + 1;
                let prevWordStart = prevWordEnd;
                while (prevWordStart > 0 && isIdentPart(this.code.charCodeAt(prevWordStart - 1))) prevWordStart--;
                let prevWord = this.code.slice(prevWordStart, prevWordEnd);
                if (prevWord === 'async') {
                  start = prevWordStart;
                  j = prevWordStart - 1;
                  while (j >= 0 && (this.code.charCodeAt(j) === 32 || this.code.charCodeAt(j) === 10 || this.code.charCodeAt(j) === 9 || this.code.charCodeAt(j) === 13)) j--;
                  prevWordEnd = j + 1;
                  prevWordStart = prevWordEnd;
                  while (prevWordStart > 0 && isIdentPart(this.code.charCodeAt(prevWordStart - 1))) prevWordStart--;
                  prevWord = this.code.slice(prevWordStart, prevWordEnd);
                }
                let prevChar = j >= 0 ? this.code.charCodeAt(j) : 59;
                // The tokenizer already skipped comments: trust its previous token when known.
                const generator = fnStartTok === 'anon' ? bType !== T_IDENT : lp.before2Type !== T_IDENT;
                if (!generator && prevWord !== 'async') {
                  const pt = fnStartTok === 'anon' ? lp.before2Type : lp.before3Type;
                  const ps = fnStartTok === 'anon' ? lp.before2Start : lp.before3Start;
                  const pe = fnStartTok === 'anon' ? lp.before2End : lp.before3End;
                  if (pt === T_NONE) prevChar = 59;
                  else if (pt === T_PUNCT) prevChar = this.code.charCodeAt(ps);
                  else if (pt === T_IDENT) {
                    prevWord = this.code.slice(ps, pe);
                    prevChar = 65;
                  }
                }
                if (prevWord === 'export' || prevWord === 'default') kind = 'exported';
                else if (prevChar === 40 || prevChar === 44) {
                  const enclosing = this.pd > 0 ? this.parenAt(this.pd - 1) : undefined;
                  const callArgs =
                    !!enclosing &&
                    (enclosing.beforeType === T_IDENT || (enclosing.beforeType === T_PUNCT && (this.code.charCodeAt(enclosing.beforeStart) === 41 || this.code.charCodeAt(enclosing.beforeStart) === 93))) &&
                    !(enclosing.beforeType === T_IDENT && RESERVED.has(this.code.slice(enclosing.beforeStart, enclosing.beforeEnd)));
                  kind = callArgs ? (this.memberCallee(enclosing!) ? 'member-callback' : 'callback') : prevChar === 40 ? 'iife' : 'expression';
                } else if (prevChar === 61 /* = */) {
                  // `a.b = function` keeps its arguments unknown; `var f = function` may be inlined.
                  let k = j - 1;
                  while (k >= 0 && this.code.charCodeAt(k) === 32) k--;
                  let w = k + 1;
                  while (w > 0 && isIdentPart(this.code.charCodeAt(w - 1))) w--;
                  kind = w > 0 && this.code.charCodeAt(w - 1) === 46 ? 'property' : 'expression';
                } else if (prevChar === 58 /* : */) kind = 'property';
                else if (prevChar === 59 || prevChar === 123 || prevChar === 125 || j < 0) kind = 'declaration';
                else kind = 'expression';
              }
              entry.host = this.hosts.length;
              const topName = fnStartTok === 'named' && kind === 'declaration' && this.bd === 0 ? bText : '';
              this.hosts.push({ kind, start, isMethod: fnStartTok === 'method', param, bodyStart: at + 1, bodyEnd: -1, directive: false, compares: 0, topName });
            }
          }
        }
      }
    } else if (t1 === T_IDENT && this.backIdentIs(1, 'static')) {
      const outer = (this.bd > 0 ? this.braces[this.bd - 1] : undefined);
      entry.kind = outer && outer.kind === B_CLASS ? B_STATIC : B_BLOCK;
    } else {
      // class X {, class X extends Y {, class {
      let isClass = false;
      for (let i = 1; i <= 6 && this.bt(i) !== T_NONE; i++) {
        if (this.bt(i) === T_PUNCT && (this.bp(i) === 59 || this.bp(i) === 123 || this.bp(i) === 125)) break;
        if (this.backIdentIs(i, 'class')) {
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
        const w = this.code.slice(this.bs(1), this.be(1));
        entry.kind = w === 'return' || w === 'case' || w === 'typeof' || w === 'void' || w === 'in' || w === 'of' || w === 'yield' || w === 'await' || w === 'throw' || w === 'delete' || w === 'new' ? B_OBJ : B_BLOCK;
      }
    }
    this.bd++;
  }

  find(ch: string, cached: number, from: number): number {
    if (cached >= from) return cached;
    const k = this.code.indexOf(ch, from);
    return k < 0 ? this.n : k;
  }

  scanTemplate(from: number): number {
    // From just after a backtick (or a `}` closing `${`); returns the index after the closing
    // backtick, or after `${` (pushing a template brace), or -1 when unterminated.
    let j = from;
    const chunkStart = from;
    for (;;) {
      this.nextTick = this.find('`', this.nextTick, j);
      this.nextBS = this.find('\\', this.nextBS, j);
      this.nextDollar = this.find('${', this.nextDollar, j);
      const stop = Math.min(this.nextTick, this.nextBS, this.nextDollar);
      if (stop >= this.n) return -1;
      // Newlines up to here count towards telling minified this.code apart.
      for (this.nextNL = this.find('\this.n', this.nextNL, j); this.nextNL < stop; this.nextNL = this.find('\this.n', this.nextNL, this.nextNL + 1)) this.newlines++;
      if (stop === this.nextBS) {
        j = stop + 2;
        continue;
      }
      if (stop === this.nextTick) {
        this.addName(chunkStart, stop);
        return stop + 1;
      }
      this.addName(chunkStart, stop);
      this.nextBrace(B_TPL, stop + 1);
      this.bd++;
      return stop + 2;
    }
  }

  /** Scan whole tokens from `i` until `limit` (or the end); returns where it stopped. */
  step(i: number, limit: number): number {
    const code = this.code;
    const n = this.n;
    while (i < limit) {
      const c = code.charCodeAt(i);
      // Whitespace.
      if (c === 32 || c === 9 || c === 13 || c === 0xa0 || c === 0xfeff) {
        i++;
        continue;
      }
      if (c === 10) {
        this.newlines++;
        i++;
        continue;
      }
      if (c === 47 /* / */) {
        const d = code.charCodeAt(i + 1);
        if (d === 47) {
          i = this.nextNL = this.find('\n', this.nextNL, i);
          continue;
        }
        if (d === 42) {
          const end = code.indexOf('*/', i + 2);
          if (end < 0) {
            this.confused = true;
            break;
          }
          for (let k = i; k < end; k++) if (code.charCodeAt(k) === 10) this.newlines++;
          i = end + 2;
          continue;
        }
        if (this.regexAllowed()) {
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
            this.confused = true;
            break;
          }
          j++;
          while (j < n && isIdentPart(code.charCodeAt(j))) j++;
          this.push(T_REGEX, i, j, 0);
          i = j;
          continue;
        }
        this.push(T_PUNCT, i, i + 1, 47);
        i++;
        continue;
      }
      if (c === 34 || c === 39) {
        let j = i + 1;
        let escaped = false;
        const quote = c === 34 ? '"' : "'";
        for (;;) {
          const q = code.indexOf(quote, j);
          if (q < 0) {
            j = n;
            break;
          }
          this.nextBS = this.find('\\', this.nextBS, j);
          if (this.nextBS < q) {
            escaped = true;
            j = this.nextBS + 2;
            continue;
          }
          j = q;
          break;
        }
        // A raw newline inside a string is only a line continuation (after a backslash); any other
        // means the scan lost track (a regular expression read as a division, say).
        let lost = j >= n;
        for (this.nextNL = this.find('\n', this.nextNL, i + 1); !lost && this.nextNL < j; this.nextNL = this.find('\n', this.nextNL, this.nextNL + 1)) {
          if (code.charCodeAt(this.nextNL - 1) !== 92 && !(code.charCodeAt(this.nextNL - 1) === 13 && code.charCodeAt(this.nextNL - 2) === 92)) lost = true;
        }
        if (lost) {
          this.confused = true;
          break;
        }
        const s = i + 1;
        const e = j;
        if (this.pendingDirectiveHost >= 0) this.hosts[this.pendingDirectiveHost].directive = true;
        this.pendingDirectiveHost = -1;
        if (e - s >= 4 && e - s <= 200) {
          if (e - s >= MIN_NAME_RAW) {
            this.addName(s, e);
            // The value as well as the text: `"a\nb"` is `a`, a newline and `b` at run time.
            if (escaped) this.decodedNames.push(unescapeString(code.slice(s, e)));
          }
          if (e - s <= 96 && !escaped && flagShaped(code, s, e)) {
            const value = code.slice(s, e);
            if (FLAGLIKE.test(value)) {
              this.nameStrings.add(value);
              // callee("flag", ...)
              if (this.bt(1) === T_PUNCT && this.bp(1) === 40 && this.bt(2) === T_IDENT) {
                const callee = code.slice(this.bs(2), this.be(2));
                if (!RESERVED.has(callee)) {
                  let m = this.stringCalls.get(callee);
                  if (!m) this.stringCalls.set(callee, (m = new Map()));
                  m.set(value, (m.get(value) ?? 0) + 1);
                }
              }
            }
          }
        }
        // ident === "str"
        const k1 = (this.count - 1) & 7;
        if (this.count >= 2 && this.rp[k1] === P_EQ && this.rt[k1] === T_PUNCT && this.rt[(this.count - 2) & 7] === T_IDENT && !(this.count >= 3 && this.bt(3) === T_PUNCT && this.bp(3) === 46)) {
          this.attribute(this.bs(2), this.be(2));
        }
        this.push(T_STRING, i, j + 1, 0);
        i = j + 1;
        continue;
      }
      if (c === 96) {
        this.pendingDirectiveHost = -1;
        const j = this.scanTemplate(i + 1);
        if (j < 0) {
          this.confused = true;
          break;
        }
        this.push(T_TEMPLATE, i, j, 0);
        i = j;
        continue;
      }
      if (isIdentStart(c) || (c === 35 && isIdentStart(code.charCodeAt(i + 1)))) {
        let j = i + 1;
        while (j < n) {
          const d = code.charCodeAt(j);
          if (d < 128 ? CLASS[d] === 0 : !isIdentPart(d)) break;
          j++;
        }
        this.pendingDirectiveHost = -1;
        if (j - i >= MIN_NAME_RAW) this.addName(i, j);
        // "str" === ident
        const k1 = (this.count - 1) & 7;
        if (this.count >= 2 && this.rp[k1] === P_EQ && this.rt[k1] === T_PUNCT && this.rt[(this.count - 2) & 7] === T_STRING) this.attribute(i, j);
        this.push(T_IDENT, i, j, 0);
        // case "str":  /  default:
        if (j - i === 4 && code.startsWith('case', i)) {
          const top = (this.bd > 0 ? this.braces[this.bd - 1] : undefined);
          if (top && top.sw >= 0) {
            let k = j;
            while (k < n && code.charCodeAt(k) === 32) k++;
            const q = code.charCodeAt(k);
            if (q === 34 || q === 39) this.switches[top.sw].stringCases++;
          }
        } else if (j - i === 7 && code.startsWith('default', i)) {
          const top = (this.bd > 0 ? this.braces[this.bd - 1] : undefined);
          if (top && top.sw >= 0) {
            let k = j;
            while (k < n && code.charCodeAt(k) === 32) k++;
            if (code.charCodeAt(k) === 58) this.switches[top.sw].defaultAt = i;
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
        this.pendingDirectiveHost = -1;
        this.push(T_NUM, i, j, 0);
        i = j;
        continue;
      }
      // Punctuation.
      this.pendingDirectiveHost = -1;
      if (c === 123 /* { */) {
        this.openBrace(i);
        const top = this.braces[this.bd - 1];
        if (top.host >= 0) this.pendingDirectiveHost = top.host;
        this.push(T_PUNCT, i, i + 1, 123);
        i++;
        continue;
      }
      if (c === 125 /* } */) {
        const top = (this.bd > 0 ? this.braces[this.bd - 1] : undefined);
        if (top && top.kind === B_TPL) {
          this.bd--;
          const j = this.scanTemplate(i + 1);
          if (j < 0) {
            this.confused = true;
            break;
          }
          // The whole `...}...` continues a template token.
          this.push(T_TEMPLATE, i, j, 0);
          i = j;
          continue;
        }
        this.closeBrace(i);
        this.push(T_PUNCT, i, i + 1, 125);
        i++;
        continue;
      }
      if (c === 40 /* ( */) {
        const t1 = this.bt(1), s1 = this.bs(1), e1 = this.be(1), t2 = this.bt(2), s2 = this.bs(2), e2 = this.be(2), t3 = this.bt(3), s3 = this.bs(3), e3 = this.be(3);
        this.push(T_PUNCT, i, i + 1, 40);
        if ((this.pd + 1) * STRIDE > this.PS.length) {
          const grown = new Int32Array(this.PS.length * 2);
          grown.set(this.PS);
          this.PS = grown;
        }
        const b = this.pd * STRIDE;
        this.PS[b + F_BT] = t1; this.PS[b + F_BS] = s1; this.PS[b + F_BE] = e1;
        this.PS[b + F_B2T] = t2; this.PS[b + F_B2S] = s2; this.PS[b + F_B2E] = e2;
        this.PS[b + F_B3T] = t3; this.PS[b + F_B3S] = s3; this.PS[b + F_B3E] = e3;
        this.PS[b + F_SIMPLE] = 1; this.PS[b + F_IDENTS] = 0; this.PS[b + F_COMMAS] = 0;
        this.PS[b + F_FS] = -1; this.PS[b + F_FE] = -1; this.PS[b + F_OPEN] = i;
        this.pd++;
        i++;
        continue;
      }
      if (c === 41 /* ) */) {
        this.lastParenIdx = this.pd > 0 ? --this.pd : -1;
        this.lastCloseAt = i;
        this.push(T_PUNCT, i, i + 1, 41);
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
        const top = (this.bd > 0 ? this.braces[this.bd - 1] : undefined);
        if (top && top.kind === B_OBJ && top.tool < 0 && (this.bt(1) === T_IDENT || this.bt(1) === T_STRING)) {
          const s = this.bt(1) === T_STRING ? this.bs(1) + 1 : this.bs(1);
          const e = this.bt(1) === T_STRING ? this.be(1) - 1 : this.be(1);
          if (e - s >= 10 && e - s <= 12 && TOOL_KEYS.has(code.slice(s, e))) {
            top.tool = this.toolObjects.length;
            this.toolObjects.push({ start: top.start, end: -1, key: code.slice(s, e) });
          }
        }
      }
      this.push(T_PUNCT, i, i + len, p);
      i += len;
    }
    return i;
  }

  run(): ScanResult {
    const code = this.code;
    const n = this.n;
    let i = 0;
    // Hashbang.
    if (code.charCodeAt(0) === 35 && code.charCodeAt(1) === 33) {
      while (i < n && code.charCodeAt(i) !== 10) i++;
    }
    // In slices, so that `step` is optimized like any hot method rather than only by on-stack
    // replacement of one long-running loop.
    while (i < n && !this.confused) i = this.step(i, Math.min(n, i + STEP_BYTES));

    for (const raw of this.decodedNames.length > 0 ? this.rawNames.concat(this.decodedNames) : this.rawNames) {
      const f = raw.replace(/[^A-Za-z0-9]+/g, '');
      if (f.length >= MIN_NAME_RAW && f.length <= 96) this.names.add(f.toLowerCase());
    }
    const valid = this.hosts.filter((h) => h.bodyEnd > h.bodyStart && !h.directive && !RESERVED.has(h.param));
    markExported(valid, code);
    // Switches can only host a case when they are closed and compare strings.
    const sws = this.switches.filter((s) => s.bodyEnd > s.bodyStart && s.stringCases > 0);
    const lines = this.newlines + 1;
    return {
      hosts: valid,
      switches: sws,
      stringCalls: this.stringCalls,
      toolObjects: this.toolObjects.filter((t) => t.end > t.start),
      names: this.names,
      nameStrings: this.nameStrings,
      minified: n / lines > 300,
      confused: this.confused,
    };
  }
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

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

/** A string literal's value from its text (enough for folding: letters and digits exact). */
function unescapeString(text: string): string {
  return text.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_m, e: string) => {
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e[1] === '{' ? e.slice(2, -1) : e.slice(1), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e === '\n' || e === '\r\n' || e === '\r' || e === '\u2028' || e === '\u2029') return '';
    return SIMPLE_ESCAPES[e] ?? e;
  });
}
