import { findAllByTail, skipJsonSpace, whitespaceAt } from './bytes.js';
import { inspectMapJson, type MapSniff } from './sourcemap.js';

// Reference comments and inline maps, found by byte search first.
//
// A reference is a `sourceMappingURL` (or `sourceURL`, `debugId`) comment in comment position,
// by ECMA-426's "extract a Source Map URL without parsing" line scan (§ Linking through inline
// annotations), for JS and, with block comments only, CSS: a match counts when no code follows
// it, so only the file's trailing comments qualify. Two deliberate additions:
// - the fix the spec announces for its own ambiguity: a comment whose value holds a quote or a
//   backtick is not a reference (a tool's source that glues the marker to a name is not one);
// - comments inside strings passed to eval() or Function() (webpack's eval devtools), which the
//   evaluated code does carry: recognised after an escaped line break.
// An inline map is a `data:` URI that decodes to a valid map, wherever it stands.

export type DirectiveName = 'sourceMappingURL' | 'sourceURL' | 'debugId';
export const DIRECTIVE_NAMES: DirectiveName[] = ['sourceMappingURL', 'sourceURL', 'debugId'];

export interface Directive {
  name: DirectiveName;
  /** The value as written; data: URIs are summarised (their bytes are inspected as inline maps). */
  value: string;
  /** Byte range of the value. */
  valueStart: number;
  valueEnd: number;
  /** Byte offset of the comment marker (`//`, `/*`). */
  offset: number;
  form: 'line-comment' | 'block-comment' | 'eval-string';
  /** Written with the legacy `@` instead of `#`. */
  legacy: boolean;
}

const SLASH = 0x2f;

/** Longest value we copy into a report; longer ones are cut (data: URIs are never copied). */
const MAX_VALUE_CHARS = 2048;

function nameAt(buf: Buffer, i: number, end: number): DirectiveName | undefined {
  for (const name of DIRECTIVE_NAMES) {
    if (i + name.length + 1 <= end && buf.toString('latin1', i, i + name.length) === name && buf[i + name.length] === 0x3d) return name;
  }
  return undefined;
}

function isQuote(b: number): boolean {
  return b === 0x22 || b === 0x27 || b === 0x60;
}

/** Quotes, and the bytes that may start white space (whitespaceAt decides). */
const VALUE_STOPS = [0x22, 0x27, 0x60, 0x20, 0x09, 0x0b, 0x0c, 0xc2, 0xe1, 0xe2, 0xe3, 0xef];

/**
 * The next VALUE_STOPS byte in [from, end), by native searches, each searched again only once
 * passed: linear overall, even when the value holds many bytes that only look like a stop
 * (UTF-8 text with dashes and quotes starts with 0xe2).
 */
class ValueStops {
  private readonly next = VALUE_STOPS.map(() => -2);

  constructor(
    private readonly buf: Buffer,
    private readonly end: number,
  ) {}

  /** First stop at or after `from`, or end. */
  from(from: number): number {
    let first = this.end;
    for (let k = 0; k < VALUE_STOPS.length; k++) {
      let at = this.next[k];
      if (at !== -1 && at < from) {
        const found = from >= this.end ? -1 : this.buf.subarray(from, this.end).indexOf(VALUE_STOPS[k]);
        at = found < 0 ? -1 : from + found;
        this.next[k] = at;
      }
      if (at >= 0 && at < first) first = at;
    }
    return first;
  }
}

/**
 * ECMA-426 "match a Source Map URL in a comment": /^[@#]\s*NAME=(\S*?)\s*$/ over the comment
 * [start, end), done on bytes. Returns undefined when it does not match.
 */
function matchComment(buf: Buffer, start: number, end: number): { name: DirectiveName; legacy: boolean; valueStart: number; valueEnd: number } | undefined {
  const marker = buf[start];
  if (marker !== 0x23 && marker !== 0x40) return undefined;
  let i = start + 1;
  for (let w = whitespaceAt(buf, i); w > 0 && i < end; w = whitespaceAt(buf, i)) i += w;
  const name = nameAt(buf, i, end);
  if (!name) return undefined;
  i += name.length + 1;
  const valueStart = i;
  // The value runs to the first white space: jump between the bytes that may end it or spoil it
  // with native searches (an inline map's value is megabytes of base64).
  const stops = new ValueStops(buf, end);
  for (i = stops.from(i); i < end; i = stops.from(i + 1)) {
    // The announced fix for ambiguous extraction: quotes mean this is not a real comment.
    if (isQuote(buf[i])) return undefined;
    if (whitespaceAt(buf, i) > 0) break;
  }
  const valueEnd = i;
  while (i < end) {
    const w = whitespaceAt(buf, i);
    if (w === 0) return undefined;
    i += w;
  }
  return { name, legacy: marker === 0x40, valueStart, valueEnd };
}

function summariseValue(buf: Buffer, start: number, end: number): string {
  if (buf.toString('latin1', start, Math.min(end, start + 5)).toLowerCase() === 'data:') {
    const comma = buf.indexOf(0x2c, start);
    const header = comma > 0 && comma < end && comma - start < 256 ? buf.toString('utf8', start, comma + 1) : 'data:';
    return `${header}… (${end - start} chars)`;
  }
  const text = buf.toString('utf8', start, Math.min(end, start + MAX_VALUE_CHARS));
  return end - start > MAX_VALUE_CHARS ? `${text}…` : text;
}

const BLOCK_OPEN = Buffer.from('/*', 'latin1');
const BLOCK_CLOSE = Buffer.from('*/', 'latin1');
const LINE_OPEN = Buffer.from('//', 'latin1');

/**
 * First `needle` lying wholly in [from, to), or -1. Searching the whole rest of the buffer
 * instead would cost a pass to the end of the file per line when the needle is absent (a
 * bundle whose lines all start with a marker-like comment walks every line up).
 */
function indexWithin(buf: Buffer, needle: Buffer, from: number, to: number): number {
  if (to - from < needle.length) return -1;
  const at = buf.subarray(from, to).indexOf(needle);
  return at < 0 ? -1 : from + at;
}

/**
 * Scans one line as ECMA-426 does: returns the matching comments that no code follows on the
 * line (code resets the spec's lastURL) and whether the line holds code at all.
 *
 * Equivalent to the spec's code-point loop, but it jumps between comment openers with native
 * searches: only `//` and `/*` change state, and any other non-space text is code.
 */
function scanLine(buf: Buffer, start: number, end: number, css: boolean, mayMatch: boolean): { matches: Directive[]; hasCode: boolean } {
  let matches: Directive[] = [];
  let hasCode = false;
  let pos = start;
  let nextBlock = -2;
  let nextLine = css ? -1 : -2;
  while (pos < end) {
    if (nextBlock !== -1 && nextBlock < pos) nextBlock = indexWithin(buf, BLOCK_OPEN, pos, end);
    if (nextLine !== -1 && nextLine < pos) nextLine = indexWithin(buf, LINE_OPEN, pos, end);
    let token = end;
    if (nextBlock >= 0 && nextBlock < token) token = nextBlock;
    if (nextLine >= 0 && nextLine < token) token = nextLine;
    if (holdsCode(buf, pos, token)) {
      hasCode = true;
      matches = [];
      // A line without a directive name only needs to know that it holds code.
      if (!mayMatch) break;
    }
    if (token >= end) break;
    if (token === nextLine) {
      const m = matchComment(buf, token + 2, end);
      if (m) pushMatch(buf, m, token, 'line-comment', matches, end);
      break;
    }
    const close = indexWithin(buf, BLOCK_CLOSE, token + 2, end);
    if (close < 0) break; // unclosed on this line: the rest is comment
    const m = matchComment(buf, token + 2, close);
    if (m) pushMatch(buf, m, token, 'block-comment', matches, close);
    pos = close + 2;
  }
  return { matches, hasCode };
}

/** Does [from, to) hold anything but white space? */
function holdsCode(buf: Buffer, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const w = whitespaceAt(buf, i);
    if (w === 0) return true;
    i += w;
  }
  return false;
}

function pushMatch(
  buf: Buffer,
  m: { name: DirectiveName; legacy: boolean; valueStart: number; valueEnd: number },
  offset: number,
  form: Directive['form'],
  out: Directive[],
  commentEnd: number,
): void {
  // A line comment whose value holds `*/` is the tail of something else (the spec's planned fix).
  if (form === 'line-comment') {
    if (indexWithin(buf, BLOCK_CLOSE, m.valueStart, commentEnd) >= 0) return;
  }
  out.push({
    name: m.name,
    value: summariseValue(buf, m.valueStart, m.valueEnd),
    valueStart: m.valueStart,
    valueEnd: m.valueEnd,
    offset,
    form,
    legacy: m.legacy,
  });
}

/** A `//#` NAME=value comment inside a string literal, right after an escaped line break. */
function evalStringDirective(buf: Buffer, at: number, name: DirectiveName): Directive | undefined {
  let i = at - 1;
  while (i >= 0 && buf[i] === 0x20) i--;
  const marker = buf[i];
  if (marker !== 0x23 && marker !== 0x40) return undefined;
  if (buf[i - 1] !== SLASH || buf[i - 2] !== SLASH) return undefined;
  const slashes = i - 2;
  // An escaped line break: \n (or \r, \u2028...) in the enclosing string literal.
  const escaped = buf[slashes - 2] === 0x5c && (buf[slashes - 1] === 0x6e || buf[slashes - 1] === 0x72);
  if (!escaped || !insideEvalString(buf, slashes)) return undefined;
  const valueStart = at + name.length + 1;
  let j = valueStart;
  while (j < buf.length) {
    const b = buf[j];
    if (b <= 0x20 || b === 0x5c || isQuote(b)) break;
    j++;
  }
  if (j === valueStart) return undefined;
  return {
    name,
    value: summariseValue(buf, valueStart, j),
    valueStart,
    valueEnd: j,
    offset: slashes,
    form: 'eval-string',
    legacy: marker === 0x40,
  };
}

/** What precedes an eval string's opening quote. */
const EVAL_CALL = /(?:\beval|\bFunction)\s*\(\s*$/;

/**
 * Is `at` inside a string literal passed to eval() or Function()? The literal's opening quote is
 * the nearest unescaped quote of its kind before `at`; what precedes it must be the call.
 * (A tool's own source that builds such comments by concatenation is not.)
 */
function insideEvalString(buf: Buffer, at: number): boolean {
  for (const quote of [0x22, 0x27, 0x60]) {
    let q = buf.lastIndexOf(quote, at);
    while (q > 0) {
      let backslashes = 0;
      while (buf[q - 1 - backslashes] === 0x5c) backslashes++;
      if (backslashes % 2 === 0) break;
      q = buf.lastIndexOf(quote, q - 1);
    }
    if (q < 0) continue;
    const before = buf.toString('latin1', Math.max(0, q - 32), q);
    if (EVAL_CALL.test(before)) return true;
  }
  return false;
}

/** Backward searches for one byte pattern, cached so that walking lines up stays linear. */
class BackwardSearch {
  private found = -2;
  private askedFrom = -1;
  constructor(
    private readonly buf: Buffer,
    private readonly needle: Buffer | number,
  ) {}

  /** Greatest index <= from where the needle starts, or -1. */
  before(from: number): number {
    if (this.found !== -2 && from <= this.askedFrom && (this.found === -1 || this.found <= from)) return this.found;
    this.askedFrom = from;
    this.found = from < 0 ? -1 : this.buf.lastIndexOf(this.needle as Buffer, from);
    return this.found;
  }
}

/**
 * The comments after the last code of the file: ECMA-426's extraction (without parsing) keeps
 * a match only when no code follows it, so lines are walked up from the end until one holds
 * code. Per name, the last match wins (the spec's lastURL).
 */
function trailingDirectives(buf: Buffer, css: boolean, firstHit: number, lastHit: number): Directive[] {
  const terminators = [0x0a, 0x0d, Buffer.from([0xe2, 0x80, 0xa8]), Buffer.from([0xe2, 0x80, 0xa9])].map((n) => new BackwardSearch(buf, n));
  const found: Directive[] = [];
  let end = buf.length;
  for (;;) {
    let terminator = -1;
    for (const t of terminators) terminator = Math.max(terminator, t.before(end - 1));
    const start = terminator < 0 ? 0 : terminator + (buf[terminator] === 0xe2 ? 3 : 1);
    const { matches, hasCode } = scanLine(buf, start, end, css, lastHit >= start);
    found.unshift(...matches);
    if (hasCode || terminator < 0 || start <= firstHit) break;
    end = terminator;
  }
  const last = new Map<DirectiveName, Directive>();
  for (const d of found) last.set(d.name, d);
  return [...last.values()];
}

/**
 * Reference comments of a JS (or, with `css`, CSS) file: the trailing ones by ECMA-426, and
 * those inside eval strings. Files that never name a directive cost a few native searches.
 */
export function extractDirectives(buf: Buffer, options: { css?: boolean } = {}): Directive[] {
  const css = options.css ?? false;
  const hits: Array<{ at: number; name: DirectiveName }> = [];
  // Two searches on rare tails (`URL=`, `Id=`) instead of three on names starting with `s`/`d`.
  for (const hit of findAllByTail(buf, 'URL=', ['sourceMappingURL=', 'sourceURL='])) hits.push({ at: hit.at, name: hit.needle.slice(0, -1) as DirectiveName });
  for (const hit of findAllByTail(buf, 'Id=', ['debugId='])) hits.push({ at: hit.at, name: 'debugId' });
  if (hits.length === 0) return [];
  hits.sort((a, b) => a.at - b.at);
  // An empty value names nothing: not worth a finding.
  const out = trailingDirectives(buf, css, hits[0].at, hits[hits.length - 1].at).filter((d) => d.valueEnd > d.valueStart);
  const seen = new Set(out.map((d) => d.valueStart));
  if (!css) {
    for (const hit of hits) {
      if (seen.has(hit.at + hit.name.length + 1)) continue;
      const d = evalStringDirective(buf, hit.at, hit.name);
      if (d) out.push(d);
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

export interface InlineMap {
  /** Byte offset of `data:`. */
  offset: number;
  /** Byte length of the whole URI. */
  length: number;
  encoding: 'base64' | 'percent';
  /** The decoded map, or why it could not be read. */
  sniff: Exclude<MapSniff, { kind: 'not-map' }>;
}

const DATA = Buffer.from('data:', 'latin1');
const HEADER_MAX = 200;

/** A table per byte class: the payload loops run once per byte of megabyte-long URIs. */
function byteClass(test: (b: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) table[b] = test(b) ? 1 : 0;
  return table;
}

const isAlnum = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
// mediatype and parameters: token characters, '/', ';', '=' (no spaces, no quotes).
const HEADER_BYTES = byteClass((b) => isAlnum(b) || [0x2f, 0x3b, 0x3d, 0x2d, 0x2e, 0x2b, 0x5f, 0x25].includes(b));
const BASE64_BYTES = byteClass((b) => isAlnum(b) || [0x2b, 0x2f, 0x3d, 0x2d, 0x5f].includes(b));
// Stops at white space, double quotes, backticks, backslashes (escapes in string literals)
// and angle brackets. `'`, `(` and `)` are left unescaped by encodeURIComponent, so they may
// belong to the URI; the caller retries shorter ends at them.
const PERCENT_PAYLOAD_BYTES = byteClass((b) => b > 0x20 && b !== 0x7f && b !== 0x22 && b !== 0x60 && b !== 0x5c && b !== 0x3c && b !== 0x3e);

function isHeaderByte(b: number): boolean {
  return HEADER_BYTES[b] === 1;
}

// The same classes as regular expressions (over latin1 text, one character per byte), for the
// payload runs: a compiled regular expression scans megabytes at native speed from the first
// call, where a JavaScript byte loop starts interpreted (an inline map is scanned once).
const NOT_BASE64 = /[^A-Za-z0-9+/=_-]/;
const NOT_PERCENT_PAYLOAD = /[\x00-\x20\x7f"`\\<>]/;
const RUN_WINDOW = 64 * 1024;

/** The first offset from `from` whose byte matches `stop` (a one-byte class), or the end. */
function runEnd(buf: Buffer, from: number, stop: RegExp): number {
  for (let at = from; at < buf.length; at += RUN_WINDOW) {
    const found = buf.toString('latin1', at, Math.min(buf.length, at + RUN_WINDOW)).search(stop);
    if (found >= 0) return at + found;
  }
  return Math.max(from, buf.length);
}

function isBase64Byte(b: number): boolean {
  return BASE64_BYTES[b] === 1;
}

function isPercentPayloadByte(b: number): boolean {
  return PERCENT_PAYLOAD_BYTES[b] === 1;
}

function percentDecode(buf: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === 0x25 && i + 2 < end) {
      const hi = hexValue(buf[i + 1]);
      const lo = hexValue(buf[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[o++] = b;
  }
  return out.subarray(0, o);
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

function decodedStartsWithBrace(decoded: Buffer): boolean {
  const at = skipJsonSpace(decoded);
  return decoded[at] === 0x7b;
}

/**
 * Every `data:` URI in `buf` that decodes to a source map (or to something that starts like one
 * but cannot be read, reported as invalid). Images and other payloads are rejected after
 * decoding their first bytes.
 */
export function findInlineMaps(buf: Buffer): InlineMap[] {
  const out: InlineMap[] = [];
  let at = buf.indexOf(DATA);
  while (at >= 0) {
    const next = inspectDataUri(buf, at);
    if (next.map) out.push(next.map);
    at = buf.indexOf(DATA, Math.max(next.end, at + DATA.length));
  }
  return out;
}

function inspectDataUri(buf: Buffer, at: number): { end: number; map?: InlineMap } {
  const headerStart = at + DATA.length;
  let i = headerStart;
  const headerLimit = Math.min(buf.length, headerStart + HEADER_MAX);
  while (i < headerLimit && isHeaderByte(buf[i])) i++;
  if (buf[i] !== 0x2c /* , */) return { end: headerStart };
  const header = buf.toString('latin1', headerStart, i).toLowerCase();
  const payloadStart = i + 1;
  const base64 = /;base64$/.test(header);
  const rawJson = !base64 && buf[payloadStart] === 0x7b;
  // Peek at the first decoded bytes before measuring or decoding megabytes: images and other
  // payloads are rejected here, in constant time, and the search resumes right after `data:`.
  let p = payloadStart;
  const peekLimit = Math.min(buf.length, payloadStart + 64);
  while (p < peekLimit && (base64 ? isBase64Byte(buf[p]) : isPercentPayloadByte(buf[p]))) p++;
  if (!rawJson) {
    const head = base64 ? Buffer.from(buf.toString('latin1', payloadStart, p - ((p - payloadStart) % 4)), 'base64') : percentDecode(buf, payloadStart, p);
    if (!decodedStartsWithBrace(head)) return { end: headerStart };
  }
  let j = payloadStart;
  if (base64) {
    j = runEnd(buf, j, NOT_BASE64);
  } else if (rawJson) {
    // Raw JSON after the comma (legal in a comment): up to the end of the line, less a `*/`.
    while (j < buf.length && buf[j] !== 0x0a && buf[j] !== 0x0d) j++;
    while (j > payloadStart && whitespaceAt(buf, j - 1) === 1) j--;
    if (buf[j - 2] === 0x2a && buf[j - 1] === 0x2f) j -= 2;
  } else {
    j = runEnd(buf, j, NOT_PERCENT_PAYLOAD);
  }
  if (j - payloadStart < 16) return { end: j };
  const encoding = base64 ? 'base64' : 'percent';
  // Inside a '...' literal or url(...) the URI ends earlier: try those ends too, longest first.
  const ends = [j];
  if (!base64) {
    for (const stop of [0x27, 0x29]) {
      const at2 = buf.indexOf(stop, payloadStart);
      if (at2 > payloadStart && at2 < j) ends.push(at2);
    }
  }
  let best: MapSniff | undefined;
  for (const end of ends) {
    const decoded = base64 ? Buffer.from(buf.toString('latin1', payloadStart, end), 'base64') : percentDecode(buf, payloadStart, end);
    const sniff = inspectMapJson(decoded, skipJsonSpace(decoded), [`inline-${encoding}`]);
    if (sniff.kind === 'map') return { end, map: { offset: at, length: end - at, encoding, sniff } };
    best ??= sniff;
  }
  if (!best || best.kind === 'not-map') return { end: j };
  return { end: j, map: { offset: at, length: j - at, encoding, sniff: best } };
}
