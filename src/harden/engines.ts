import type { Report, TargetSummary } from '../core/findings.js';
import { DEFAULT_CONFIG } from '../core/config-types.js';
import type { ForbidRule } from '../core/config-types.js';
import type { ResolvedDecoys } from '../core/plugin-options.js';
import { toMapObject, type AnyMap } from '../maps/sourcemap.js';
import { writeManifest } from '../core/manifest-store.js';
import type { ManifestPlaintext } from '../core/decoy-types.js';
import type { PoisonDecoy } from '../maps/poison.js';
import type { OutputFile } from './pairing.js';

// The two engines the harden core drives: the decoy engine (src/decoys) and the scanner
// (src/scan). Kept behind this file so the session does not depend on their internals.
// Loaded on demand, and started when a session is made (preloadEngines): a plugin's setup runs
// before the bundler builds, and esbuild builds in Go while our thread idles, so their loading
// (acorn, magic-string, picomatch and our own code: ~30 ms) is out of the build's way.

const once = <T>(load: () => Promise<T>) => {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
};
const loadDecoyEngine = once(() => import('../decoys/index.js'));
const loadScanner = once(() => Promise.all([import('../scan/engine.js'), import('../scan/readers/common.js'), import('../scan/readers/limits.js')]));
export const loadPoison = once(() => import('../maps/poison.js'));
const loadWarmUp = once(() => import('../decoys/warm-up.js'));
let warmingUp = false;
const warmUpDecoyEngine = once(async () => {
  warmingUp = true;
  await (await loadWarmUp()).warmUpDecoys();
});

/**
 * Start loading what a session will need (errors surface where the engine is used). With
 * `warmUp`, also run the decoy engine once on a made-up bundle, for bundlers that build off
 * Node's thread (esbuild): the real call then runs optimized code (see src/decoys/warm-up.ts).
 */
export function preloadEngines(need: { decoys: boolean; gate: boolean; poison: boolean; warmUp?: boolean }): void {
  const quiet = (p: Promise<unknown>) => void p.catch(() => undefined);
  if (need.decoys) quiet(loadDecoyEngine());
  if (need.decoys && need.warmUp) quiet(warmUpDecoyEngine());
  if (need.gate) quiet(loadScanner());
  if (need.poison) quiet(loadPoison());
}

export interface DecoyChunk {
  fileName: string;
  code: string;
  map?: AnyMap;
}

export interface PlantOutcome {
  chunks: DecoyChunk[];
  manifestPath: string;
  planted: number;
  decoyNames: string[];
  /** What the engine sealed at manifestPath. */
  manifest: ManifestPlaintext;
}

export async function plantWithEngine(
  chunks: DecoyChunk[],
  decoys: ResolvedDecoys,
  manifestDir: string,
  onWarning: (message: string) => void,
): Promise<PlantOutcome> {
  const { plantDecoys } = await loadDecoyEngine();
  // The real call runs now: a warm-up still going (the build ended early) stops at its next step.
  if (warmingUp) (await loadWarmUp()).stopWarmUp();
  const result = await plantDecoys(chunks, { key: decoys.key, channel: decoys.channel, release: decoys.release, count: decoys.count, manifestDir, onWarning });
  return {
    chunks: result.chunks.map((c) => ({ fileName: c.fileName, code: c.code, map: toMapObject(c.map) ?? undefined })),
    manifestPath: result.manifestPath,
    planted: result.planted,
    decoyNames: result.decoyNames,
    manifest: result.manifest,
  };
}

/** Scan files held in memory (fileNames relative to the output dir) as the scanner scans a directory. */
export async function scanOutputFiles(files: readonly OutputFile[], opts: { displayRoot: string; forbid: ForbidRule[] }): Promise<Report> {
  const [{ scanReaders }, { makeReader }, { resolveLimits }] = await loadScanner();
  const prefix = opts.displayRoot && opts.displayRoot !== '.' ? opts.displayRoot.replace(/\/+$/, '') + '/' : '';
  const summary: TargetSummary = { target: opts.displayRoot || '.', kind: 'directory', files: 0, bytes: 0 };
  const reader = makeReader({ summary, errors: [], limits: resolveLimits(undefined) }, async function* () {
    for (const f of files) {
      const bytes = typeof f.source === 'string' ? Buffer.from(f.source, 'utf8') : Buffer.from(f.source.buffer, f.source.byteOffset, f.source.byteLength);
      yield { path: prefix + f.fileName, packagePath: f.fileName, size: bytes.length, read: async () => bytes };
    }
  });
  return scanReaders([reader], { cwd: process.cwd(), config: { ...DEFAULT_CONFIG, failOn: 'low', forbid: opts.forbid } });
}

/**
 * Re-seals a build's manifest with its placements' file names rewritten (files renamed after
 * planting); returns what it wrote.
 */
export function renameManifestFiles(key: Buffer, manifestPath: string, plain: ManifestPlaintext, rename: (fileName: string) => string): ManifestPlaintext {
  const renamed = { ...plain, placements: plain.placements.map((p) => ({ ...p, file: rename(p.file) })) };
  writeManifest(manifestPath, key, renamed);
  return renamed;
}

/** The shipped decoys named, with their definitions, from a build's manifest (for poison maps). */
export function decoyDetails(plain: ManifestPlaintext, names: readonly string[]): PoisonDecoy[] {
  const wanted = new Set(names);
  const seen = new Set<string>();
  const out: PoisonDecoy[] = [];
  for (const d of plain.decoys) {
    if (d.control || d.retired || !wanted.has(d.name) || seen.has(d.name)) continue;
    seen.add(d.name);
    out.push(d.kind === 'tool' ? { name: d.name, kind: 'tool', description: d.description, parameters: d.parameters, required: d.required } : { name: d.name, kind: 'flag' });
  }
  return out;
}
