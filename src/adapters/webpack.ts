import type { Compiler, WebpackPluginInstance } from 'webpack';
import type { PillboxOptions } from '../core/plugin-options.js';
import { applyPillbox, type CompilerLike } from './webpack-family.js';

// pillbox for webpack 5: `plugins: [pillbox(options)]` (a factory, like every other adapter).
// Production = `mode: 'production'` (or unset: webpack's own default). See webpack-family.ts.
export default function pillbox(options: PillboxOptions = {}): WebpackPluginInstance {
  return {
    name: 'pillbox',
    apply(compiler: Compiler) {
      applyPillbox(compiler as unknown as CompilerLike, options, 'webpack');
    },
  };
}
