import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import { viteIsProduction, type PillboxOptions } from '../core/plugin-options.js';
import { writeEdits } from '../harden/directory.js';
import type { OutputFile } from '../harden/index.js';
import { RollupFamilyCore, type BundleEntry } from '../harden/rollup-family.js';

// pillbox for Vite: `plugins: [pillbox(options)]`. Build only (nothing in the dev server), run
// last (enforce 'post' + generateBundle order 'post', after Vite's minifier). Worker bundles and
// CSS reach the main build's bundle as assets, so they are covered here too. Files Vite copies
// from `public/` never enter the bundle: they are handled on disk once the bundle is written.
export default function pillbox(options: PillboxOptions = {}): Plugin {
  let config: ResolvedConfig | undefined;
  const core = new RollupFamilyCore(
    options,
    'vite',
    () => ({ projectRoot: config?.root ?? process.cwd(), outDir: config ? resolve(config.root, config.build.outDir) : undefined }),
    () => viteIsProduction(config?.command ?? 'build'),
  );
  return {
    name: 'pillbox',
    apply: 'build',
    enforce: 'post',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      core.start(this);
    },
    outputOptions(outputOptions) {
      return core.outputOptions(this, outputOptions);
    },
    generateBundle: {
      order: 'post',
      async handler(outputOptions, bundle) {
        await core.generate(this, outputOptions, bundle as unknown as Record<string, BundleEntry>);
      },
    },
    writeBundle: {
      order: 'post',
      async handler(outputOptions, bundle) {
        const session = core.current;
        if (!config || !session || session.inert || !config.publicDir || config.build.copyPublicDir === false || !outputOptions.dir) return;
        const outDir = resolve(config.root, outputOptions.dir);
        const copied = await publicCopies(config.publicDir, outDir, new Set(Object.keys(bundle)));
        if (copied.length === 0) return;
        const result = await session.processOutput(copied, { outDir, decoysPlanted: true });
        const errors = await writeEdits(outDir, result);
        for (const w of result.warnings) this.warn(w);
        if (errors.length > 0) this.error(errors.map((e) => e.message).join('\n'));
        if (result.gate && !result.gate.ok) this.error(result.gate.message);
      },
    },
  };
}

/** The files Vite copied from publicDir into outDir (read from outDir), bundle files excluded. */
async function publicCopies(publicDir: string, outDir: string, inBundle: Set<string>): Promise<OutputFile[]> {
  let names: string[];
  try {
    names = (await readdir(publicDir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => relative(publicDir, join(d.parentPath, d.name)).split(sep).join('/'));
  } catch {
    return [];
  }
  const out: OutputFile[] = [];
  for (const name of names) {
    if (inBundle.has(name)) continue;
    try {
      out.push({ fileName: name, source: await readFile(join(outDir, ...name.split('/'))) });
    } catch {
      // not copied (overridden by a bundle file, or filtered): nothing to do
    }
  }
  return out;
}
