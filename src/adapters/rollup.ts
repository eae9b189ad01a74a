import type { OutputBundle, Plugin } from 'rollup';
import { rollupIsProduction, type PillboxOptions } from '../core/plugin-options.js';
import { RollupFamilyCore, type BundleEntry } from '../harden/rollup-family.js';

// pillbox for rollup 4: `plugins: [pillbox(options)]`. Production = not in watch mode.
// Everything happens in generateBundle (order 'post'): after @rollup/plugin-terser and every
// other renderChunk, with the map assets rollup emitted already in the bundle. In strip mode
// outputOptions also has rollup build no maps (see RollupFamilyCore.outputOptions).
export default function pillbox(options: PillboxOptions = {}): Plugin {
  const core = new RollupFamilyCore(options, 'rollup', () => ({ projectRoot: process.cwd() }), (ctx) => rollupIsProduction(ctx.meta));
  return {
    name: 'pillbox',
    buildStart() {
      core.start(this);
    },
    outputOptions(outputOptions) {
      return core.outputOptions(this, outputOptions);
    },
    generateBundle: {
      order: 'post',
      async handler(outputOptions, bundle: OutputBundle) {
        await core.generate(this, outputOptions, bundle as unknown as Record<string, BundleEntry>);
      },
    },
  };
}
