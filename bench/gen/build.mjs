// The real bundler (esbuild) turns generated or installed sources into what packages ship:
// minified bundles, with external, linked, inline or no source maps, with or without content.

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { rng } from './prng.mjs';

/**
 * Bundles `entry` and returns the output files by base name (`cli.js`, `cli.js.map`).
 * @param {{ entry: string, outName: string, sourcemap: false | 'external' | 'linked' | 'inline', sourcesContent?: boolean, format?: 'esm' | 'cjs', banner?: string, loader?: string }} o
 */
export async function bundle(o) {
  const result = await esbuild.build({
    entryPoints: [o.entry],
    bundle: true,
    minify: true,
    write: false,
    format: o.outName.endsWith('.css') ? undefined : (o.format ?? 'esm'),
    platform: 'node',
    sourcemap: o.sourcemap,
    sourcesContent: o.sourcesContent ?? true,
    // Beside the entry (nothing is written), so that `sources` read `../src/...` as in a real build.
    outfile: join(dirname(o.entry), 'dist', o.outName),
    banner: o.banner ? { js: o.banner } : undefined,
    logLevel: 'error',
    logLimit: 5,
    legalComments: 'none',
  });
  const out = {};
  for (const f of result.outputFiles) out[basename(f.path)] = Buffer.from(f.contents);
  return out;
}

const PROPS = ['color', 'background', 'margin', 'padding', 'display', 'border', 'font-size', 'line-height', 'grid-template-columns', 'box-shadow', 'transition', 'width', 'max-width', 'gap'];
const VALUES = ['0', '1px solid #ddd', '4px 8px', 'flex', 'grid', 'none', '#1e1e2e', 'rgba(0,0,0,.25)', '1.5', '100%', 'auto', 'repeat(3, 1fr)', 'all .2s ease', '12px'];
const PARTS = ['app', 'header', 'nav', 'panel', 'card', 'button', 'input', 'modal', 'toast', 'list', 'item', 'icon', 'badge', 'tab', 'menu', 'footer', 'sidebar', 'editor'];

/** Writes `files` generated stylesheets under `dir` plus an index that imports them; returns the index. */
export function writeSyntheticCss(dir, seed, files, rulesPerFile) {
  const r = rng(seed);
  mkdirSync(dir, { recursive: true });
  const imports = [];
  for (let f = 0; f < files; f++) {
    const lines = [`/* ${r.pick(PARTS)} styles */`];
    for (let i = 0; i < rulesPerFile; i++) {
      const sel = `.${r.pick(PARTS)}-${r.pick(PARTS)}${r.chance(0.3) ? `:${r.pick(['hover', 'focus', 'active'])}` : ''}`;
      lines.push(`${sel} {`);
      for (let p = r.int(2, 7); p > 0; p--) lines.push(`  ${r.pick(PROPS)}: ${r.pick(VALUES)};`);
      lines.push('}', '');
    }
    const name = `part${f}.css`;
    writeFileSync(join(dir, name), lines.join('\n'));
    imports.push(`@import "./${name}";`);
  }
  const index = join(dir, 'index.css');
  writeFileSync(index, imports.join('\n') + '\n');
  return index;
}
