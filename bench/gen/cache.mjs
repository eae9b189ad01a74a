// Generated inputs live in bench/.out/ (gitignored) and are rebuilt only when the generator,
// Node (binaries are sliced from it) or esbuild changes.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { version as esbuildVersion } from 'esbuild';

/** Bump when a generator's output changes. */
export const GENERATOR_VERSION = 2;

/**
 * @param {string} dir e.g. bench/.out/mixed
 * @param {(dir: string) => Promise<Array<{ file: string, bytes: number, entries: number }>>} build
 */
export async function ensureGenerated(dir, build) {
  const stamp = join(dir, 'stamp.json');
  const want = { generator: GENERATOR_VERSION, node: process.version, esbuild: esbuildVersion };
  if (existsSync(stamp)) {
    const have = JSON.parse(readFileSync(stamp, 'utf8'));
    if (JSON.stringify(have.want) === JSON.stringify(want) && have.made.every((m) => existsSync(m.file))) return have.made;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  process.stderr.write(`generating ${dir} (once; cached afterwards)...\n`);
  const made = await build(dir);
  writeFileSync(stamp, JSON.stringify({ want, made }, null, 2));
  process.stderr.write(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return made;
}
