import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  isInside,
  resolvePluginOptions,
  type HardenContext,
  type PillboxOptions,
  type ResolvedOptions,
} from '../core/plugin-options.js';
import { languageOf } from '../maps/comments.js';
import { transformPair, type PairResult } from '../maps/index.js';
import { isIndexMap, parseSourceMap, serializeMap, toMapObject, type AnyMap } from '../maps/sourcemap.js';
import { decoyDetails, loadPoison, plantWithEngine, preloadEngines, renameManifestFiles, scanOutputFiles, type DecoyChunk } from './engines.js';
import { judgeReport, type GateResult } from './gate.js';
import { sortOutput, textOf, type OutputFile } from './pairing.js';
import type { PoisonDecoy, poisonMap } from '../maps/poison.js';
import type { ManifestPlaintext } from '../core/decoy-types.js';

// The bundler-free core every adapter (and `pillbox harden`) drives. An adapter translates its
// bundler's hooks into three calls on a session:
//   plantDecoys(files)    after the last minifier (optional: processOutput plants if not done)
//   processOutput(files)  over the whole emitted output: returns edits to apply
//   gate(files)           failOnLeak over the final output (processOutput runs it for you)

export type { OutputFile } from './pairing.js';
export type { GateResult } from './gate.js';
export type { HardenContext, PillboxOptions, ResolvedOptions, SourcemapMode } from '../core/plugin-options.js';

/** A code file with its map, for decoy planting. `map` may be an object, JSON text or a bundler's SourceMap. */
export interface CodeFile {
  fileName: string;
  code: string;
  map?: unknown;
}

export interface PlantedFile {
  fileName: string;
  code: string;
  /** The map updated for the inserted code (only when a map was given). */
  map?: AnyMap;
}

export interface DecoyOutcome {
  planted: number;
  /** Absolute path of the manifest written. */
  manifestPath: string;
  /** Output files that received decoys. */
  files: string[];
}

export interface HardenSummary {
  mode: ResolvedOptions['sourcemaps'];
  /** Map files removed from the output (strip, hidden). */
  mapsRemoved: string[];
  /** strip told the bundler not to build the maps it would have deleted (esbuild's `sourcemap` set to false). */
  mapsNotBuilt?: boolean;
  /** Absolute paths of maps written to hiddenDir. */
  mapsHidden: string[];
  /** Map files (or inline maps) rewritten for nosources/poison. */
  mapsRewritten: string[];
  /** Directive comments removed, e.g. `{ file: 'app.js', kind: 'sourceMappingURL' }`. */
  commentsRemoved: Array<{ file: string; kind: string }>;
  decoys: DecoyOutcome | null;
}

export interface HardenResult {
  /** New contents by fileName (code and maps). Files not listed are unchanged. */
  updates: Map<string, string>;
  /** fileNames to delete from the output (map assets). */
  deletes: string[];
  /** The gate's verdict over the output after these edits; null when failOnLeak is off. */
  gate: GateResult | null;
  summary: HardenSummary;
  /** Warnings raised while processing this output (e.g. decoys that found no place), for the bundler's log. */
  warnings: string[];
}

export interface ProcessOptions {
  /** Decoys were already planted (e.g. in rollup's renderChunk): do not plant again. */
  decoysPlanted?: boolean;
  /** Absolute output directory for this output, when it differs from the session's outDir (rollup: one per output). */
  outDir?: string;
}

export interface HardenSession {
  readonly options: ResolvedOptions;
  /** Warnings to pass on to the bundler's logger (never hold a key). */
  readonly warnings: string[];
  /** Nothing to do at all ('keep', no decoys, no gate): adapters may skip every hook. */
  readonly inert: boolean;
  /** Plant decoys into JS files (CSS is left alone). No-op when decoys are off. */
  plantDecoys(files: CodeFile[]): Promise<PlantedFile[]>;
  /** Decoys planted so far in this session (null if none). */
  readonly decoys: DecoyOutcome | null;
  /** The whole emitted output: plants decoys (unless done), applies the mode, writes hidden maps, runs the gate. */
  processOutput(files: readonly OutputFile[], opts?: ProcessOptions): Promise<HardenResult>;
  /** The gate alone over final files (e.g. after the adapter wrote them). */
  gate(files: readonly OutputFile[], opts?: { outDir?: string }): Promise<GateResult>;
  /**
   * Output files were renamed after decoys were planted (webpack's realContentHash): the last
   * manifest's placements are rewritten to name the files as shipped.
   */
  renameDecoyFiles(rename: (fileName: string) => string): void;
}

export function createHardenSession(options: PillboxOptions | undefined, ctx: HardenContext): HardenSession {
  const resolved = resolvePluginOptions(options, ctx);
  return new Session(resolved);
}

class Session implements HardenSession {
  decoys: DecoyOutcome | null = null;
  private lastPlant: DecoyOutcome | null = null;
  /** What the last planting sealed in its manifest (controls included): kept here, never in a summary. */
  private lastManifest: ManifestPlaintext | null = null;
  private poisonDecoys: PoisonDecoy[] = [];
  /** poison: output map name -> the decoy source paths it was given. */
  private poisonedMaps = new Map<string, string[]>();

  /** poison: the map poisoner, loaded with the session (see preloadEngines). */
  private poisoner: typeof poisonMap | null = null;

  constructor(readonly options: ResolvedOptions) {
    // A bundler that builds off this thread (esbuild, in Go) leaves it time to warm the decoy engine up.
    preloadEngines({ decoys: options.decoys !== null, gate: options.failOnLeak, poison: options.sourcemaps === 'poison', warmUp: options.buildsOffThread });
  }

  get warnings(): string[] {
    return this.options.warnings;
  }

  get inert(): boolean {
    const o = this.options;
    return o.sourcemaps === 'keep' && !o.decoys && !o.failOnLeak;
  }

  renameDecoyFiles(rename: (fileName: string) => string): void {
    const decoys = this.options.decoys;
    const last = this.lastPlant;
    if (!decoys || !last || !this.lastManifest || last.files.every((f) => rename(f) === f)) return;
    this.lastManifest = renameManifestFiles(decoys.key, last.manifestPath, this.lastManifest, rename);
    last.files = last.files.map(rename);
    if (this.decoys) this.decoys.files = this.decoys.files.map(rename);
  }

  async plantDecoys(files: CodeFile[]): Promise<PlantedFile[]> {
    const decoys = this.options.decoys;
    const js = files.filter((f) => languageOf(f.fileName) === 'js');
    if (!decoys || js.length === 0) return files.map((f) => ({ fileName: f.fileName, code: f.code, map: toMapObject(f.map) ?? undefined }));
    const chunks: DecoyChunk[] = js.map((f) => ({ fileName: f.fileName, code: f.code, map: toMapObject(f.map) ?? undefined }));
    const outcome = await plantWithEngine(chunks, decoys, this.options.manifestDir, (m) => this.options.warnings.push(m));
    const byName = new Map(outcome.chunks.map((c) => [c.fileName, c]));
    const changed = outcome.chunks.filter((c) => c.code !== chunks.find((o) => o.fileName === c.fileName)?.code).map((c) => c.fileName);
    this.poisonDecoys = this.options.sourcemaps === 'poison' ? decoyDetails(outcome.manifest, outcome.decoyNames) : [];
    this.lastPlant = { planted: outcome.planted, manifestPath: outcome.manifestPath, files: changed };
    this.lastManifest = outcome.manifest;
    this.decoys = {
      planted: (this.decoys?.planted ?? 0) + outcome.planted,
      manifestPath: outcome.manifestPath,
      files: [...(this.decoys?.files ?? []), ...changed],
    };
    return files.map((f) => {
      const planted = byName.get(f.fileName);
      if (planted) return { fileName: f.fileName, code: planted.code, map: planted.map };
      return { fileName: f.fileName, code: f.code, map: toMapObject(f.map) ?? undefined };
    });
  }

  async processOutput(files: readonly OutputFile[], opts: ProcessOptions = {}): Promise<HardenResult> {
    const o = this.options;
    const outDir = opts.outDir ? resolve(opts.outDir) : o.outDir;
    if (outDir && o.sourcemaps === 'hidden' && isInside(o.hiddenDir, outDir)) {
      throw new Error(`pillbox (${o.bundler}): hiddenDir (${o.hiddenDir}) is inside the output directory (${outDir}); hidden maps would ship.`);
    }
    const warningsBefore = o.warnings.length;
    // strip deletes every map: none is parsed, shifted for decoys or handed to a transform.
    const mapsGo = o.sourcemaps === 'strip';
    // In name order, so that summaries, the gate's report and the work itself do not depend on
    // the order a bundler hands files over (a watch rebuild's differs from a fresh build's).
    const byName = [...files].sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
    const sorted = sortOutput(byName, { parseMaps: !mapsGo });
    const updates = new Map<string, string>();
    const summary: HardenSummary = { mode: o.sourcemaps, mapsRemoved: [], mapsHidden: [], mapsRewritten: [], commentsRemoved: [], decoys: null };

    this.lastPlant = null;
    this.lastManifest = null;
    if (o.decoys && !opts.decoysPlanted) {
      const js = [...sorted.code.values()].filter((c) => c.lang === 'js');
      const planted = await this.plantDecoys(js.map((c) => ({ fileName: c.fileName, code: c.code, map: c.mapFile && !mapsGo ? sorted.maps.get(c.mapFile)!.map : undefined })));
      for (const p of planted) {
        const entry = sorted.code.get(p.fileName)!;
        if (p.code === entry.code) continue;
        entry.code = p.code;
        entry.directives = undefined;
        updates.set(p.fileName, p.code);
        if (entry.mapFile && p.map && !sorted.maps.get(entry.mapFile)!.compressed) {
          sorted.maps.get(entry.mapFile)!.map = p.map;
          updates.set(entry.mapFile, serializeMap(p.map));
        }
      }
    }
    summary.decoys = this.lastPlant;

    if (o.sourcemaps === 'poison') this.poisoner ??= (await loadPoison()).poisonMap;
    if (o.sourcemaps !== 'keep') {
      // A map moved untouched keeps its exact bytes (error trackers may hash them).
      const originals = new Map(files.map((f) => [f.fileName, f.source]));
      const hiddenBytes = (mapFile: string | undefined, map: () => AnyMap): string | Uint8Array =>
        mapFile && !updates.has(mapFile) ? originals.get(mapFile)! : serializeMap(map());
      const hiddenWrites: Array<{ path: string; data: string | Uint8Array }> = [];
      for (const entry of sorted.code.values()) {
        const mapFile = entry.mapFile;
        const mapName = mapFile ?? entry.fileName + '.map';
        const result: PairResult = transformPair(o.sourcemaps, {
          fileName: entry.fileName,
          lang: entry.lang,
          code: entry.code,
          directives: entry.directives,
          map: mapFile && !mapsGo ? sorted.maps.get(mapFile)!.map : undefined,
          paths: { mapPath: join(outDir ?? o.projectRoot, mapName), projectRoot: o.projectRoot },
          // Only external maps are poisoned: an inline map cannot be told apart from a leak by the gate.
          poison: mapFile ? (map, code) => this.poison(map, code, mapName) : undefined,
        });
        if (result.code !== entry.code) {
          entry.code = result.code;
          entry.directives = undefined;
          updates.set(entry.fileName, result.code);
        }
        for (const d of result.removed) summary.commentsRemoved.push({ file: entry.fileName, kind: d.kind });
        const hiddenMap = result.hiddenMap;
        if (hiddenMap) hiddenWrites.push({ path: this.hiddenPath(mapName, outDir), data: hiddenBytes(mapFile, () => hiddenMap) });
        if (result.hadInlineMap && (o.sourcemaps === 'nosources' || o.sourcemaps === 'poison')) summary.mapsRewritten.push(entry.fileName);
        if (mapFile) {
          if (result.dropMap) sorted.maps.get(mapFile)!.owner = '\0dropped';
          else if (result.map && !sorted.maps.get(mapFile)!.compressed) {
            sorted.maps.get(mapFile)!.map = result.map;
            updates.set(mapFile, serializeMap(result.map));
            summary.mapsRewritten.push(mapFile);
          }
        }
      }
      // Maps with no code file of their own (the incident's form) follow the same mode.
      for (const m of sorted.maps.values()) {
        if (m.owner === '\0dropped') {
          summary.mapsRemoved.push(m.fileName);
          if (o.sourcemaps === 'hidden') summary.mapsHidden.push(this.hiddenPath(m.fileName, outDir));
          continue;
        }
        if (m.owner) continue;
        if (o.sourcemaps === 'strip' || o.sourcemaps === 'hidden') {
          summary.mapsRemoved.push(m.fileName);
          if (o.sourcemaps === 'hidden') hiddenWrites.push({ path: this.hiddenPath(m.fileName, outDir), data: hiddenBytes(m.fileName, () => m.map) });
        } else if (!m.compressed) {
          // (A compressed map cannot be rewritten in place; the gate reports it if it leaks.)
          const r = transformPair(o.sourcemaps, {
            fileName: m.fileName,
            lang: 'js',
            code: '',
            map: m.map,
            paths: { mapPath: join(outDir ?? o.projectRoot, m.fileName), projectRoot: o.projectRoot },
          });
          if (r.map) {
            updates.set(m.fileName, serializeMap(r.map));
            summary.mapsRewritten.push(m.fileName);
          }
        }
      }
      for (const w of hiddenWrites) {
        if (!summary.mapsHidden.includes(w.path)) summary.mapsHidden.push(w.path);
        await mkdir(dirname(w.path), { recursive: true });
        await writeFile(w.path, w.data);
      }
    }

    const deletes = summary.mapsRemoved;
    for (const d of deletes) updates.delete(d);
    let gate: GateResult | null = null;
    if (o.failOnLeak) {
      const dropped = new Set(deletes);
      const final = files
        .filter((f) => !dropped.has(f.fileName))
        .map((f) => ({ fileName: f.fileName, source: updates.get(f.fileName) ?? f.source }));
      gate = await this.gate(final, { outDir });
    }
    return { updates, deletes, gate, summary, warnings: o.warnings.slice(warningsBefore) };
  }

  async gate(files: readonly OutputFile[], opts: { outDir?: string } = {}): Promise<GateResult> {
    const o = this.options;
    const outDir = opts.outDir ?? o.outDir ?? o.projectRoot;
    const displayRoot = relative(o.projectRoot, outDir).split(sep).join('/');
    const report = await scanOutputFiles(files, { displayRoot, forbid: o.forbid });
    const poisoned = this.verifiedPoisoned(files, displayRoot);
    return judgeReport(report, { mode: o.sourcemaps, bundler: o.bundler, poisonedMaps: poisoned });
  }

  /** Where a hidden map goes: hiddenDir + its output path (project-relative when the output is inside the project). */
  private hiddenPath(mapName: string, outDir: string | undefined): string {
    const o = this.options;
    const prefix = outDir && isInside(outDir, o.projectRoot) ? relative(o.projectRoot, outDir) : '';
    return join(o.hiddenDir, prefix, ...mapName.split('/'));
  }

  private poison(map: AnyMap, code: string, mapName: string): AnyMap {
    const { map: poisoned, decoySources } = this.poisoner!(map, code, this.poisonDecoys);
    if (decoySources.length > 0) this.poisonedMaps.set(mapName, decoySources);
    return poisoned;
  }

  /** Poisoned maps whose only sources with content are the decoy sources we added (checked on the final text). */
  private verifiedPoisoned(files: readonly OutputFile[], displayRoot: string): Set<string> {
    const ok = new Set<string>();
    for (const f of files) {
      const decoySources = this.poisonedMaps.get(f.fileName);
      if (!decoySources) continue;
      const map = parseSourceMap(textOf(f.source));
      if (!map || isIndexMap(map)) continue;
      const content = map.sourcesContent ?? [];
      const clean = content.every((c, i) => c == null || c === '' || decoySources.includes(map.sources[i] ?? ''));
      if (clean) ok.add(displayRoot ? `${displayRoot}/${f.fileName}` : f.fileName);
    }
    return ok;
  }
}

export { textOf };
