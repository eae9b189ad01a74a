import terser from '@rollup/plugin-terser';
import pillbox from 'pillbox/rollup';

// Maps are on (so terser's output can be checked in development, where pillbox keeps them); in
// a production build pillbox has rollup skip them (strip would delete them), removes any
// reference that remains, and plants keyed decoys after terser.
// PILLBOX_KEY must be set for a production build: decoys need the key.
export default {
  input: { index: 'src/index.js', cli: 'src/cli.js' },
  output: { dir: 'dist', format: 'es', sourcemap: true },
  plugins: [terser(), pillbox({ decoys: { channel: 'npm' } })],
};
