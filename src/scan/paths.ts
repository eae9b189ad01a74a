import { posix } from 'node:path';

// URLs and paths as source maps write them: reference URLs, `sources`, `sourceRoot`, `sourceURL`.

export type UrlKind = 'data' | 'remote' | 'file' | 'absolute' | 'relative';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
/** Namespaces bundlers write into `sources`; they name files, they do not point at a host. */
const BUNDLER_SCHEME = /^(?:webpack|webpack-internal|rspack|rollup|vite|turbopack|ng|parcel|esbuild|svelte|vue|bun|deno):\/\/[^/]*\/?/i;
const REMOTE_SCHEME = /^(?:https?|ftp|ftps|s3|gs|r2|wss?):/i;

export function urlKind(url: string): UrlKind {
  if (/^data:/i.test(url)) return 'data';
  if (/^file:/i.test(url)) return 'file';
  if (url.startsWith('//')) return 'remote';
  if (/^[a-z]:[\\/]/i.test(url) || url.startsWith('/') || url.startsWith('\\')) return 'absolute';
  const scheme = SCHEME.exec(url);
  if (scheme && !BUNDLER_SCHEME.test(url)) return 'remote';
  return 'relative';
}

/** Is this a URL that points at another host (http(s), s3, protocol-relative...)? */
export function isRemote(url: string): boolean {
  return url.startsWith('//') || REMOTE_SCHEME.test(url);
}

function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut >= 0 ? url.slice(0, cut) : url;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The package path a reference written in `fromPackagePath` points at, or undefined when it
 * leaves the package. `/x.map` is taken from the package root (web-root style).
 */
export function resolveInPackage(fromPackagePath: string, url: string): string | undefined {
  const clean = safeDecode(stripQuery(url)).replace(/\\/g, '/');
  if (clean === '') return undefined;
  const joined = clean.startsWith('/') ? clean.replace(/^\/+/, '') : posix.join(posix.dirname(fromPackagePath), clean);
  const normal = posix.normalize(joined);
  if (normal === '..' || normal.startsWith('../') || normal === '.') return undefined;
  return normal.replace(/^\.\//, '');
}

export type LocalKind = 'file-url' | 'home' | 'windows' | 'absolute';

const HOME = /^(?:file:\/\/)?(?:\/Users\/|\/home\/|\/root\/|\/var\/root\/|[a-z]:[\\/]+(?:Users|Documents and Settings)[\\/])/i;

/** Why a path is local to a machine (absolute, file://, a home directory), if it is. */
export function localKind(path: string): LocalKind | undefined {
  if (HOME.test(path) || (path.includes('%') && HOME.test(safeDecode(path)))) return 'home';
  if (/^file:/i.test(path)) return 'file-url';
  if (/^[a-z]:[\\/]/i.test(path) || path.startsWith('\\\\')) return 'windows';
  if (path.startsWith('/') && !path.startsWith('//')) return 'absolute';
  return undefined;
}

export interface SourceInfo {
  /** `sources[i]` as written (null entries stay null). */
  raw: string | null;
  /** sourceRoot + source, as a consumer would see it. */
  full: string;
  /** A readable, normalised form: bundler namespace and `../` prefixes removed. */
  display: string;
  nodeModules: boolean;
  local?: LocalKind;
  remote: boolean;
  /** First-party folder for "top folders" (up to two segments). */
  folder: string;
}

export function joinSourceRoot(sourceRoot: string | undefined, source: string): string {
  if (!sourceRoot || SCHEME.test(source) || source.startsWith('/')) return source;
  return sourceRoot.endsWith('/') ? sourceRoot + source : `${sourceRoot}/${source}`;
}

/** A scheme, query, escape or backslash: a source with none (and not absolute) is plain. */
const NOT_PLAIN = /[:\\?#%]/;

export function describeSource(source: string | null, sourceRoot: string | undefined): SourceInfo {
  const raw = source;
  const full = source === null ? '' : joinSourceRoot(sourceRoot, source);
  // Most sources are plain relative paths (`../src/a.ts`), for which none of the rewrites and
  // local/remote tests can apply: one test instead of a dozen (a map of the incident's size has
  // thousands, looked at once each in a fresh process).
  const plain = full !== '' && !full.startsWith('/') && !NOT_PLAIN.test(full);
  const display = plain ? full : stripQuery(full).replace(BUNDLER_SCHEME, '').replace(/^file:\/\//i, '').replace(/\\/g, '/').replace(/^(?:\.{1,2}\/)+/, '');
  const segments = display.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  const nodeModules = segments.includes('node_modules');
  const dirs = segments.slice(0, -1);
  // Absolute paths: the folder is taken from the end, where the project's own layout is.
  const local = plain ? undefined : localKind(full);
  const folder = dirs.length === 0 ? '.' : (local ? dirs.slice(-2) : dirs.slice(0, 2)).join('/');
  return { raw, full, display: segments.join('/'), nodeModules, local: full ? local : undefined, remote: !plain && isRemote(full), folder };
}

/**
 * Package paths a map's source may name: resolved against the map's own folder (the spec's
 * rule), and for bundler namespaces (`webpack:///./src/a.ts`) against the package root.
 */
export function sourceCandidates(mapPackagePath: string, source: string, sourceRoot: string | undefined): string[] {
  const out = new Set<string>();
  const full = joinSourceRoot(sourceRoot, source);
  if (BUNDLER_SCHEME.test(full)) {
    const rest = stripQuery(full).replace(BUNDLER_SCHEME, '');
    const fromRoot = resolveInPackage('x', rest);
    if (fromRoot) out.add(fromRoot);
  }
  const kind = urlKind(full);
  if (kind === 'relative') {
    const resolved = resolveInPackage(mapPackagePath, full);
    if (resolved) out.add(resolved);
  }
  return [...out];
}
