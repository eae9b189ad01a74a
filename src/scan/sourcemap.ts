import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { JsonCursor, JsonSyntaxError, type StringStats, type Walk } from './json-walk.js';
import { skipJsonSpace } from './bytes.js';

// Source maps are found by content, never by name: any file (after stripping a `)]}'` line and
// decompressing gzip/brotli) whose JSON is an object with `version: 3` and `mappings` or
// `sections` is a map. See research/leak-forms.md §5 rows 1, 2, 8, 10, 14, 16.

/** Index maps may hold index maps (the spec forbids it, real files do not care); bound it. */
export const MAX_SECTION_DEPTH = 32;

export interface RawSource {
  /** As written in `sources` (null when the entry is null or not a string). */
  source: string | null;
  /** The `sourceRoot` in force for this entry (its section's own). */
  sourceRoot?: string;
  /** Content stats, when `sourcesContent[i]` is a non-empty string. */
  content?: StringStats;
}

/** What a map holds, flattened over index-map sections. */
export interface MapSummary {
  kind: 'map' | 'index-map';
  file?: string;
  sourceRoot?: string;
  debugId?: string;
  entries: RawSource[];
  /** Legacy `sections[].url` references (rev3 draft): external maps named, not embedded. */
  sectionUrls: string[];
  sections: number;
  /** The bytes the ranges in `entries[].content` point into. */
  body: Buffer;
  /** The top-level object has a `pillbox` member (which a manifest envelope needs). */
  pillboxKey: boolean;
}

export type MapSniff =
  | { kind: 'not-map' }
  | { kind: 'map'; form: string[]; map: MapSummary; body: Buffer }
  | { kind: 'invalid'; form: string[]; message: string; code: 'invalid-map' | 'corrupt-archive' | 'too-large' };

export interface SniffOptions {
  /** Largest decompressed size accepted. */
  maxBytes: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const XSSI_PREFIX = Buffer.from(")]}'", 'latin1');
const VERSION_KEY = Buffer.from('"version"', 'latin1');
const MAPPINGS_KEY = Buffer.from('"mappings"', 'latin1');
const SECTIONS_KEY = Buffer.from('"sections"', 'latin1');
/** What a map attempt starts with; truncated or broken files that start so are invalid maps. */
const MAP_HEAD = /^\{\s*"(?:version"\s*:\s*3\b|sources"\s*:|sourcesContent"\s*:|mappings"\s*:|sections"\s*:)/;

export function isCompressedName(name: string): 'gzip' | 'brotli' | undefined {
  if (/\.gz$/i.test(name)) return 'gzip';
  if (/\.br$/i.test(name)) return 'brotli';
  return undefined;
}

/**
 * Decompresses gzip (by magic bytes or `.gz`) and brotli (by `.br`; brotli has no magic).
 * Returns undefined when the file is not compressed.
 */
export function decompress(
  buf: Buffer,
  name: string,
  maxBytes: number,
): { body: Buffer; form: string } | { error: string; code: 'corrupt-archive' | 'too-large' } | undefined {
  const byName = isCompressedName(name);
  const gzip = buf.length >= 2 && buf[0] === GZIP_MAGIC_0 && buf[1] === GZIP_MAGIC_1;
  if (!gzip && byName !== 'brotli') return undefined;
  const kind = gzip ? 'gzip' : 'brotli';
  try {
    const body = kind === 'gzip' ? gunzipSync(buf, { maxOutputLength: maxBytes }) : brotliDecompressSync(buf, { maxOutputLength: maxBytes });
    return { body, form: kind };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || /larger than|maxOutputLength/i.test((err as Error).message)) {
      return { error: `${kind} content exceeds ${maxBytes} bytes once decompressed`, code: 'too-large' };
    }
    return { error: `cannot decompress ${kind}: ${(err as Error).message}`, code: 'corrupt-archive' };
  }
}

/** Strips the `)]}'` anti-XSSI first line a map may carry (the spec says consumers strip it). */
export function stripXssiPrefix(buf: Buffer): Buffer | undefined {
  const at = skipJsonSpace(buf);
  if (at + XSSI_PREFIX.length > buf.length || buf.compare(XSSI_PREFIX, 0, XSSI_PREFIX.length, at, at + XSSI_PREFIX.length) !== 0) return undefined;
  let i = at + XSSI_PREFIX.length;
  while (i < buf.length && buf[i] !== 0x0a && buf[i] !== 0x0d) i++;
  return buf.subarray(i);
}

/** Bytes of a map's head that MAP_HEAD is tested against. */
export const MAP_HEAD_BYTES = 256;

/** Whether the JSON at `start` opens as a map does (a walk tells the rest). */
export function opensLikeMap(body: Buffer, start: number): boolean {
  return body[start] === 0x7b && MAP_HEAD.test(body.toString('latin1', start, start + MAP_HEAD_BYTES));
}

/** Whether a file's first bytes, after a BOM, whitespace and a `)]}'` line, open as a map does. */
export function startsLikeMap(head: Buffer): boolean {
  const body = stripXssiPrefix(head) ?? head;
  return opensLikeMap(body, skipJsonSpace(body));
}

/**
 * Decides whether `buf` (a whole file) is a source map, and summarises it. Never throws.
 * `name` only matters for brotli (which has no magic bytes).
 */
export function sniffMap(buf: Buffer, name: string, options: SniffOptions): MapSniff {
  const form: string[] = [];
  let body = buf;
  const unpacked = decompress(buf, name, options.maxBytes);
  if (unpacked) {
    if ('error' in unpacked) {
      // A compressed file we cannot open is unreadable, map or not: fail closed.
      return { kind: 'invalid', form: [isCompressedName(name) ?? 'gzip'], message: unpacked.error, code: unpacked.code };
    }
    body = unpacked.body;
    form.push(unpacked.form);
  }
  const unprefixed = stripXssiPrefix(body);
  if (unprefixed) {
    body = unprefixed;
    form.push('xssi-prefixed');
  }
  const start = skipJsonSpace(body);
  if (body[start] !== 0x7b) return { kind: 'not-map' };
  // A file that starts like a map is walked (a truncated one is told by the walk). Any other
  // JSON must name the keys somewhere first: cheap byte checks, but each scans the whole file,
  // and in a 60 MB map `"mappings"` may come after all of sourcesContent: so they come second.
  if (opensLikeMap(body, start)) return inspectMapJson(body, start, form);
  const named = body.indexOf(VERSION_KEY, start) >= 0 && (body.indexOf(MAPPINGS_KEY, start) >= 0 || body.indexOf(SECTIONS_KEY, start) >= 0);
  if (!named) return { kind: 'not-map' };
  return inspectMapJson(body, start, form);
}

/** Inspects JSON that may be a map, starting at the `{` at `start`. */
export function inspectMapJson(body: Buffer, start: number, form: string[] = []): MapSniff {
  const walk = new MapWalk(body, start, form, body.length, true);
  if (!walk.result) throw new Error('a map walk over complete bytes asked for more');
  return walk.result;
}

/**
 * inspectMapJson over bytes that arrive in order into `body` (its final size): `grow()` after
 * each arrival walks what it can; once `result` is set (at the latest when the bytes are
 * complete) it is what inspectMapJson gives for the whole buffer. The walk ends with the
 * top-level object, so the result may come before the last bytes.
 */
export class MapWalk {
  result: MapSniff | undefined;
  /** The walk, suspended where it needs more bytes. */
  private readonly steps: Walk<void>;
  private readonly cursor: JsonCursor;
  private readonly seen: SeenKeys = { version3: false, mapKey: false };

  constructor(
    private readonly body: Buffer,
    private readonly start: number,
    private readonly form: string[],
    filled: number,
    complete: boolean,
  ) {
    this.cursor = new JsonCursor(body, start, filled, complete);
    this.steps = this.run();
    this.steps.next();
  }

  grow(filled: number, complete: boolean): void {
    if (this.result) return;
    this.cursor.grow(filled, complete);
    this.steps.next();
  }

  private *run(): Walk<void> {
    const { body, start, form, seen } = this;
    try {
      const top = yield* walkMap(this.cursor, 0, seen);
      this.result = top.isMap ? { kind: 'map', form, map: flatten(top, body), body } : { kind: 'not-map' };
    } catch (err) {
      // The verdict looks at the map's head: wait for its bytes.
      while (!this.cursor.complete && this.cursor.end < start + MAP_HEAD_BYTES) yield;
      if ((seen.version3 && seen.mapKey) || opensLikeMap(body, start)) {
        const message = err instanceof JsonSyntaxError || err instanceof SectionDepthError ? err.message : String(err);
        this.result = { kind: 'invalid', form, message: `looks like a source map but cannot be read: ${message}`, code: 'invalid-map' };
      } else {
        this.result = { kind: 'not-map' };
      }
    }
  }
}

class SectionDepthError extends Error {
  override name = 'SectionDepthError';
}

interface SeenKeys {
  version3: boolean;
  mapKey: boolean;
}

interface WalkedMap {
  isMap: boolean;
  version?: unknown;
  file?: string;
  sourceRoot?: string;
  debugId?: string;
  pillboxKey?: boolean;
  sources: Array<string | null>;
  contents: Array<StringStats | null>;
  sections: Array<{ map?: WalkedMap; url?: string }>;
}

function* walkMap(cursor: JsonCursor, depth: number, seen: SeenKeys | undefined): Walk<WalkedMap> {
  if (depth > MAX_SECTION_DEPTH) throw new SectionDepthError(`index map sections nested deeper than ${MAX_SECTION_DEPTH} levels`);
  const out: WalkedMap = { isMap: false, sources: [], contents: [], sections: [] };
  let hasMappings = false;
  let hasSections = false;
  yield* cursor.eachMember(function* (key) {
    const c = yield* cursor.peekWalk();
    switch (key) {
      case 'version':
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          out.version = yield* cursor.readNumber();
          if (seen && out.version === 3) seen.version3 = true;
          return true;
        }
        return false;
      case 'file':
      case 'sourceRoot':
      case 'debugId':
        if (c !== 0x22) return false;
        out[key] = yield* cursor.readStringValue();
        return true;
      case 'debug_id': // Sentry's older spelling
        if (c !== 0x22) return false;
        out.debugId = yield* cursor.readStringValue();
        return true;
      case 'pillbox':
        out.pillboxKey = true;
        return false;
      case 'mappings':
        hasMappings = true;
        if (seen) seen.mapKey = true;
        return false;
      case 'sources':
        if (seen) seen.mapKey = true;
        if (c !== 0x5b) return false;
        yield* cursor.eachString((s) => out.sources.push(s ? cursor.decodeString(s) : null));
        return true;
      case 'sourcesContent':
        if (seen) seen.mapKey = true;
        if (c !== 0x5b) return false;
        yield* cursor.eachString((s) => out.contents.push(s && s.bytes > 0 ? s : null));
        return true;
      case 'sections':
        hasSections = true;
        if (seen) seen.mapKey = true;
        if (c !== 0x5b) return false;
        yield* cursor.eachItem(function* () {
          if ((yield* cursor.peekWalk()) !== 0x7b) {
            yield* cursor.skipValue();
            return;
          }
          const section: { map?: WalkedMap; url?: string } = {};
          yield* cursor.eachMember(function* (sectionKey) {
            const v = yield* cursor.peekWalk();
            if (sectionKey === 'map' && v === 0x7b) {
              section.map = yield* walkMap(cursor, depth + 1, undefined);
              return true;
            }
            if (sectionKey === 'url' && v === 0x22) {
              section.url = yield* cursor.readStringValue();
              return true;
            }
            return false;
          });
          out.sections.push(section);
        });
        return true;
      default:
        return false;
    }
  });
  // Embedded section maps are judged loosely: the outer map already qualified.
  out.isMap = depth > 0 ? true : out.version === 3 && (hasMappings || hasSections);
  return out;
}

function flatten(top: WalkedMap, body: Buffer): MapSummary {
  const entries: RawSource[] = [];
  const sectionUrls: string[] = [];
  let sections = 0;
  // Iterative over sections, so the walk order is stable and no recursion is needed here.
  const queue: WalkedMap[] = [top];
  while (queue.length > 0) {
    const map = queue.shift() as WalkedMap;
    const count = Math.max(map.sources.length, map.contents.length);
    for (let i = 0; i < count; i++) {
      const content = map.contents[i] ?? undefined;
      entries.push({ source: map.sources[i] ?? null, sourceRoot: map.sourceRoot, content });
    }
    for (const section of map.sections) {
      sections++;
      if (section.map) queue.push(section.map);
      if (section.url !== undefined) sectionUrls.push(section.url);
    }
  }
  return {
    kind: top.sections.length > 0 || (top.sources.length === 0 && sections > 0) ? 'index-map' : 'map',
    file: top.file,
    sourceRoot: top.sourceRoot,
    debugId: top.debugId,
    entries,
    sectionUrls,
    sections,
    body,
    pillboxKey: top.pillboxKey === true,
  };
}

/** Decodes one sourcesContent entry (for forbidden-string search). */
export function decodeContent(body: Buffer, stats: StringStats): string {
  const raw = body.toString('utf8', stats.start, stats.end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
