import { posix } from 'node:path';
import { findTrailingDirectives, languageOf, type CodeLanguage, type Directive } from '../maps/comments.js';
import { parseSourceMap, type AnyMap } from '../maps/sourcemap.js';
import { sniffMap, startsLikeMap } from '../scan/sourcemap.js';
import { DEFAULT_LIMITS } from '../scan/types.js';

const MAX_MAP_BYTES = DEFAULT_LIMITS.maxFileBytes;

// Sorting an output into code files, map files and the rest, and pairing each code file with
// its map: by its reference comment, else `<file>.map`, else a map whose `file` names it.
// Maps are recognised by content, not by name (the incident's map had no reference at all).

/** One emitted file, as the adapter sees it. `fileName` is relative to the output dir, `/`-separated. */
export interface OutputFile {
  fileName: string;
  source: string | Uint8Array;
}

export interface CodeEntry {
  fileName: string;
  lang: CodeLanguage;
  code: string;
  /** fileName of the paired external map, if any. */
  mapFile?: string;
  /** The trailing directives of `code`, found once when sorted; dropped when `code` changes. */
  directives?: readonly Directive[];
}

export interface MapEntry {
  fileName: string;
  /** Parsed on first read: strip deletes maps without ever needing their JSON as objects. */
  map: AnyMap;
  /** The map's own `file` field, known without parsing it. */
  readonly file?: string;
  /** Stored gzip/brotli-compressed: can be removed or moved, not rewritten in place. */
  compressed?: boolean;
  /** The code file it belongs to, if one was found. */
  owner?: string;
}

/** A map found by content; JSON.parse of its text waits until someone reads `map`. */
class SniffedMap implements MapEntry {
  owner?: string;
  private parsed: AnyMap | null | undefined;

  constructor(
    readonly fileName: string,
    private text: (() => string) | null,
    readonly file: string | undefined,
    readonly compressed: boolean,
  ) {}

  /** Parses now; false when JSON.parse finds no map where the sniff did (e.g. no `sources`). */
  parses(): boolean {
    if (this.parsed === undefined) {
      this.parsed = parseSourceMap(this.text!());
      this.text = null;
    }
    return this.parsed !== null;
  }

  get map(): AnyMap {
    if (!this.parses()) throw new Error(`pillbox: ${this.fileName} reads as a source map but does not parse as one`);
    return this.parsed!;
  }

  set map(map: AnyMap) {
    this.parsed = map;
    this.text = null;
  }
}

export interface SortedOutput {
  code: Map<string, CodeEntry>;
  maps: Map<string, MapEntry>;
  /** Everything else, untouched. */
  other: string[];
}

export function textOf(source: string | Uint8Array): string {
  return typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8');
}

function bytesOf(source: string | Uint8Array): Buffer {
  return typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
}

/** Whether text, after a BOM and whitespace, starts like JSON or the `)]}'` prefix. */
function mayBeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x29) return true; // '{' or ')'
    if (c !== 0xfeff && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}

/** Whether a file starts as a map does (the scanner's test, on its first 512 bytes): read no further. */
function headLikeMap(source: string | Uint8Array): boolean {
  const head = typeof source === 'string' ? Buffer.from(source.slice(0, 512), 'utf8') : Buffer.from(source.buffer, source.byteOffset, Math.min(512, source.byteLength));
  return startsLikeMap(head);
}

/**
 * `parseMaps: false` (strip, which deletes maps unread) leaves their JSON unparsed; a map the
 * sniff accepts but JSON.parse would not is then deleted too, where parsing leaves it as other.
 * Then a `.map` file that a code file points at (by its reference or as `<file>.map`) and that
 * starts as a map does is taken for that map without walking it: strip deletes it either way
 * (a truncated map leaks as much as a whole one).
 */
export function sortOutput(files: readonly OutputFile[], opts: { parseMaps?: boolean } = {}): SortedOutput {
  const code = new Map<string, CodeEntry>();
  const maps = new Map<string, MapEntry>();
  const other: string[] = [];
  const rest: OutputFile[] = [];
  for (const f of files) {
    const lang = languageOf(f.fileName);
    if (lang) {
      const text = textOf(f.source);
      code.set(f.fileName, { fileName: f.fileName, lang, code: text, directives: findTrailingDirectives(text, lang) });
    }
    else rest.push(f);
  }
  // Each code file's reference target.
  const targets = new Map([...code.values()].map((entry) => [entry.fileName, referencedFile(entry)]));
  const claimed = new Set<string>();
  if (opts.parseMaps === false) {
    for (const entry of code.values()) {
      const target = targets.get(entry.fileName);
      if (target) claimed.add(target);
      claimed.add(entry.fileName + '.map');
    }
  }
  for (const f of rest) {
    if (claimed.has(f.fileName) && /\.map$/i.test(f.fileName) && headLikeMap(f.source)) {
      maps.set(f.fileName, new SniffedMap(f.fileName, () => textOf(f.source), undefined, false));
      continue;
    }
    // Text that cannot start a JSON object is no map (compressed maps come as bytes): skip
    // turning it into bytes to sniff.
    if (typeof f.source === 'string' && !mayBeJson(f.source)) {
      other.push(f.fileName);
      continue;
    }
    // The scanner's own detection: by content, through gzip/brotli and the XSSI prefix.
    const sniff = sniffMap(bytesOf(f.source), f.fileName, { maxBytes: MAX_MAP_BYTES });
    const body = sniff.kind === 'map' ? sniff.body : null;
    const entry = sniff.kind === 'map' ? new SniffedMap(f.fileName, () => body!.toString('utf8'), sniff.map.file, sniff.form.includes('gzip') || sniff.form.includes('brotli')) : null;
    if (entry && (opts.parseMaps === false || entry.parses())) maps.set(f.fileName, entry);
    else other.push(f.fileName);
  }
  for (const entry of code.values()) {
    const mapFile = findMapFor(entry, targets.get(entry.fileName), maps);
    if (mapFile) {
      entry.mapFile = mapFile;
      maps.get(mapFile)!.owner = entry.fileName;
    }
  }
  return { code, maps, other };
}

/** The file a code file's trailing reference names, if it is a relative path inside the output. */
function referencedFile(entry: CodeEntry): string | undefined {
  const reference = (entry.directives ?? findTrailingDirectives(entry.code, entry.lang)).filter((d) => d.kind === 'sourceMappingURL').pop();
  if (!reference || reference.value.startsWith('data:') || /^[a-z][a-z0-9+.-]*:/i.test(reference.value)) return undefined;
  return resolveReference(entry.fileName, reference.value);
}

function findMapFor(entry: CodeEntry, target: string | undefined, maps: Map<string, MapEntry>): string | undefined {
  if (target && maps.has(target) && !maps.get(target)!.owner) return target;
  const sibling = entry.fileName + '.map';
  if (maps.has(sibling) && !maps.get(sibling)!.owner) return sibling;
  const dir = posix.dirname(entry.fileName);
  const base = posix.basename(entry.fileName);
  for (const m of maps.values()) {
    if (!m.owner && posix.dirname(m.fileName) === dir && typeof m.file === 'string' && posix.basename(m.file) === base) return m.fileName;
  }
  return undefined;
}

/** A relative reference URL, resolved against the code file's folder; undefined if it leaves the output. */
export function resolveReference(fromFile: string, url: string): string | undefined {
  let path = url.replace(/[?#].*$/, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it as written
  }
  if (path.startsWith('/')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(fromFile), path));
  return joined.startsWith('../') || joined === '..' ? undefined : joined;
}
