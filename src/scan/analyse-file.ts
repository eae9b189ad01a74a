import { posix } from 'node:path';
import type { ScanError } from '../core/findings.js';
import { isManifestEnvelope } from '../core/manifest-envelope.js';
import { LineIndex, looksLikeText, skipJsonSpace } from './bytes.js';
import { KeySearch, type EarlyResults } from './early-analysis.js';
import { ExposureCounter, exposedSources } from './exposure.js';
import type { FileFacts, ForbiddenHit, MapFact, PrivateKind } from './facts.js';
import { searchBytes, searchText, type CompiledForbid } from './forbidden.js';
import { extractDirectives, findInlineMaps } from './references.js';
import { decodeContent, decompress, sniffMap, type MapSummary } from './sourcemap.js';

// The per-file pass: everything that needs the file's bytes, done once while they are in hand.

export interface FileInput {
  path: string;
  packagePath: string;
  size: number;
}

export interface AnalyseOptions {
  forbid: readonly CompiledForbid[];
  maxBytes: number;
}

const CODE_EXT = /\.(?:[cm]?jsx?|[cm]?tsx?|html?|vue|svelte|astro)$/i;
const CSS_EXT = /\.(?:css|scss|sass|less|styl|pcss)$/i;
const ORIGINAL_EXT = /\.(?:[cm]?ts|tsx|vue|svelte)$/i;
const DECLARATION = /\.d\.(?:[cm]?ts|[^/.]+\.ts)$/i;
const CONFIG_NAME = /^pillbox\.config\.(?:json|[cm]?[jt]s)$/i;
/** Manifests are small JSON; larger files are not parsed to look for one. */
const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;

export function isOriginalSource(packagePath: string): boolean {
  if (!ORIGINAL_EXT.test(packagePath) || DECLARATION.test(packagePath)) return false;
  // A bundled dependency's sources are not this package's own.
  return !/(?:^|\/)node_modules\//.test(packagePath);
}

function codeKind(packagePath: string, buf: Buffer): 'js' | 'css' | undefined {
  if (CSS_EXT.test(packagePath)) return 'css';
  if (CODE_EXT.test(packagePath)) return 'js';
  // Extension-less executables (bin scripts) start with a shebang.
  if (!/\.[^/]+$/.test(posix.basename(packagePath)) && buf[0] === 0x23 && buf[1] === 0x21) return 'js';
  return undefined;
}

/**
 * @param walked the file's own bytes read as a source map, when they are one: its walk saw every
 *   top-level key, and an envelope needs `pillbox` (this spares a search of every map's bytes).
 */
function privateKinds(input: FileInput, buf: Buffer, early: EarlyResults | undefined, walked: MapSummary | undefined): PrivateKind[] {
  const kinds: PrivateKind[] = [];
  if (/(?:^|\/)\.pillbox\//.test(input.packagePath)) kinds.push('pillbox-dir');
  if (CONFIG_NAME.test(posix.basename(input.packagePath)) && buf.indexOf('forbid') >= 0) kinds.push('config-with-forbid');
  const mayBeEnvelope = walked === undefined || walked.pillboxKey;
  if (mayBeEnvelope && buf.length <= MANIFEST_MAX_BYTES && buf[skipJsonSpace(buf)] === 0x7b && buf.indexOf('manifest/v1') >= 0 && buf.indexOf('"pillbox"') >= 0) {
    try {
      if (isManifestEnvelope(JSON.parse(buf.toString('utf8')))) kinds.push('manifest');
    } catch {
      // not JSON: not an envelope
    }
  }
  let key = early?.key;
  if (key === undefined) {
    const search = new KeySearch(buf);
    search.feed(buf.length, true);
    key = search.found;
  }
  if (key) kinds.push('key');
  return kinds;
}

function mapFact(summary: MapSummary, form: string[], inline: boolean): MapFact {
  const sources = exposedSources(summary);
  const counter = new ExposureCounter();
  counter.add(sources);
  return { inline, form, summary, sources, exposure: counter.totals() };
}

/** Searches decoded sourcesContent of a map; adds hits to `acc` keyed by rule label. */
function searchMapContent(rules: readonly CompiledForbid[], map: MapSummary, prefix: string, acc: Map<string, ForbiddenHit>): void {
  map.entries.forEach((entry, index) => {
    if (!entry.content) return;
    const text = decodeContent(map.body, entry.content);
    for (const rule of rules) {
      const r = searchText(rule, text);
      if (r.count === 0) continue;
      const hit = acc.get(rule.label) ?? { rule: rule.label, where: [], count: 0 };
      hit.count += r.count;
      if (hit.where.length < 5) hit.where.push(`${prefix}sourcesContent[${index}]`);
      acc.set(rule.label, hit);
    }
  });
}

/**
 * @param early what ran while the bytes arrived (EarlyAnalysis.results for this `buf`): those
 *   steps are not done again.
 */
export function analyseFile(input: FileInput, buf: Buffer, options: AnalyseOptions, early?: EarlyResults): { facts: FileFacts; errors: ScanError[] } {
  const errors: ScanError[] = [];
  const facts: FileFacts = {
    path: input.path,
    packagePath: input.packagePath,
    size: input.size,
    inlineMaps: [],
    directives: [],
    private: [],
    originalSource: isOriginalSource(input.packagePath),
    forbidden: [],
  };

  // Compressed files (`cli.js.map.gz`, `app.js.br`, or gzip by magic) are judged by what they
  // hold; a compressed file that cannot be opened is an error, never clean.
  let body = buf;
  let name = input.packagePath;
  const outer: string[] = [];
  const unpacked = decompress(buf, name, options.maxBytes);
  if (unpacked && 'error' in unpacked) {
    facts.private = privateKinds(input, buf, early, undefined);
    errors.push({ path: input.path, code: unpacked.code, message: `${input.path}: ${unpacked.error}` });
    return { facts, errors };
  }
  if (unpacked) {
    body = unpacked.body;
    name = name.replace(/\.(?:gz|br)$/i, '');
    outer.push(unpacked.form);
  }
  const compressed = body !== buf;
  const isText = looksLikeText(body);
  let lineIndex: LineIndex | undefined;
  const position = (offset: number) => (lineIndex ??= new LineIndex(body)).position(offset);

  const sniff = (body === buf ? early?.sniff : undefined) ?? sniffMap(body, name, { maxBytes: options.maxBytes });
  facts.private = privateKinds(input, buf, early, sniff.kind === 'map' && sniff.body === buf ? sniff.map : undefined);
  let searchable = body;
  if (sniff.kind === 'map') {
    const form = [...outer, ...sniff.form];
    facts.fileMap = mapFact(sniff.map, form.length > 0 ? form : ['file'], false);
    searchable = sniff.body;
  } else if (sniff.kind === 'invalid') {
    errors.push({ path: input.path, code: sniff.code, message: `${input.path}: ${sniff.message}` });
  } else if (isText) {
    const kind = codeKind(name, body);
    if (kind) facts.directives = extractDirectives(body, { css: kind === 'css' }).map((d) => ({ ...d, position: position(d.offset) }));
    for (const inline of findInlineMaps(body)) {
      if (inline.sniff.kind === 'invalid') {
        errors.push({ path: input.path, code: 'invalid-map', message: `${input.path}: inline data: URI at ${fmtPos(position(inline.offset))}: ${inline.sniff.message}` });
        continue;
      }
      const fact = mapFact(inline.sniff.map, [...outer, ...inline.sniff.form], true);
      fact.position = position(inline.offset);
      facts.inlineMaps.push(fact);
    }
  }
  // Positions inside a compressed file would point into bytes nobody sees: leave them out.
  if (compressed) {
    for (const d of facts.directives) d.position = undefined;
    for (const m of facts.inlineMaps) m.position = undefined;
  }

  if (options.forbid.length > 0) {
    const hits = new Map<string, ForbiddenHit>();
    const textual = searchable === body ? isText : looksLikeText(searchable);
    for (const rule of options.forbid) {
      const r = searchBytes(rule, searchable, textual);
      if (r.count === 0) continue;
      hits.set(rule.label, {
        rule: rule.label,
        where: [compressed ? 'decompressed' : 'code'],
        count: r.count,
        position: searchable === body && textual && !compressed ? position(r.first) : undefined,
      });
    }
    if (facts.fileMap) {
      // In a map file the raw JSON holds sourcesContent too: count decoded content hits only,
      // and the raw text only for what lies outside it (names, paths).
      const content = new Map<string, ForbiddenHit>();
      searchMapContent(options.forbid, facts.fileMap.summary, '', content);
      for (const [label, hit] of content) hits.set(label, hit);
      for (const hit of hits.values()) if (hit.where[0] === 'code' || hit.where[0] === 'decompressed') hit.where[0] = 'map JSON';
    }
    facts.inlineMaps.forEach((m, i) => searchMapContent(options.forbid, m.summary, `inline map ${i + 1} `, hits));
    facts.forbidden = [...hits.values()];
  }
  // The decoded bytes are only needed for the search above; keep facts small.
  if (facts.fileMap) facts.fileMap.summary = { ...facts.fileMap.summary, body: Buffer.alloc(0) };
  for (const m of facts.inlineMaps) m.summary = { ...m.summary, body: Buffer.alloc(0) };
  return { facts, errors };
}

function fmtPos(p: { line: number; column: number }): string {
  return `${p.line}:${p.column}`;
}
