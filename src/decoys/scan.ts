// One linear pass over a chunk's text that finds what style learning and placement need,
// without parsing the whole file (a full acorn parse of a 6 MB bundle costs 1.5 s or more):
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
//
// The pass itself is WebAssembly, compiled from wasm/decoy-scanner/scanner.ts (AssemblyScript)
// by `npm run build:wasm` into scanner-wasm.generated.ts: the same pass in JavaScript cost
// 300-450 ms on a 6 MB bundle the first time in a process (V8 had not optimized it yet), more
// than a 10% share of an esbuild build (bench/README.md, "Decoys"). This file copies the code
// into the module's memory and turns its int records into objects.

import { moduleFromBase64, WebAssembly } from '../core/webassembly.js';
import { FoldedNames, fold, type NameSource } from './names.js';
import {
  countSplit,
  mergeSecondHalf,
  type PendingHalf,
  type SecondHalf,
  scanSecondHalf,
  sendSecondHalf,
  SPLIT_MIN_UNITS,
  type SplitPoint,
  type SplitScanner,
  splitScansDone,
  startScanWorker,
} from './scan-split.js';
import { SCANNER_NARROW_WASM_BASE64, SCANNER_SPEC_WASM_BASE64, SCANNER_WASM_BASE64 } from './scanner-wasm.generated.js';

export type HostKind = 'member-callback' | 'callback' | 'method' | 'exported' | 'property' | 'declaration' | 'expression' | 'iife';
/** Host kinds by the number the scanner writes (K_* in wasm/decoy-scanner/scanner.ts). */
const HOST_KINDS: readonly HostKind[] = ['member-callback', 'callback', 'method', 'exported', 'property', 'declaration', 'expression', 'iife'];

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

export interface ToolObject {
  start: number;
  end: number;
  /** Which schema key it holds. */
  key: string;
  /** Its own `name` and `description` string values (decoded), when they are literals. */
  name?: string;
  description?: string;
  /** Extent of the schema's object literal (`{` to after `}`), when it is one. */
  schema?: { start: number; end: number };
}

export interface ScanResult {
  /** Every function host as an object (made on first read: placement reads `functionHosts`). */
  readonly hosts: FunctionHost[];
  /** The same hosts as records, an object made only for each host placement tries. */
  functionHosts: FunctionHosts;
  switches: SwitchHost[];
  /** callee name -> flag-like string arguments -> count. */
  stringCalls: Map<string, Map<string, number>>;
  /** Object-literal extents that hold a tool-schema key. */
  toolObjects: ToolObject[];
  /** Folded identifiers and strings (length 10..96 after folding; iteration may repeat one). */
  names: FoldedNames;
  /** Raw string literal values that look like names (for style: mcp__ prefixes, flags). */
  nameStrings: Set<string>;
  minified: boolean;
  /** The chunk's string literals mostly use single quotes. */
  singleQuotes: boolean;
  /** The scanner met something it could not follow (unterminated literal): place nothing. */
  confused: boolean;
  /** Why, when the scan itself failed rather than the syntax (a chunk too large for its memory). */
  failure?: string;
}

const RESERVED = new Set([
  'if', 'for', 'while', 'with', 'catch', 'switch', 'function', 'return', 'typeof', 'instanceof', 'in', 'of', 'new',
  'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'class', 'extends', 'super', 'this', 'var', 'let',
  'const', 'import', 'export', 'default', 'try', 'finally', 'break', 'continue', 'debugger', 'null', 'true', 'false',
  'async', 'static', 'get', 'set', 'constructor',
]);
/** Decoy names fold to at least this many characters (generate.ts enforces it). */
export const MIN_DECOY_FOLDED = 12;
/** Names the scanner keeps fold to this many characters or more (two edits short of a decoy). */
const MIN_NAME_FOLDED = MIN_DECOY_FOLDED - 2;
const MAX_NAME_FOLDED = 96;
/** The `param` of a host with no parameters: its guard reads the first argument instead. */
export const ARGUMENTS0 = 'arguments[0]';
/** What the scanner reports as flag-shaped (flagShaped in wasm/decoy-scanner/scanner.ts checks it). */
export const FLAGLIKE = /^[A-Za-z][A-Za-z0-9]*(?:[_.:-][A-Za-z0-9]+){1,7}$/;

// Record layouts and the result header: see wasm/decoy-scanner/scanner.ts.
const HOST_STRIDE = 12;
const SWITCH_STRIDE = 10;
const TOOL_STRIDE = 10;
const FLAG_STRIDE = 4;
const ESC_STRIDE = 2;
const H_HOSTS = 0, H_HOSTS_LEN = 1, H_SWITCHES = 2, H_SWITCHES_LEN = 3, H_TOOLS = 4, H_TOOLS_LEN = 5;
const H_FLAGS = 6, H_FLAGS_LEN = 7, H_ESC = 8, H_ESC_LEN = 9, H_NAMES = 10, H_NAMES_BYTES = 11;
const H_NEWLINES = 13, H_CONFUSED = 14, H_DOUBLE_QUOTED = 15, H_SINGLE_QUOTED = 16, H_EXPORTS = 17, H_EXPORTS_LEN = 18;

interface ScannerExports extends SplitScanner {
  begin(): void;
  finish(): number;
  queryPtr(): number;
  near(length: number): number;
}

/** Code units per `step` call: small enough that V8 swaps in its optimized code early in a large chunk. */
const STEP_UNITS = 1 << 17;
const compiled: { wide?: object; narrow?: object; spec?: object } = {};


/**
 * A fresh instance (its own memory) per chunk: the chunk's names stay in it for the near-miss
 * queries of the whole build. Each module is compiled once per process.
 */
function newScanner(narrow: boolean): ScannerExports {
  if (!WebAssembly) throw new Error('pillbox decoys need WebAssembly, which this Node.js process does not have (started with --jitless?)');
  const module = narrow
    ? (compiled.narrow ??= moduleFromBase64(WebAssembly, SCANNER_NARROW_WASM_BASE64))
    : (compiled.wide ??= moduleFromBase64(WebAssembly, SCANNER_WASM_BASE64));
  const abort = () => {
    throw new Error('pillbox: the decoy scanner stopped on an internal error');
  };
  return new WebAssembly.Instance(module, { env: { abort } }).exports as unknown as ScannerExports;
}

const utf8 = new TextEncoder();

/**
 * Starts the scan worker that takes the second half of large chunks (src/decoys/scan-split.ts),
 * warmed up on `sample` (default: a made-up bundle). A process's second ScanBatch with a large
 * ASCII chunk starts it for the ones after it (see ScanBatch.release); a scan never waits for it.
 */
export function startSplitWorker(sample: string = SPLIT_SAMPLE): void {
  let spec: object;
  try {
    spec = specModule();
  } catch {
    return;
  }
  startScanWorker(spec, sample, STEP_UNITS);
}

/** The split build's module, compiled once per process (throws without WebAssembly). */
function specModule(): object {
  if (!WebAssembly) throw new Error('no WebAssembly');
  return (compiled.spec ??= moduleFromBase64(WebAssembly, SCANNER_SPEC_WASM_BASE64));
}

/** What the worker warms up on when nobody gives it better: functions, objects, a switch, strings. */
const SPLIT_SAMPLE = Array.from(
  { length: 200 },
  (_, i) =>
    `function handle${i}(request,options){if(request==="tool_name_${i}")return run${i}(options);switch(request){case "a${i}":return 1;default:return options.flag("amber_lantern_${i}",!1)}}` +
    `var t${i}={name:"read_workspace_file_${i}",description:"Reads the workspace",run:(x,y)=>x.map(function(z){return z+${i}}).filter(q=>/[a-z]+x/.test(q))};`,
).join('\n');

type Build = 'narrow' | 'wide';
/** Instances a released ScanBatch gave back, by build: their memory is grown and faulted in already. */
const spare: Record<Build, ScannerExports[]> = { narrow: [], wide: [] };
/** At most this much memory is kept in spare instances (a module's memory never shrinks). */
const SPARE_BYTES = 256 * 1024 * 1024;
let spareBytes = 0;

function takeScanner(build: Build): ScannerExports {
  const wasm = spare[build].pop();
  if (!wasm) return newScanner(build === 'narrow');
  spareBytes -= wasm.memory.buffer.byteLength;
  return wasm;
}

function giveBack(build: Build, wasm: ScannerExports): void {
  const bytes = wasm.memory.buffer.byteLength;
  if (spareBytes + bytes > SPARE_BYTES) return;
  spare[build].push(wasm);
  spareBytes += bytes;
}

/**
 * A scanner holding the code, ready for `begin`. ASCII code (esbuild's output by default) goes
 * to the one-byte build: half the memory to fill. Anything else is written as UTF-16 code
 * units. Either way every offset the scanner returns is a JavaScript string index.
 */
function loadScanner(code: string, split: 'worker' | 'none' = 'worker'): { build: Build; wasm: ScannerExports; bytes?: Uint8Array; second?: PendingHalf; alone?: boolean } {
  const n = code.length;
  const narrow = takeScanner('narrow');
  // encodeInto stops when the n bytes are full; a non-ASCII character takes two or more, so
  // all n characters read means all n were ASCII.
  // (prepare grows the memory, which detaches its old buffer: views are made after it.)
  const at = narrow.prepare(n);
  const bytes = new Uint8Array(narrow.memory.buffer, at, n);
  if (utf8.encodeInto(code, bytes).read === n) {
    // A large ASCII chunk: the scan worker takes its second half, if it is running.
    if (n < SPLIT_MIN_UNITS || split === 'none') return { build: 'narrow', wasm: narrow, bytes };
    const second = sendSecondHalf(code, bytes);
    // No worker (yet): scanned in one piece, and noted for ScanBatch (which starts the worker
    // once a process plants large chunks a second time).
    return { build: 'narrow', wasm: narrow, second, alone: !second };
  }
  giveBack('narrow', narrow);
  const wide = takeScanner('wide');
  const wideAt = wide.prepare(n);
  Buffer.from(wide.memory.buffer, wideAt, n * 2).write(code, 0, 'utf16le');
  return { build: 'wide', wasm: wide };
}

/**
 * For tests: the split path at the given points with the second half scanned on this thread
 * (the worker runs the same function), and whether the halves were merged. ASCII code only.
 */
export function scanChunkSplitInThread(code: string, points: readonly SplitPoint[]): { result: ScanResult; merged: boolean } {
  const module = specModule();
  const { wasm, bytes } = loadScanner(code, 'none');
  if (!bytes) throw new Error('scanChunkSplitInThread: the code is not ASCII');
  const spec = new WebAssembly!.Instance(module, { env: { abort: () => {} } }).exports as unknown as SplitScanner;
  const copy = bytes.slice();
  const before = splitScansDone();
  let split = -1;
  let half: SecondHalf | undefined;
  const second: PendingHalf = {
    firstSplit: points[0]?.split ?? code.length,
    split() {
      half = scanSecondHalf(spec, copy, code.length, points, STEP_UNITS, (s) => (split = s));
      return split;
    },
    wait: () => half,
  };
  const result = scanWith(wasm, { released: false }, code, second);
  return { result, merged: splitScansDone() > before };
}

/** Whether a scan's instance still holds its names (see ScanBatch). */
interface Lease {
  released: boolean;
}

/** Near-miss queries against the names one scan kept in its instance's memory. */
function namesIn(wasm: ScannerExports, lease: Lease, blockAt: number, blockBytes: number): NameSource {
  const check = () => {
    if (lease.released) throw new Error('pillbox: the names of a released decoy scan were read');
  };
  let text: string | undefined;
  return {
    text: () => {
      if (text === undefined) check();
      return (text ??= Buffer.from(wasm.memory.buffer, blockAt, blockBytes).toString('latin1'));
    },
    near(folded: string): string | undefined {
      // Names are kept up to MAX_NAME_FOLDED characters: nothing longer than that plus 2 is near.
      if (folded.length > MAX_NAME_FOLDED + 2 || !/^[a-z0-9]+$/.test(folded)) return undefined;
      check();
      const at = wasm.queryPtr();
      Buffer.from(wasm.memory.buffer).write(folded, at, 'latin1');
      const off = wasm.near(folded.length);
      if (off < 0) return undefined;
      const bytes = Buffer.from(wasm.memory.buffer, blockAt, blockBytes);
      return bytes.toString('latin1', off, bytes.indexOf(10, off));
    },
  };
}

/** One chunk's scan; its names stay queryable for as long as the result is kept. */
export function scanChunk(code: string): ScanResult {
  return scanInto(code, null);
}

/**
 * Scans whose instances are reused once the caller is done with them (`release`, after the
 * last near-miss query): the next build's scans in this process (watch mode, a dev server, a
 * second output) find their memory grown and faulted in already, and the garbage collector has
 * no dropped instances of megabytes to find. A released scan's names can no longer be read.
 */
export class ScanBatch {
  private readonly held: Array<{ build: Build; wasm: ScannerExports; lease: Lease; alone?: boolean }> = [];

  scan(code: string): ScanResult {
    return scanInto(code, this.held);
  }

  release(): void {
    let alone = false;
    for (const { build, wasm, lease, alone: one } of this.held.splice(0)) {
      lease.released = true;
      giveBack(build, wasm);
      alone ||= one === true;
    }
    // The second batch (a process's second build) with a large chunk scanned in one piece
    // starts the scan worker for the builds after it (its start-up costs this thread ~4 ms).
    // Started for the first, it measured no faster for that build's one scan and its start-up
    // slowed the build's end: a process that builds once never starts it.
    if (alone && ++batchesAlone >= 2) startSplitWorker();
  }
}

let batchesAlone = 0;

function scanInto(code: string, held: Array<{ build: Build; wasm: ScannerExports; lease: Lease; alone?: boolean }> | null): ScanResult {
  try {
    const { build, wasm, second, alone } = loadScanner(code);
    const lease: Lease = { released: false };
    held?.push({ build, wasm, lease, alone });
    return scanWith(wasm, lease, code, second);
  } catch (error) {
    // The module's memory is at most 4 GiB (code takes 1 or 2 bytes per character, plus records),
    // and a process may run out of room for another instance's memory (RangeError): a chunk it
    // cannot scan gets no decoys, like one whose syntax it cannot follow.
    if (!(error instanceof Error && (error.constructor.name === 'RuntimeError' || error instanceof RangeError))) throw error;
    const failure = `the decoy scanner failed on ${code.length} characters (${error.message})`;
    const functionHosts = FunctionHosts.EMPTY;
    return { get hosts() { return functionHosts.all(); }, functionHosts, switches: [], stringCalls: new Map(), toolObjects: [], names: new FoldedNames({ text: () => '', near: () => undefined }), nameStrings: new Set(), minified: true, singleQuotes: false, confused: true, failure };
  }
}

/** Runs a scanner that holds `code` (see loadScanner) and turns its records into objects. */
function scanWith(wasm: ScannerExports, lease: Lease, code: string, second?: PendingHalf): ScanResult {
  const n = code.length;
  wasm.begin();
  let reached = 0;
  if (second) {
    // This half up to the split the worker chose (never before the first it may choose); the
    // worker's from there on, unless it found no split or voided itself.
    const step = (limit: number) => {
      while (reached >= 0 && reached < limit) reached = wasm.step(Math.min(limit, reached + STEP_UNITS));
    };
    step(second.firstSplit);
    const split = second.split();
    if (split >= 0) {
      step(split);
      // A token of this half running past the split (a `;` inside a string, say) means the
      // halves cannot meet: do not wait for the worker (its answer is skipped by id later).
      const half = reached === split ? second.wait() : undefined;
      if (half && mergeSecondHalf(wasm, half)) {
        reached = n;
        countSplit();
      }
    }
  }
  while (reached >= 0 && reached < n) reached = wasm.step(Math.min(n, reached + STEP_UNITS));
  const headerAt = wasm.finish();
  // The module's memory may have grown during the scan: views are made afterwards.
  const mem = new Int32Array(wasm.memory.buffer);
  const header = mem.subarray(headerAt >> 2, (headerAt >> 2) + 20);
  const records = (ptrField: number, lenField: number, stride: number) => {
    const from = header[ptrField] >> 2;
    return { ints: mem, from, count: header[lenField], stride };
  };

  // Hosts stay records (copied out: a released instance's memory is reused) until placement
  // tries one: a large bundle has tens of thousands, and placement tries a few dozen.
  const functionHosts = (() => {
    const { ints, from, count, stride } = records(H_HOSTS, H_HOSTS_LEN, HOST_STRIDE);
    const exports = records(H_EXPORTS, H_EXPORTS_LEN, 1);
    const exported = exportedNames(code, exports.ints.subarray(exports.from, exports.from + exports.count));
    return new FunctionHosts(ints.slice(from, from + count * stride), code, exported);
  })();

  const switches: SwitchHost[] = [];
  {
    const { ints, from, count, stride } = records(H_SWITCHES, H_SWITCHES_LEN, SWITCH_STRIDE);
    for (let r = 0; r < count; r++) {
      const b = from + r * stride;
      // Switches can only host a case when they are closed and compare strings.
      if (!(ints[b + 4] > ints[b + 3]) || ints[b + 6] === 0) continue;
      switches.push({
        start: ints[b],
        discriminant: code.slice(ints[b + 1], ints[b + 2]),
        bodyStart: ints[b + 3],
        bodyEnd: ints[b + 4],
        defaultAt: ints[b + 5],
        stringCases: ints[b + 6],
        inFunction: ints[b + 7] !== 0,
        enclosing: ints[b + 8] < 0 ? '' : HOST_KINDS[ints[b + 8]],
      });
    }
  }

  const toolObjects: ScanResult['toolObjects'] = [];
  {
    const { ints, from, count, stride } = records(H_TOOLS, H_TOOLS_LEN, TOOL_STRIDE);
    for (let r = 0; r < count; r++) {
      const b = from + r * stride;
      if (!(ints[b + 1] > ints[b])) continue;
      const tool: ToolObject = { start: ints[b], end: ints[b + 1], key: code.slice(ints[b + 2], ints[b + 3]) };
      const value = (f: number) => (ints[b + f] < 0 ? undefined : stringValue(code.slice(ints[b + f], ints[b + f + 1])));
      const name = value(4);
      const description = value(6);
      if (name !== undefined) tool.name = name;
      if (description !== undefined) tool.description = description;
      if (ints[b + 8] >= 0 && ints[b + 9] > ints[b + 8]) tool.schema = { start: ints[b + 8], end: ints[b + 9] + 1 };
      toolObjects.push(tool);
    }
  }

  const nameStrings = new Set<string>();
  const stringCalls = new Map<string, Map<string, number>>();
  {
    const { ints, from, count, stride } = records(H_FLAGS, H_FLAGS_LEN, FLAG_STRIDE);
    for (let r = 0; r < count; r++) {
      const b = from + r * stride;
      const value = code.slice(ints[b], ints[b + 1]);
      nameStrings.add(value);
      if (ints[b + 2] < 0) continue;
      const callee = code.slice(ints[b + 2], ints[b + 3]);
      if (RESERVED.has(callee)) continue;
      let m = stringCalls.get(callee);
      if (!m) stringCalls.set(callee, (m = new Map()));
      m.set(value, (m.get(value) ?? 0) + 1);
    }
  }

  // Names: the scanner folded and deduplicated them into `name\n` bytes; strings with escapes
  // also count by their value (`"a\nb"` is `a`, a newline and `b` at run time).
  const decoded: string[] = [];
  {
    const { ints, from, count, stride } = records(H_ESC, H_ESC_LEN, ESC_STRIDE);
    for (let r = 0; r < count; r++) {
      const b = from + r * stride;
      const f = fold(unescapeString(code.slice(ints[b], ints[b + 1])));
      if (f.length >= MIN_NAME_FOLDED && f.length <= MAX_NAME_FOLDED) decoded.push(f);
    }
  }

  const lines = header[H_NEWLINES] + 1;
  return {
    get hosts() {
      return functionHosts.all();
    },
    functionHosts,
    switches,
    stringCalls,
    toolObjects,
    names: new FoldedNames(namesIn(wasm, lease, header[H_NAMES], header[H_NAMES_BYTES]), decoded),
    nameStrings,
    minified: n / lines > 300,
    singleQuotes: header[H_SINGLE_QUOTED] > header[H_DOUBLE_QUOTED],
    confused: header[H_CONFUSED] !== 0,
  };
}

/**
 * ESM chunks often declare a function and export it later (`export { f as name }`): such a
 * declaration keeps its body whatever a minifier does at its call sites, like `export function`.
 * The local names of the export clauses, read at each `export` keyword the scan met (a search of
 * the whole chunk costs ~6-10 ms on 6 MB).
 */
function exportedNames(code: string, exportKeywords: ArrayLike<number>): ReadonlySet<string> {
  const exported = new Set<string>();
  const clause = /export\s*\{([^}]*)\}/y;
  for (let k = 0; k < exportKeywords.length; k++) {
    clause.lastIndex = exportKeywords[k];
    const m = clause.exec(code);
    if (!m) continue;
    for (const part of m[1].split(',')) {
      const local = part.trim().split(/\s+as\s+/)[0];
      if (local) exported.add(local);
    }
  }
  return exported;
}

const K_DECLARATION = HOST_KINDS.indexOf('declaration');
const K_EXPORTED = HOST_KINDS.indexOf('exported');

/**
 * A scan's function hosts: only closed bodies without a directive prologue, in text order, as the
 * scanner's int records (layout in wasm/decoy-scanner/scanner.ts). `get(i)` makes (once) the
 * object of host i; the other accessors read what choosing among them needs.
 */
export class FunctionHosts {
  static readonly EMPTY = new FunctionHosts(new Int32Array(0), '', new Set());
  /** Where each host's record starts in `ints`. */
  private readonly at: Int32Array;
  /** Each host's kind (a declaration exported later counts as exported). */
  private readonly kinds: Uint8Array;
  private readonly made: Array<FunctionHost | undefined>;
  readonly length: number;

  constructor(
    private readonly ints: Int32Array,
    private readonly code: string,
    exported: ReadonlySet<string>,
  ) {
    const records = ints.length / HOST_STRIDE;
    const at = new Int32Array(records);
    const kinds = new Uint8Array(records);
    let length = 0;
    for (let r = 0; r < records; r++) {
      const b = r * HOST_STRIDE;
      // Only closed bodies without a directive prologue can host a decoy.
      if (!(ints[b + 6] > ints[b + 5]) || ints[b + 7] !== 0) continue;
      let kind = ints[b];
      if (kind === K_DECLARATION && exported.size > 0 && ints[b + 9] >= 0 && exported.has(code.slice(ints[b + 9], ints[b + 10]))) kind = K_EXPORTED;
      at[length] = b;
      kinds[length++] = kind;
    }
    this.at = at.subarray(0, length);
    this.kinds = kinds.subarray(0, length);
    this.length = length;
    this.made = new Array(length);
  }

  kind(i: number): HostKind {
    return HOST_KINDS[this.kinds[i]];
  }
  /** Offset just after the body's `{`. */
  bodyStart(i: number): number {
    return this.ints[this.at[i] + 5];
  }
  /** From where acorn starts parsing it to its closing `}`. */
  span(i: number): number {
    return this.ints[this.at[i] + 6] - this.ints[this.at[i] + 1];
  }
  compares(i: number): number {
    return this.ints[this.at[i] + 8];
  }
  /** It has no parameter (its guard reads `arguments[0]`). */
  usesArguments(i: number): boolean {
    return this.ints[this.at[i] + 3] < 0;
  }

  get(i: number): FunctionHost {
    const made = this.made[i];
    if (made) return made;
    const { ints, code } = this;
    const b = this.at[i];
    const host: FunctionHost = {
      kind: HOST_KINDS[this.kinds[i]],
      start: ints[b + 1],
      isMethod: ints[b + 2] !== 0,
      param: ints[b + 3] < 0 ? ARGUMENTS0 : code.slice(ints[b + 3], ints[b + 4]),
      bodyStart: ints[b + 5],
      bodyEnd: ints[b + 6],
      directive: false,
      compares: ints[b + 8],
      topName: ints[b + 9] < 0 ? '' : code.slice(ints[b + 9], ints[b + 10]),
    };
    this.made[i] = host;
    return host;
  }

  all(): FunctionHost[] {
    const out: FunctionHost[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.get(i));
    return out;
  }
}

/** A string literal's value from the text between its quotes (or backticks). */
function stringValue(text: string): string {
  return text.includes('\\') ? unescapeString(text) : text;
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
