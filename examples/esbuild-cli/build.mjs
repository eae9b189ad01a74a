// Builds dist/ with the esbuild JS API and the pillbox plugin, as a project would.
//   npm run build       production (minified): no maps (strip has esbuild skip building
//                       them), decoys planted after esbuild's minifier (PILLBOX_KEY must be
//                       set), and the build fails if anything the mode promised away is left
//                       in dist/
//   npm run build:dev   development (node build.mjs --dev): maps kept, no decoys
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import pillbox from 'pillbox/esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * @param {{ production?: boolean, outdir?: string, manifestDir?: string, sourcemaps?: string, logLevel?: esbuild.LogLevel }} [options]
 *   The test builds variants (development, a production build that keeps its maps) elsewhere.
 */
export async function build(options = {}) {
  const production = options.production ?? !process.argv.includes('--dev');
  return esbuild.build({
    absWorkingDir: here,
    entryPoints: ['src/cli.ts'],
    outdir: options.outdir ?? 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: production,
    sourcemap: true,
    logLevel: options.logLevel ?? 'info',
    plugins: [
      pillbox({
        sourcemaps: options.sourcemaps, // default: 'strip' in production, 'keep' in development
        // The key comes from PILLBOX_KEY (the CI secret store), never from this file.
        decoys: { channel: 'npm' },
        manifestDir: options.manifestDir,
        // Internal names that must never ship, in code or in a map.
        forbid: ['kestrel-internal'],
      }),
    ],
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await build();
