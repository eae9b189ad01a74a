import terser from '@rollup/plugin-terser';
import pillbox from 'pillbox/rollup';

// Maps are built (so terser's output can be checked in development), then pillbox strips them
// and every reference to them from the production build, and plants keyed decoys after terser.
// PILLBOX_KEY must be set for a production build: decoys need the key.
export default {
  input: { index: 'src/index.js', cli: 'src/cli.js' },
  output: { dir: 'dist', format: 'es', sourcemap: true },
  plugins: [terser(), pillbox({ decoys: { channel: 'npm' } })],
};
