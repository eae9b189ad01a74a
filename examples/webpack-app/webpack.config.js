const path = require('node:path');
const pillbox = require('pillbox/webpack');

// Production: maps are built, then pillbox moves them to .pillbox/maps/ (outside dist/, for
// upload to an error tracker), leaves no reference to them in dist/, and plants keyed decoys
// after webpack's minifier. PILLBOX_KEY must be set for a production build.
module.exports = (env = {}, argv = {}) => {
  const mode = argv.mode ?? 'production';
  return {
    mode,
    context: __dirname,
    target: 'node20',
    entry: { server: './src/server.js' },
    devtool: 'source-map',
    output: {
      path: path.resolve(__dirname, env.outDir ?? 'dist'),
      filename: '[name].js',
      chunkFilename: 'chunks/[name].[contenthash:8].js',
      clean: true,
    },
    plugins: [
      pillbox({
        sourcemaps: mode === 'production' ? 'hidden' : 'keep',
        decoys: { channel: 'npm' },
        // The test builds variants elsewhere; a project would leave both at their defaults.
        hiddenDir: env.hiddenDir,
        manifestDir: env.manifestDir,
      }),
    ],
  };
};
