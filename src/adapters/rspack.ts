import type { Compiler, RspackPluginInstance } from '@rspack/core';
import type { PillboxOptions } from '../core/plugin-options.js';
import { applyPillbox, type CompilerLike } from './webpack-family.js';

// pillbox for rspack: `plugins: [pillbox(options)]`. rspack mirrors webpack 5's processAssets
// stages, RawSource, WebpackError, deleteAsset and updateAsset, so the webpack code serves
// both. Production = `mode: 'production'` (or unset). See webpack-family.ts.
export default function pillbox(options: PillboxOptions = {}): RspackPluginInstance {
  return {
    name: 'pillbox',
    apply(compiler: Compiler) {
      applyPillbox(compiler as unknown as CompilerLike, options, 'rspack');
    },
  };
}
