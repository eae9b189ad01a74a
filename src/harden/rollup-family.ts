import { dirname, resolve } from 'node:path';
import { createHardenSession, type HardenResult, type HardenSession, type OutputFile } from './index.js';
import { sourcemapModeOf, type HardenContext, type PillboxOptions } from '../core/plugin-options.js';

// The output-stage work shared by the rollup, Rolldown and Vite adapters. All three hand
// `generateBundle` a mutable bundle of chunks and assets; we run last (`order: 'post'`), after
// every minifier's renderChunk, so decoys are planted after the last minifier and the map
// assets the bundler emitted are in the bundle to strip, move or rewrite. (In strip mode
// `outputOptions` has the bundler build none to begin with.)
//
// Decoys go in here rather than in renderChunk because a file's final text (reference comment
// included) only exists here. The chunk's file-name hash was computed before, so it does not
// cover the decoys; they are inert and deterministic per key and release, so equal names still
// mean equally behaving files.

/** The structural part of rollup's/Rolldown's bundle entries we touch. */
export interface BundleChunk {
  type: 'chunk';
  fileName: string;
  code: string;
  map?: unknown;
}
export interface BundleAsset {
  type: 'asset';
  fileName: string;
  source: string | Uint8Array;
}
export type BundleEntry = BundleChunk | BundleAsset;

export interface HookContext {
  meta: { watchMode?: boolean };
  warn(message: string): void;
  error(message: string): never;
  info?(message: string): void;
}

export interface OutputTarget {
  dir?: string;
  file?: string;
  sourcemap?: unknown;
}

/** Per plugin instance: a session created at buildStart (so bad options fail the build early). */
export class RollupFamilyCore {
  private session: HardenSession | null = null;
  private warned = false;
  /** The outputs (by `file` or `dir`) whose maps this plugin told the bundler not to build (see outputOptions). */
  private readonly mapsOff = new Set<string>();

  constructor(
    private readonly options: PillboxOptions | undefined,
    private readonly bundler: string,
    private readonly context: () => Omit<HardenContext, 'production' | 'bundler'>,
    private readonly isProduction: (ctx: HookContext) => boolean,
  ) {}

  /** The session of the build in progress (null before buildStart). */
  get current(): HardenSession | null {
    return this.session;
  }

  start(ctx: HookContext): HardenSession {
    const session = createHardenSession(this.options, { ...this.context(), production: this.isProduction(ctx), bundler: this.bundler });
    this.session = session;
    if (!this.warned) {
      for (const w of session.warnings) ctx.warn(w);
      this.warned = true;
    }
    return session;
  }

  /**
   * outputOptions: in `strip` mode every map would be deleted, so the bundler is told not to
   * build them, as the esbuild adapter does (building maps is a large share of a minified
   * build). A plugin after this one may turn them back on; they are then stripped as usual.
   * Rolldown (and Vite on it) runs this hook before buildStart, so the mode is read from the
   * options here, not from a session; bad options still fail at buildStart.
   */
  outputOptions<T extends { sourcemap?: unknown; file?: unknown; dir?: unknown }>(ctx: HookContext, options: T): T | null {
    if (sourcemapModeOf(this.options, this.isProduction(ctx)) !== 'strip' || !options.sourcemap) return null;
    this.mapsOff.add(outputKey(options));
    return { ...options, sourcemap: false };
  }

  /** generateBundle: plant, strip/move/rewrite, gate; edits the bundle in place. */
  async generate(ctx: HookContext, output: OutputTarget, bundle: Record<string, BundleEntry>): Promise<HardenResult | null> {
    const session = this.session ?? this.start(ctx);
    if (session.inert) return null;
    const root = session.options.projectRoot;
    const outDir = output.dir ? resolve(root, output.dir) : output.file ? dirname(resolve(root, output.file)) : session.options.outDir;
    const files: OutputFile[] = Object.values(bundle).map((e) => ({ fileName: e.fileName, source: e.type === 'chunk' ? e.code : e.source }));
    const result = await session.processOutput(files, { outDir });
    if (this.mapsOff.has(outputKey(output)) && !output.sourcemap) result.summary.mapsNotBuilt = true;
    applyToBundle(bundle, result);
    for (const w of result.warnings) ctx.warn(w);
    if (result.gate && !result.gate.ok) ctx.error(result.gate.message);
    const line = describe(result);
    if (line && ctx.info) ctx.info(line);
    return result;
  }
}

/** One output of a build, as both outputOptions and generateBundle see it. */
function outputKey(output: { file?: unknown; dir?: unknown }): string {
  return String(output.file ?? output.dir ?? '');
}

export function applyToBundle(bundle: Record<string, BundleEntry>, result: HardenResult): void {
  const byFileName = new Map(Object.entries(bundle).map(([key, e]) => [e.fileName, key]));
  for (const name of result.deletes) {
    const key = byFileName.get(name);
    if (key !== undefined) delete bundle[key];
  }
  const dropped = new Set(result.deletes);
  for (const [name, text] of result.updates) {
    const key = byFileName.get(name);
    const entry = key === undefined ? undefined : bundle[key];
    if (!entry) continue;
    if (entry.type === 'chunk') entry.code = text;
    else entry.source = text;
  }
  // A chunk whose map left the bundle no longer has one.
  for (const entry of Object.values(bundle)) {
    if (entry.type === 'chunk' && entry.map && dropped.has(entry.fileName + '.map')) entry.map = null;
  }
}

/** One line for the bundler's log, e.g. "strip: 3 maps removed, 3 comments removed; 16 decoys planted". */
export function describe(result: HardenResult): string {
  const s = result.summary;
  const parts: string[] = [];
  if (s.mapsNotBuilt) parts.push('maps not built');
  if (s.mapsRemoved.length) parts.push(`${s.mapsRemoved.length} map${s.mapsRemoved.length === 1 ? '' : 's'} removed`);
  if (s.mapsHidden.length) parts.push(`${s.mapsHidden.length} moved to the hidden dir`);
  if (s.mapsRewritten.length) parts.push(`${s.mapsRewritten.length} rewritten`);
  if (s.commentsRemoved.length) parts.push(`${s.commentsRemoved.length} comment${s.commentsRemoved.length === 1 ? '' : 's'} removed`);
  const decoys = s.decoys ? `; ${s.decoys.planted} decoys planted` : '';
  if (parts.length === 0 && !decoys) return '';
  return `pillbox ${s.mode}: ${parts.join(', ') || 'nothing to strip'}${decoys}`;
}
