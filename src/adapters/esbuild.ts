import { readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { BuildResult, Metafile, OutputFile as EsbuildOutputFile, PartialMessage, Plugin } from 'esbuild';
import { esbuildIsProduction, type PillboxOptions } from '../core/plugin-options.js';
import { createHardenSession, type HardenResult, type HardenSession, type OutputFile } from '../harden/index.js';
import { describe } from '../harden/rollup-family.js';

// pillbox for esbuild: `plugins: [pillbox(options)]`. esbuild has no per-chunk output hook, so
// everything happens in onEnd, after esbuild's own minify, over the whole output:
//   write: true (default)  esbuild has already written the files; we force `metafile: true`
//                          to learn which, then rewrite/unlink them on disk.
//   write: false           we edit `result.outputFiles` in place (contents replaced, maps spliced out).
// onEnd runs on every build, `context().rebuild()` and watch rebuild; each is processed once.
// Gate failures are RETURNED from onEnd: pushing into result.errors would not fail the build.

interface Round {
  /**
   * Output path (absolute) -> esbuild's own bytes, as we saw them before editing. Bytes, not
   * text: fs/promises decodes a large file into a rope that costs a full copy to read even its
   * first character, and strip never needs a map's text at all.
   */
  original: Map<string, Buffer>;
  /** Output path (absolute) -> what we left on disk (undefined: we deleted it). */
  written: Map<string, string | Buffer | undefined>;
}

export default function pillbox(options: PillboxOptions = {}): Plugin {
  return {
    name: 'pillbox',
    setup(build) {
      const initial = build.initialOptions;
      const projectRoot = initial.absWorkingDir ?? process.cwd();
      const outDir = initial.outdir
        ? resolve(projectRoot, initial.outdir)
        : initial.outfile
          ? dirname(resolve(projectRoot, initial.outfile))
          : undefined;
      // Created here so that bad options (or decoys in production with no key) fail at once.
      const session = createHardenSession(options, { production: esbuildIsProduction(initial), projectRoot, outDir, bundler: 'esbuild', buildsOffThread: true });
      // Option warnings once, the decoy engine's as they come: each on the first onEnd after it.
      let shown = 0;
      const warnings = (): PartialMessage[] => {
        const fresh = session.warnings.slice(shown).map((text) => ({ text, pluginName: 'pillbox' }));
        shown = session.warnings.length;
        return fresh;
      };
      if (session.inert) {
        build.onEnd(() => ({ warnings: warnings() }));
        return;
      }

      // The metafile lists what esbuild wrote. (A later plugin may still switch `write` off
      // in its own setup: onEnd goes by the result, which has outputFiles exactly then.)
      if (initial.write !== false) initial.metafile = true;
      // strip deletes every map and reference esbuild would write: esbuild need not build them.
      // Maps are about a third of a minified production build's time on the bench app
      // (bench/README.md, "Build plugins"). A plugin that reads maps before pillbox deletes
      // them (an error-tracker upload) needs `hidden`, which also keeps the `debugId` it
      // matches by. Whatever still brings a map (a later plugin, copied files) is stripped
      // and gated as before.
      const mapsNotBuilt = session.options.sourcemaps === 'strip' && initial.sourcemap !== undefined && initial.sourcemap !== false;
      if (mapsNotBuilt) initial.sourcemap = false;
      let previous: Round | null = null;

      build.onEnd(async (result) => {
        // esbuild wrote nothing (write: true) or the output is incomplete: leave it to esbuild's errors.
        if (result.errors.length > 0) return { warnings: warnings() };
        try {
          const base = outDir ?? projectRoot;
          const writes = result.outputFiles === undefined;
          let outcome: HardenResult | null;
          if (writes) {
            const round = await processOnDisk(session, result, projectRoot, base, previous);
            previous = round.round;
            outcome = round.outcome;
          } else {
            outcome = await processInMemory(session, result, base);
          }
          if (!outcome) return { warnings: warnings() };
          // (Unless a later plugin turned them back on in its setup: then they were stripped.)
          if (mapsNotBuilt && !initial.sourcemap) outcome.summary.mapsNotBuilt = true;
          if (outcome.gate && !outcome.gate.ok) {
            let text = outcome.gate.message;
            if (writes) {
              // Like esbuild on any other error, a failed build leaves no output behind.
              await removeAll(previous);
              previous = null;
              text += '\nThe files esbuild wrote for this build were removed.';
            }
            return { errors: [{ text, pluginName: 'pillbox' }], warnings: warnings() };
          }
          const line = describe(outcome);
          if (line && (initial.logLevel === 'info' || initial.logLevel === 'debug' || initial.logLevel === 'verbose')) {
            process.stderr.write(line + '\n');
          }
          return { warnings: warnings() };
        } catch (error) {
          return { errors: [{ text: error instanceof Error ? error.message : String(error), pluginName: 'pillbox' }], warnings: warnings() };
        }
      });
    },
  };
}

/** write: false — the files live in result.outputFiles; edit them there. */
async function processInMemory(session: HardenSession, result: BuildResult, base: string): Promise<HardenResult | null> {
  const outputs = result.outputFiles;
  if (!outputs || outputs.length === 0) return null;
  const byName = new Map<string, EsbuildOutputFile>();
  for (const f of outputs) byName.set(toFileName(base, f.path), f);
  const files: OutputFile[] = [...byName].map(([fileName, f]) => ({ fileName, source: f.contents }));
  const outcome = await session.processOutput(files, { outDir: base });
  const encoder = new TextEncoder();
  for (const [name, text] of outcome.updates) {
    const file = byName.get(name);
    // `text` is a getter over `contents`: replacing contents updates it.
    if (file) file.contents = encoder.encode(text);
  }
  const dropped = new Set(outcome.deletes.map((name) => byName.get(name)).filter((f) => f !== undefined));
  for (let i = outputs.length - 1; i >= 0; i--) {
    if (dropped.has(outputs[i])) outputs.splice(i, 1);
  }
  return outcome;
}

/** write: true — esbuild has written the files listed in the metafile; rewrite them on disk. */
async function processOnDisk(
  session: HardenSession,
  result: BuildResult,
  projectRoot: string,
  base: string,
  previous: Round | null,
): Promise<{ outcome: HardenResult | null; round: Round | null }> {
  const metafile = result.metafile;
  if (!metafile) throw new Error('pillbox (esbuild): no metafile in the build result; another plugin may have turned `metafile` off.');
  const paths = Object.keys(metafile.outputs).map((p) => resolve(projectRoot, p));
  if (paths.length === 0) return { outcome: null, round: null };

  const round: Round = { original: new Map(), written: new Map() };
  const files: OutputFile[] = [];
  const fileNames = new Map<string, string>();
  for (const path of paths) {
    const bytes = await readOutput(path, previous);
    round.original.set(path, bytes);
    const fileName = toFileName(base, path);
    fileNames.set(fileName, path);
    files.push({ fileName, source: bytes });
  }

  const outcome = await session.processOutput(files, { outDir: base });
  for (const name of outcome.deletes) {
    const path = fileNames.get(name);
    if (!path) continue;
    await unlink(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    round.written.set(path, undefined);
  }
  for (const [name, text] of outcome.updates) {
    const path = fileNames.get(name);
    if (!path) continue;
    await writeFile(path, text);
    round.written.set(path, text);
  }
  for (const path of paths) if (!round.written.has(path)) round.written.set(path, round.original.get(path));
  updateMetafile(metafile, projectRoot, round);
  return { outcome, round };
}

/**
 * esbuild's text for an output file. esbuild rewrites every output on every rebuild today;
 * should it ever skip an unchanged file, the disk still holds what we wrote last time (or
 * nothing, for a map we deleted) — then last round's original stands in, so a file is
 * never processed twice (decoys planted twice, a map looked for and not found).
 */
async function readOutput(path: string, previous: Round | null): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const deletedByUs = previous !== null && previous.written.has(path) && previous.written.get(path) === undefined;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && deletedByUs) return previous.original.get(path)!;
    throw new Error(`pillbox (esbuild): cannot read the output file ${path}: ${(e as Error).message}`);
  }
  const written = previous?.written.get(path);
  if (previous && written !== undefined && bytes.equals(Buffer.from(written)) && !previous.original.get(path)!.equals(bytes)) {
    return previous.original.get(path)!;
  }
  return bytes;
}

/** Keep result.metafile truthful for plugins and scripts that read it after us. */
function updateMetafile(metafile: Metafile, projectRoot: string, round: Round): void {
  for (const key of Object.keys(metafile.outputs)) {
    const path = resolve(projectRoot, key);
    if (!round.written.has(path)) continue;
    const text = round.written.get(path);
    if (text === undefined) delete metafile.outputs[key];
    else metafile.outputs[key].bytes = Buffer.byteLength(text);
  }
}

async function removeAll(round: Round | null): Promise<void> {
  if (!round) return;
  for (const path of round.written.keys()) {
    await unlink(path).catch(() => undefined);
  }
}

/** An output path as the core wants it: relative to the output dir, '/'-separated. */
function toFileName(base: string, path: string): string {
  const abs = isAbsolute(path) ? path : resolve(base, path);
  return relative(base, abs).split(sep).join('/');
}
