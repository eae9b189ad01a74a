// Builds dist/ (`npm run build`) only when it is missing or older than what it is built from.
// `npm install` already builds in its prepare step, so `npm test`, `npm run demo` and
// `npm run bench` after it do not build the same thing twice (the DTS step alone is ~30 s here).
// As a module: `distIsStale()` and `buildIfStale()`; as a script: `node scripts/build-if-stale.mjs`.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** dist/ is missing, or something it is built from changed after it was built. */
export function distIsStale() {
  const built = ['index.js', 'cli.js'].map((f) => join(root, 'dist', f));
  if (!built.every((f) => existsSync(f))) return true;
  const builtAt = Math.min(...built.map((f) => statSync(f).mtimeMs));
  const inputs = [
    join(root, 'tsup.config.ts'),
    join(root, 'package.json'),
    ...readdirSync(join(root, 'src'), { recursive: true }).map((f) => join(root, 'src', String(f))),
  ];
  return inputs.some((f) => statSync(f).mtimeMs > builtAt);
}

/** Returns false when the build failed (its errors went to stderr). */
export function buildIfStale(log = (line) => console.log(line)) {
  if (!distIsStale()) return true;
  log('Building pillbox first (dist/ is missing or older than src/)...');
  const started = Date.now();
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) return false;
  log(`(built in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!buildIfStale()) {
    console.error('pillbox: `npm run build` failed');
    process.exit(2);
  }
}
