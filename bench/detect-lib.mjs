// Shared by the detect bench scripts: bundle what they need straight from src/ with the real
// esbuild (the scripts then run without a build step), and walk a corpus of real text.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function loadSrc() {
  // Inside node_modules/.cache so that its imports resolve from this project.
  const outfile = join(ROOT, 'node_modules', '.cache', 'pillbox-bench', `detect-src-${process.pid}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  const entry = `
    export * from './src/detect/index.ts';
    export { buildDecoySet, learnStyle, scanChunk, plantDecoys } from './src/decoys/index.ts';
    export { NameIndex } from './src/decoys/names.ts';
    export { DEFAULT_STYLE } from './src/decoys/style.ts';
    export { generateKey, parseKey, keyId } from './src/core/key.ts';
    export { sealManifest } from './src/core/manifest-envelope.ts';
    export { buildAutomata } from './src/detect/automaton.ts';
    export { StreamMatcher } from './src/detect/stream-matcher.ts';
  `;
  await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href + `?t=${Date.now()}`);
}

const TEXT = /\.(?:m?js|cjs|ts|md|markdown|txt|json)$/i;

/** Text files of real code and prose under `dir` (sorted, so runs agree), up to `maxBytes`. */
export function corpusFiles(dir, maxBytes = Infinity) {
  const out = [];
  let total = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const e of entries) {
      if (total >= maxBytes) return;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name === '.cache' || e.name === '.bin') continue;
        walk(p);
      } else if (e.isFile() && TEXT.test(e.name)) {
        const size = statSync(p).size;
        if (size === 0 || size > 8 << 20) continue;
        out.push(p);
        total += size;
      }
    }
  };
  walk(dir);
  return { files: out, bytes: total };
}

export function writeJson(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

export function readText(path) {
  return readFileSync(path);
}
