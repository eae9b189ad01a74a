// The mixed-content tarball set: packages shaped like what npm holds, built with the real
// esbuild from installed libraries and generated sources. Each has a package.json and a README;
// between them: minified bundles, external maps with and without sourcesContent, linked and
// orphan maps, inline maps, CSS with its map, type declarations, native binaries and images.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundle, writeSyntheticCss } from './build.mjs';
import { nodeBinarySlice, noiseImage } from './binaries.mjs';
import { writeSyntheticProject } from './synthetic-project.mjs';
import { writeTarball } from './tarball.mjs';

const require = createRequire(import.meta.url);
const MiB = 1024 * 1024;

function pkgJson(name) {
  return JSON.stringify({ name, version: '1.0.0', main: 'dist/index.js', license: 'MIT' }, null, 2) + '\n';
}

function readme(name) {
  return `# ${name}\n\nGenerated for pillbox's scan benchmark.\n`;
}

function declarationsIn(dir, prefix) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.d.ts'))
    .sort()
    .map((f) => ({ name: `${prefix}/${f}`, data: readFileSync(join(dir, f)) }));
}

/** Each recipe returns a package's entries (paths relative to `package/`). */
const RECIPES = {
  // A library with a linked external map that carries its sources.
  async 'acorn-lib'() {
    const out = await bundle({ entry: require.resolve('acorn'), outName: 'index.js', sourcemap: 'linked' });
    return [
      { name: 'dist/index.js', data: out['index.js'] },
      { name: 'dist/index.js.map', data: out['index.js.map'] },
      { name: 'dist/acorn.d.ts', data: readFileSync(join(dirname(require.resolve('acorn')), 'acorn.d.ts')) },
    ];
  },
  // A linked map without sourcesContent (paths and names only).
  async 'terser-lib'() {
    const entry = join(dirname(require.resolve('terser/package.json')), 'main.js');
    const out = await bundle({ entry, outName: 'index.js', sourcemap: 'linked', sourcesContent: false });
    return [
      { name: 'dist/index.js', data: out['index.js'] },
      { name: 'dist/index.js.map', data: out['index.js.map'] },
      { name: 'dist/terser.d.ts', data: readFileSync(join(dirname(require.resolve('terser/package.json')), 'tools', 'terser.d.ts')) },
    ];
  },
  // A large compiler bundle with an orphan map without content, plus its lib declarations.
  async 'typescript-lib'() {
    const lib = dirname(require.resolve('typescript'));
    const out = await bundle({ entry: require.resolve('typescript'), outName: 'index.js', sourcemap: 'external', sourcesContent: false, format: 'cjs' });
    return [
      { name: 'dist/index.js', data: out['index.js'] },
      { name: 'dist/index.js.map', data: out['index.js.map'] },
      { name: 'dist/typescript.d.ts', data: readFileSync(join(lib, 'typescript.d.ts')) },
      ...declarationsIn(lib, 'lib').filter((e) => /\/lib\.[^/]+\.d\.ts$/.test(e.name)),
    ];
  },
  // A web app: generated TS bundled with a linked map holding its sources, CSS with its map,
  // images and fonts.
  async 'web-app'(work) {
    const entry = writeSyntheticProject(join(work, 'web-app'), { seed: 11, firstParty: 240, thirdParty: 120, meanBytes: 7000 });
    const js = await bundle({ entry, outName: 'app.js', sourcemap: 'linked' });
    const css = await bundle({ entry: writeSyntheticCss(join(work, 'web-app-css'), 12, 40, 120), outName: 'app.css', sourcemap: 'linked' });
    return [
      { name: 'dist/app.js', data: js['app.js'] },
      { name: 'dist/app.js.map', data: js['app.js.map'] },
      { name: 'dist/app.css', data: css['app.css'] },
      { name: 'dist/app.css.map', data: css['app.css.map'] },
      ...[0, 1, 2, 3].map((i) => ({ name: `dist/assets/hero${i}.png`, data: noiseImage(100 + i, 300 * 1024) })),
      ...[0, 1].map((i) => ({ name: `dist/assets/font${i}.woff2`, data: noiseImage(200 + i, 120 * 1024) })),
    ];
  },
  // Type declarations only.
  async 'node-types'() {
    const dir = dirname(require.resolve('@types/node/package.json'));
    return declarationsIn(dir, 'types');
  },
  // A CLI shipping native binaries beside a small bundle with no map.
  async 'native-cli'() {
    const out = await bundle({ entry: require.resolve('commander'), outName: 'cli.js', sourcemap: false, format: 'cjs', banner: '#!/usr/bin/env node' });
    return [
      { name: 'dist/cli.js', data: out['cli.js'] },
      { name: 'vendor/x64-linux/helper', data: nodeBinarySlice(0, 6 * MiB) },
      { name: 'vendor/arm64-darwin/helper', data: nodeBinarySlice(24 * MiB, 6 * MiB) },
      { name: 'vendor/x64-win32/helper.exe', data: nodeBinarySlice(48 * MiB, 5 * MiB) },
      { name: 'build/Release/addon.node', data: nodeBinarySlice(72 * MiB, 2 * MiB) },
    ];
  },
  // Development builds with inline (data: URI) maps holding their sources.
  async 'inline-tools'() {
    const entries = [];
    for (const [pkg, format] of [['magic-string', 'esm'], ['ajv', 'cjs'], ['postcss', 'cjs'], ['picomatch', 'cjs']]) {
      const out = await bundle({ entry: require.resolve(pkg), outName: `${pkg}.js`, sourcemap: 'inline', format });
      entries.push({ name: `dist/${pkg}.js`, data: out[`${pkg}.js`] });
    }
    return entries;
  },
  // An incident in miniature: an orphan map with content beside its bundle.
  async 'agent-cli-small'(work) {
    const entry = writeSyntheticProject(join(work, 'agent-cli-small'), { seed: 21, firstParty: 300, thirdParty: 200, meanBytes: 7800 });
    const out = await bundle({ entry, outName: 'cli.js', sourcemap: 'external', banner: '#!/usr/bin/env node' });
    return [
      { name: 'cli.js', data: out['cli.js'] },
      { name: 'cli.js.map', data: out['cli.js.map'] },
      { name: 'vendor/rg', data: nodeBinarySlice(12 * MiB, 4 * MiB) },
    ];
  },
};

/** Builds every mixed tarball into `outDir`; returns their paths and sizes. */
export async function generateMixed(outDir) {
  const work = join(outDir, 'work');
  const made = [];
  for (const [name, recipe] of Object.entries(RECIPES)) {
    const entries = [{ name: 'package.json', data: pkgJson(name) }, { name: 'README.md', data: readme(name) }, ...(await recipe(work))];
    const file = await writeTarball(join(outDir, `${name}.tgz`), entries);
    made.push({ file, bytes: entries.reduce((n, e) => n + Buffer.byteLength(e.data), 0), entries: entries.length });
  }
  rmSync(work, { recursive: true, force: true });
  return made;
}
