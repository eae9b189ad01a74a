import { createRequire } from 'node:module';
import webpack, { type Configuration } from 'webpack';
import MiniCssExtractPlugin from 'mini-css-extract-plugin';
import pillbox from '../src/adapters/webpack.js';
import { webpackFamilySuite, type Config, type StatsLike } from './adapter-webpack-suite.js';

// Real webpack 5 builds (see adapter-webpack-suite.ts); CSS through css-loader and
// mini-css-extract-plugin.

const require = createRequire(import.meta.url);

webpackFamilySuite({
  name: 'webpack',
  run: (config: Config) =>
    new Promise<StatsLike>((resolve, reject) => {
      webpack(config as Configuration, (err, stats) => (err ? reject(err) : resolve(stats!)));
    }),
  create: (config: Config) => webpack(config as Configuration),
  plugin: (options) => pillbox(options),
  css: {
    rules: [{ test: /\.css$/, use: [MiniCssExtractPlugin.loader, require.resolve('css-loader')] }],
    plugins: [new MiniCssExtractPlugin()],
  },
  sourceName: (path) => `webpack://agent-fixture/${path}`,
});
