import { dirname, isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Source map (v3) shapes and the content transforms the modes need. Pure functions over parsed
// maps: no file system, no bundler.

export interface SourceMapV3 {
  version: 3;
  file?: string;
  sourceRoot?: string;
  sources: Array<string | null>;
  sourcesContent?: Array<string | null>;
  names: string[];
  mappings: string;
  ignoreList?: number[];
  x_google_ignoreList?: number[];
  debugId?: string;
  [extra: string]: unknown;
}

export interface IndexMapV3 {
  version: 3;
  file?: string;
  sections: Array<{ offset: { line: number; column: number }; map: SourceMapV3 | IndexMapV3 }>;
  [extra: string]: unknown;
}

export type AnyMap = SourceMapV3 | IndexMapV3;

export function isIndexMap(map: AnyMap): map is IndexMapV3 {
  return Array.isArray((map as IndexMapV3).sections);
}

/** A parsed source map, or null if the text is not one (the `)]}'` XSSI prefix is allowed). */
export function parseSourceMap(text: string): AnyMap | null {
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.startsWith(")]}'")) body = body.slice(body.indexOf('\n') + 1);
  const first = body.trimStart()[0];
  if (first !== '{') return null;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  return isSourceMapObject(value) ? value : null;
}

export function isSourceMapObject(value: unknown): value is AnyMap {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  if (v.version !== 3) return false;
  if (Array.isArray(v.sections)) return v.sections.every((s) => s && typeof s === 'object' && isSourceMapObject((s as { map?: unknown }).map));
  return typeof v.mappings === 'string' && Array.isArray(v.sources);
}

/**
 * Accept what bundlers hand over: an object (rollup's SourceMap class included) or JSON text.
 * One already plain (parsed JSON, the decoy engine's shifted map) is used as it is: nothing
 * mutates maps, and a deep copy of a 20 MB map costs ~250 ms.
 */
export function toMapObject(map: unknown): AnyMap | null {
  if (map == null) return null;
  if (typeof map === 'object' && Object.getPrototypeOf(map) === Object.prototype && isSourceMapObject(map)) return map;
  if (typeof map === 'string') return parseSourceMap(map);
  if (map instanceof Uint8Array) return parseSourceMap(Buffer.from(map).toString('utf8'));
  // Drop class prototypes and methods (rollup's SourceMap has toString/toUrl).
  const plain = JSON.parse(JSON.stringify(map)) as unknown;
  return isSourceMapObject(plain) ? plain : null;
}

export function serializeMap(map: AnyMap): string {
  return JSON.stringify(map);
}

/** Visit every leaf map of a (possibly index) map. */
export function forEachLeaf(map: AnyMap, fn: (leaf: SourceMapV3) => void): void {
  if (isIndexMap(map)) for (const s of map.sections) forEachLeaf(s.map, fn);
  else fn(map);
}

/** `nosources`: no `sourcesContent` anywhere. Returns a new map. */
export function dropSourcesContent(map: AnyMap): AnyMap {
  const copy = structuredClone(map);
  forEachLeaf(copy, (leaf) => {
    delete leaf.sourcesContent;
  });
  return copy;
}

export interface PathContext {
  /** Absolute path the map file lives (or would live) at; sources resolve against its folder. */
  mapPath: string;
  /** Absolute project root: nothing outside it is named. */
  projectRoot: string;
}

/** `file://`, POSIX-absolute, Windows drive or UNC, or home-relative (`~/`). */
export function isLocalAbsolutePath(source: string): boolean {
  return /^file:/i.test(source) || source.startsWith('/') || /^[A-Za-z]:[\\/]/.test(source) || source.startsWith('\\\\') || source.startsWith('~/');
}

/**
 * `nosources` path hygiene: every local absolute source (and a local absolute sourceRoot) becomes
 * a path relative to the map, as bundlers normally write them, and never climbs out of the
 * project root: paths outside it are named by their `node_modules/` tail, else `external/<name>`.
 * Other URLs (`webpack://`, `https:`) are left alone. Returns a new map.
 */
export function relativiseLocalPaths(map: AnyMap, ctx: PathContext): AnyMap {
  const copy = structuredClone(map);
  forEachLeaf(copy, (leaf) => {
    const root = leaf.sourceRoot;
    const rootIsLocal = typeof root === 'string' && root !== '' && isLocalAbsolutePath(root);
    leaf.sources = leaf.sources.map((s) => {
      if (typeof s !== 'string') return s;
      if (rootIsLocal && !/^[a-z][a-z0-9+.-]*:/i.test(s) && !isLocalAbsolutePath(s)) {
        return packageRelative(joinLocal(root, s), ctx);
      }
      return isLocalAbsolutePath(s) ? packageRelative(s, ctx) : s;
    });
    if (rootIsLocal) delete leaf.sourceRoot;
  });
  return copy;
}

function joinLocal(root: string, source: string): string {
  return toFsPath(root).replace(/[\\/]*$/, '/') + source;
}

function toFsPath(p: string): string {
  if (/^file:/i.test(p)) {
    try {
      return fileURLToPath(p);
    } catch {
      return p.replace(/^file:\/*/i, '/');
    }
  }
  return p;
}

function packageRelative(source: string, ctx: PathContext): string {
  const abs = resolve(toFsPath(source).replace(/^~\//, '/home/user/'));
  const mapDir = dirname(ctx.mapPath);
  let target = abs;
  const rel = relative(ctx.projectRoot, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    const nm = abs.split(sep).join('/').lastIndexOf('/node_modules/');
    const tail = nm === -1 ? `external/${posix.basename(abs.split(sep).join('/'))}` : abs.split(sep).join('/').slice(nm + 1);
    target = resolve(ctx.projectRoot, tail);
  }
  return relative(mapDir, target).split(sep).join('/');
}

/** Decode a `data:` URI map reference (base64 or percent-encoded JSON). Null if it is not a map. */
export function decodeDataUriMap(uri: string): AnyMap | null {
  const m = /^data:([^,]*),(.*)$/s.exec(uri);
  if (!m) return null;
  const meta = m[1];
  if (!/json/i.test(meta)) return null;
  let text: string;
  try {
    text = /;base64$/i.test(meta) ? Buffer.from(m[2], 'base64').toString('utf8') : decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  return parseSourceMap(text);
}

export function encodeDataUriMap(map: AnyMap): string {
  return 'data:application/json;charset=utf-8;base64,' + Buffer.from(serializeMap(map), 'utf8').toString('base64');
}
