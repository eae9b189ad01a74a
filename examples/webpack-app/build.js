// `npm run build`: webpack's Node API with webpack.config.js (what webpack-cli would do).
const webpack = require('webpack');
const createConfig = require('./webpack.config.js');

const mode = process.argv.includes('--mode=development') ? 'development' : 'production';
let compiler;
try {
  compiler = webpack(createConfig({}, { mode }));
} catch (error) {
  // Bad plugin options, or decoys in production with no key: say so, without a stack.
  console.error(error.message);
  process.exit(1);
}
compiler.run((error, stats) => {
  if (error) {
    console.error(error);
    process.exitCode = 1;
    return;
  }
  console.log(stats.toString({ preset: 'minimal', colors: false, logging: 'info', loggingDebug: [] }));
  if (stats.hasErrors()) process.exitCode = 1;
  compiler.close(() => {});
});
