import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { webpackIsProduction, type PillboxOptions } from '../core/plugin-options.js';
import { createHardenSession, type HardenResult, type HardenSession, type OutputFile } from '../harden/index.js';
import { describe } from '../harden/rollup-family.js';

// The work shared by the webpack 5 and rspack adapters. Both hand a compilation's assets to
// `processAssets` taps in stage order; we tap once per compilation (thisCompilation: child
// compilers' assets reach the parent's anyway) at a stage after SourceMapDevToolPlugin
// (DEV_TOOLING) and the minimizers (OPTIMIZE_SIZE), so decoys go in after the last minifier
// and the map assets exist to delete. It is before OPTIMIZE_HASH, so `realContentHash`
// renames files after our edits, and before OPTIMIZE_TRANSFER, so compressed copies
// (.gz/.br) are made from the hardened files. Every class comes from `compiler.webpack`:
// no bundler is imported at runtime.

type AssetInfo = {
  related?: Record<string, string | string[] | null | undefined> | null;
  immutable?: boolean;
  contenthash?: string | string[] | null;
} & Record<string, unknown>;

interface AssetLike {
  name: string;
  source: { source(): string | Buffer | ArrayBuffer };
  info: AssetInfo;
}

interface CompilationLike {
  hooks: {
    processAssets: { tapPromise(options: { name: string; stage: number }, fn: (assets: unknown) => Promise<void>): void };
    afterProcessAssets: { tap(name: string, fn: (assets: unknown) => void): void };
  };
  getAssets(): readonly AssetLike[];
  deleteAsset(name: string): void;
  updateAsset(name: string, source: unknown, info?: (old: AssetInfo) => AssetInfo): void;
  errors: unknown[];
  warnings: unknown[];
  getLogger(name: string): { info(message: string): void };
}

/** The structural part of webpack's and rspack's Compiler we use. */
export interface CompilerLike {
  context: string;
  options: { mode?: string; context?: string; output: { path?: string }; optimization?: { realContentHash?: boolean } };
  webpack: {
    Compilation: { PROCESS_ASSETS_STAGE_DEV_TOOLING: number };
    sources: { RawSource: new (source: string) => unknown };
    WebpackError: new (message: string) => Error;
  };
  hooks: { thisCompilation: { tap(name: string, fn: (compilation: CompilationLike) => void): void } };
}

const NAME = 'pillbox';

export type Bundler = 'webpack' | 'rspack';

export function applyPillbox(compiler: CompilerLike, options: PillboxOptions | undefined, bundler: Bundler): void {
  // Bad options (or decoys in production with no key) fail here, when the compiler is created.
  // Defaults (mode, output.path) are applied after plugins, so the real session is made per
  // compilation, from the final options.
  const sessionFor = (): HardenSession =>
    createHardenSession(options, {
      production: webpackIsProduction(compiler.options.mode),
      projectRoot: compiler.options.context ?? compiler.context,
      outDir: compiler.options.output.path ? resolve(compiler.context, compiler.options.output.path) : undefined,
      bundler,
    });
  sessionFor();
  let warned = false;

  compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
    const session = sessionFor();
    // Option warnings once per compiler (not per watch rebuild); the decoy engine's, as they come.
    let shown = warned ? session.warnings.length : 0;
    warned = true;
    const flushWarnings = () => {
      for (const w of session.warnings.slice(shown)) compilation.warnings.push(new compiler.webpack.WebpackError(`${NAME}: ${w}`));
      shown = session.warnings.length;
    };
    flushWarnings();
    if (session.inert) return;
    const stage = compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_DEV_TOOLING + 1;
    // What our edits left for realContentHash to rename: hidden maps, decoy placements.
    let renamed: { hiddenMaps: string[]; hashes: Map<string, string[]> } | null = null;
    compilation.hooks.processAssets.tapPromise({ name: NAME, stage }, async () => {
      try {
        const result = await hardenAssets(compiler, compilation, session, bundler);
        flushWarnings();
        if (result.summary.mapsHidden.length > 0 || result.summary.decoys) {
          renamed = { hiddenMaps: result.summary.mapsHidden, hashes: contentHashes(compilation) };
        }
        if (result.gate && !result.gate.ok) compilation.errors.push(new compiler.webpack.WebpackError(result.gate.message));
        const line = describe(result);
        if (line) compilation.getLogger(NAME).info(line);
      } catch (error) {
        compilation.errors.push(new compiler.webpack.WebpackError(`${NAME} (${bundler}): ${error instanceof Error ? error.message : String(error)}`));
      }
    });
    // realContentHash (OPTIMIZE_HASH, after us) renames content-hashed files; the hidden maps,
    // written under the old names, follow, so that an error tracker can pair them by name.
    // The decoy manifest says where each decoy went: by the names the files ship under.
    compilation.hooks.afterProcessAssets.tap(NAME, () => {
      if (!renamed) return;
      try {
        const renames = hashRenames(renamed.hashes, contentHashes(compilation));
        if (renames.size === 0) return;
        const rename = (name: string) => [...renames].reduce((n, [from, to]) => n.split(from).join(to), name);
        session.renameDecoyFiles(rename);
        followRenames(renamed.hiddenMaps, rename, session.options.hiddenDir);
      } catch (error) {
        compilation.errors.push(new compiler.webpack.WebpackError(`${NAME} (${bundler}): ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  });
}

async function hardenAssets(compiler: CompilerLike, compilation: CompilationLike, session: HardenSession, bundler: Bundler): Promise<HardenResult> {
  const assets = compilation.getAssets();
  const files: OutputFile[] = assets.map((a) => ({ fileName: a.name, source: sourceOf(a) }));
  const outDir = compiler.options.output.path ? resolve(compiler.context, compiler.options.output.path) : undefined;
  const result = await session.processOutput(files, { outDir });

  const deleted = new Set(result.deletes);
  const namesFollowContent = compiler.options.optimization?.realContentHash === true;
  for (const name of result.deletes) compilation.deleteAsset(name);
  const { RawSource } = compiler.webpack.sources;
  for (const asset of compilation.getAssets()) {
    const text = result.updates.get(asset.name);
    const related = asset.info.related;
    const staleMapInfo = related?.sourceMap !== undefined && related.sourceMap !== null && namesOf(related.sourceMap).some((n) => deleted.has(n));
    if (text === undefined && !staleMapInfo) continue;
    // A code asset whose map left the build must not say it has one (stats, manifests, hashing).
    // Without realContentHash (development's default) a [contenthash] name was computed
    // before our edits: it no longer pins the content, and an `immutable` asset whose name
    // did not change would not be written again on a watch rebuild (leaving the last
    // build's decoys on disk).
    const staleImmutable = text !== undefined && asset.info.immutable === true && !namesFollowContent;
    const info =
      staleMapInfo || staleImmutable
        ? (old: AssetInfo): AssetInfo => {
            const next = staleMapInfo ? withoutMaps(old, deleted, bundler) : { ...old };
            if (staleImmutable) next.immutable = false;
            return next;
          }
        : undefined;
    compilation.updateAsset(asset.name, text === undefined ? (s: unknown) => s : new RawSource(text), info);
  }
  return result;
}

function sourceOf(asset: AssetLike): string | Uint8Array {
  const s = asset.source.source();
  if (typeof s === 'string') return s;
  return s instanceof ArrayBuffer ? new Uint8Array(s) : s;
}

function namesOf(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function withoutMaps(info: AssetInfo, deleted: ReadonlySet<string>, bundler: Bundler): AssetInfo {
  const related = { ...(info.related ?? {}) };
  const kept = related.sourceMap ? namesOf(related.sourceMap).filter((n) => !deleted.has(n)) : [];
  // webpack replaces the info with what we return; rspack merges it, so a key must be set to null to go.
  if (kept.length === 0 && bundler === 'webpack') delete related.sourceMap;
  else related.sourceMap = kept.length === 0 ? null : kept.length === 1 ? kept[0] : kept;
  return { ...info, related };
}

function hashesOf(info: AssetInfo): string[] {
  const h = info.contenthash;
  return h ? (Array.isArray(h) ? h : [h]) : [];
}

function contentHashes(compilation: CompilationLike): Map<string, string[]> {
  return new Map(compilation.getAssets().map((a) => [a.name, hashesOf(a.info)]));
}

/**
 * Old hash -> new hash, from the assets before and after realContentHash. It rewrites each
 * name's hashes in place and keeps their order in `info.contenthash`, so an asset is its old
 * self when the names match with the hashes masked.
 */
function hashRenames(before: ReadonlyMap<string, string[]>, after: ReadonlyMap<string, string[]>): Map<string, string> {
  const mask = (name: string, hashes: string[]) => hashes.length + '\0' + hashes.reduce((n, h) => n.split(h).join('\0'), name);
  const old = new Map<string, string[]>();
  for (const [name, hashes] of before) if (hashes.length > 0) old.set(mask(name, hashes), hashes);
  const renames = new Map<string, string>();
  for (const [name, hashes] of after) {
    const was = hashes.length > 0 ? old.get(mask(name, hashes)) : undefined;
    if (!was) continue;
    was.forEach((h, i) => {
      if (h !== hashes[i]) renames.set(h, hashes[i]);
    });
  }
  return renames;
}

function followRenames(maps: string[], rename: (name: string) => string, hiddenDir: string): void {
  for (const path of maps) {
    if (!path.startsWith(hiddenDir)) continue;
    const next = join(dirname(path), rename(basename(path)));
    if (next === path) continue;
    const map = JSON.parse(readFileSync(path, 'utf8')) as { file?: unknown };
    if (typeof map.file === 'string') map.file = rename(map.file);
    writeFileSync(next, JSON.stringify(map));
    unlinkSync(path);
  }
}
