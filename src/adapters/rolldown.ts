import type { OutputBundle, Plugin } from 'rolldown';
import { rollupIsProduction, type PillboxOptions } from '../core/plugin-options.js';
import { RollupFamilyCore, type BundleEntry } from '../harden/rollup-family.js';

// pillbox for Rolldown: `plugins: [pillbox(options)]`. Production = not in watch mode.
// As for rollup, everything happens in generateBundle (order 'post'), after Rolldown's own
// minifier and every renderChunk, and in strip mode outputOptions has it build no maps.
export default function pillbox(options: PillboxOptions = {}): Plugin {
  // Rolldown has a project directory of its own (`cwd`, default process.cwd()).
  let cwd = process.cwd();
  const core = new RollupFamilyCore(options, 'rolldown', () => ({ projectRoot: cwd }), (ctx) => rollupIsProduction(ctx.meta));
  return {
    name: 'pillbox',
    buildStart(inputOptions) {
      cwd = inputOptions.cwd ?? cwd;
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
