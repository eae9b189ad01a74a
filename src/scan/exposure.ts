import type { Exposure, MapExposure } from '../core/findings.js';
import type { MapSummary } from './sourcemap.js';
import { describeSource, type SourceInfo } from './paths.js';
import { formatCount } from '../core/format-count.js';

// How much original source a map (or all of them) gives away. Counts are of distinct sources:
// the same file exposed by an ESM and a CJS map is one file.

export interface ExposedSource {
  info: SourceInfo;
  /** Distinctness key: the normalised path (raw index when the source is null). */
  key: string;
  lines: number;
  bytes: number;
  hasContent: boolean;
}

/** Unnamed sources are never the same file as another one: each gets its own key. */
let unnamed = 0;

export function exposedSources(map: MapSummary): ExposedSource[] {
  return map.entries.map((entry) => {
    const info = describeSource(entry.source, entry.sourceRoot);
    return {
      info,
      key: info.display || `\0unnamed:${unnamed++}`,
      lines: entry.content?.lines ?? 0,
      bytes: entry.content?.bytes ?? 0,
      hasContent: entry.content !== undefined,
    };
  });
}

const TOP_FOLDERS = 5;

/** Adds up sources (deduplicated by key, keeping the largest content seen). */
export class ExposureCounter {
  private readonly byKey = new Map<string, ExposedSource>();

  add(sources: Iterable<ExposedSource>): void {
    for (const s of sources) {
      const prev = this.byKey.get(s.key);
      if (!prev || s.bytes > prev.bytes) this.byKey.set(s.key, s);
    }
  }

  totals(): MapExposure {
    const out: MapExposure = {
      sources: this.byKey.size,
      sourcesWithContent: 0,
      recoverableLines: 0,
      recoverableBytes: 0,
      firstPartyFiles: 0,
      firstPartyLines: 0,
      nodeModulesFiles: 0,
      topFolders: [],
    };
    const folders = new Map<string, { folder: string; files: number; lines: number }>();
    for (const s of this.byKey.values()) {
      if (!s.hasContent) continue;
      out.sourcesWithContent++;
      out.recoverableLines += s.lines;
      out.recoverableBytes += s.bytes;
      if (s.info.nodeModules) {
        out.nodeModulesFiles++;
        continue;
      }
      out.firstPartyFiles++;
      out.firstPartyLines += s.lines;
      const f = folders.get(s.info.folder) ?? { folder: s.info.folder, files: 0, lines: 0 };
      f.files++;
      f.lines += s.lines;
      folders.set(s.info.folder, f);
    }
    out.topFolders = [...folders.values()]
      .sort((a, b) => b.lines - a.lines || b.files - a.files || (a.folder < b.folder ? -1 : 1))
      .slice(0, TOP_FOLDERS);
    return out;
  }
}

export function mapExposure(map: MapSummary): MapExposure {
  const counter = new ExposureCounter();
  counter.add(exposedSources(map));
  return counter.totals();
}

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The one-line summary: "1 map exposes 1,240 first-party files, 310,000 lines". */
export function exposureSummary(maps: number, mapsWithContent: number, totals: MapExposure): string {
  if (maps === 0) return 'no source maps shipped; no source recoverable';
  if (mapsWithContent === 0 || totals.sourcesWithContent === 0) {
    return `${plural(maps, 'map', 'maps')} shipped without content (${plural(totals.sources, 'source path', 'source paths')} revealed); no source recoverable`;
  }
  const verb = mapsWithContent === 1 ? 'exposes' : 'expose';
  const thirdParty = totals.nodeModulesFiles > 0 ? ` (plus ${plural(totals.nodeModulesFiles, 'node_modules file', 'node_modules files')})` : '';
  return `${plural(mapsWithContent, 'map', 'maps')} ${verb} ${plural(totals.firstPartyFiles, 'first-party file', 'first-party files')}, ${plural(totals.firstPartyLines, 'line', 'lines')}${thirdParty}`;
}

export function emptyExposure(): Exposure {
  const totals = new ExposureCounter().totals();
  return { ...totals, maps: 0, mapsWithContent: 0, summary: exposureSummary(0, 0, totals) };
}
