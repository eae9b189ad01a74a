import { defineConfig } from 'vite';
import pillbox from 'pillbox/vite';

export default defineConfig({
  build: {
    sourcemap: true,
    // Modern browsers only: no modulepreload polyfill (it also lets the test run the bundle in node).
    modulePreload: { polyfill: false },
  },
  worker: { format: 'es' },
  plugins: [
    // 'hidden': maps go to .pillbox/maps (upload them to your error tracker from there), and
    // nothing in dist/ points at them. Decoys are planted after Vite's minifier.
    pillbox({ sourcemaps: 'hidden', decoys: { channel: 'web' } }),
  ],
});
