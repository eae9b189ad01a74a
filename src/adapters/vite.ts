import { resolve } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import { viteIsProduction, type PillboxOptions } from '../core/plugin-options.js';
import { RollupFamilyCore, type BundleEntry } from '../harden/rollup-family.js';

// pillbox for Vite: `plugins: [pillbox(options)]`. Build only (nothing in the dev server), run
// last (enforce 'post' + generateBundle order 'post', after Vite's minifier). Worker bundles and
// CSS reach the main build's bundle as assets, so they are covered here too.
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
    generateBundle: {
      order: 'post',
      async handler(outputOptions, bundle) {
        await core.generate(this, outputOptions, bundle as unknown as Record<string, BundleEntry>);
      },
    },
  };
}
