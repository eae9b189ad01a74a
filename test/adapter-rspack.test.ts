import { createRequire } from 'node:module';
import { rspack, type Configuration } from '@rspack/core';
import pillbox from '../src/adapters/rspack.js';
import { webpackFamilySuite, type Config, type StatsLike } from './adapter-webpack-suite.js';

// Real rspack builds (see adapter-webpack-suite.ts): the same app and checks as for webpack,
// with rspack's own minimizers (SWC, Lightning CSS) and its built-in CssExtractRspackPlugin.

const require = createRequire(import.meta.url);

webpackFamilySuite({
  name: 'rspack',
  run: (config: Config) =>
    new Promise<StatsLike>((resolve, reject) => {
      const compiler = rspack(config as Configuration);
      compiler.run((err, stats) => {
        compiler.close(() => (err ? reject(err) : resolve(stats as unknown as StatsLike)));
      });
    }),
  create: (config: Config) => rspack(config as Configuration),
  plugin: (options) => pillbox(options),
  css: {
    rules: [{ test: /\.css$/, use: [rspack.CssExtractRspackPlugin.loader, require.resolve('css-loader')], type: 'javascript/auto' }],
    plugins: [new rspack.CssExtractRspackPlugin()],
  },
  sourceName: (path) => `webpack://agent-fixture/${path}`,
});
