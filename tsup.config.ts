import { defineConfig } from 'tsup';

// Bundlers are optional peer dependencies: never bundle them, and never let one adapter load another.
const external = ['rollup', 'vite', 'rolldown', 'esbuild', 'webpack', '@rspack/core'];

const adapters = ['rollup', 'vite', 'rolldown', 'esbuild', 'webpack', 'rspack'];

export default defineConfig([
  {
    // scan-worker: large files are analysed on it when ScanOptions.analysisWorker asks for it
    // (src/scan/worker-pool.ts; off by default).
    entry: { index: 'src/index.ts', cli: 'src/cli/main.ts', 'scan-worker': 'src/scan/worker.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    // We never ship our own maps (pillbox would flag them).
    sourcemap: false,
    target: 'node20',
    // import.meta.url in the CommonJS build.
    shims: true,
    splitting: true,
    external,
  },
  {
    entry: Object.fromEntries(adapters.map((name) => [name, `src/adapters/${name}.ts`])),
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    sourcemap: false,
    target: 'node20',
    // import.meta.url in the CommonJS build.
    shims: true,
    splitting: true,
    // require('pillbox/<bundler>') must return the factory itself, not { default }.
    cjsInterop: true,
    external,
  },
]);
