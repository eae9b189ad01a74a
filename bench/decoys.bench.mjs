// Bench (issue 3, "Speed"): decoy style analysis plus placement (`plantDecoys`, manifest write
// included) may add at most 10% to the build time of a large esbuild build (>= 5 MB minified
// output) and at most 5% to a rollup build. Both ratios are measured in this run, on this
// machine, as medians of a few runs; the full acorn parse that the byte scan replaces is timed
// too, for the record.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';
import { parse } from 'acorn';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(here, '.out', 'decoys');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

// The engine straight from src/ (the bench needs no dist/ build of it).
await esbuild.build({
  entryPoints: [join(root, 'src/decoys/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(out, 'engine.mjs'),
  logLevel: 'warning',
});
const engine = await import(pathToFileURL(join(out, 'engine.mjs')).href);
const key = Buffer.alloc(32, 0x5a);

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function measurePlant(chunks, label) {
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const manifestDir = join(out, `manifests-${label}-${i}`);
    const r = await time(() => engine.plantDecoys(chunks, { key, channel: 'bench', release: '1.0.0', manifestDir, onWarning: () => {} }));
    times.push(r.ms);
    result = r.value;
  }
  return { ms: median(times), result };
}

function report(title, buildMs, plantMs, limit, extra = '') {
  const ratio = plantMs / buildMs;
  const verdict = ratio <= limit ? 'PASS' : 'OVER';
  console.log(`${title}: build ${buildMs.toFixed(0)} ms, decoys ${plantMs.toFixed(0)} ms = +${(ratio * 100).toFixed(1)}% (limit ${limit * 100}%) ${verdict}${extra}`);
}

// 1. A large esbuild build: the TypeScript compiler API and its CLI, bundled and minified.
const require = createRequire(import.meta.url);
const entry = join(out, 'big-entry.mjs');
writeFileSync(
  entry,
  `export * as ts from ${JSON.stringify(require.resolve('typescript'))};\n` +
    `export * as tsc from ${JSON.stringify(join(dirname(require.resolve('typescript')), '_tsc.js'))};\n`,
);
const esbuildOptions = { entryPoints: [entry], bundle: true, minify: true, platform: 'node', format: 'esm', write: false, outdir: join(out, 'big'), logLevel: 'silent' };
await esbuild.build(esbuildOptions); // warm up
const buildTimes = [];
let built;
for (let i = 0; i < RUNS; i++) {
  const r = await time(() => esbuild.build(esbuildOptions));
  buildTimes.push(r.ms);
  built = r.value;
}
const bigChunks = built.outputFiles.map((f) => ({ fileName: f.path.slice(join(out, 'big').length + 1), code: f.text }));
const bytes = bigChunks.reduce((s, c) => s + c.code.length, 0);
await measurePlant(bigChunks, 'warm'); // warm the JIT like a second build in a watch session would
const big = await measurePlant(bigChunks, 'big');
report(`esbuild, ${(bytes / 1e6).toFixed(1)} MB minified`, median(buildTimes), big.ms, 0.1, `, ${big.result.planted} decoys`);

// Where the time goes, and what a full parse would cost instead of the byte scan.
const code = bigChunks[0].code;
const scan = await time(() => engine.scanChunk(code));
const style = await time(() => engine.learnStyle([{ code, scan: scan.value }]));
const acornParse = await time(() => parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
console.log(
  `  byte scan ${scan.ms.toFixed(0)} ms (${scan.value.hosts.length} hosts, ${scan.value.switches.length} switches, ${scan.value.names.size} names), ` +
    `style ${style.ms.toFixed(0)} ms; a full acorn parse of the same file: ${acornParse.ms.toFixed(0)} ms`,
);

// 2. A rollup build: vite's node build (ESM), dependencies external.
const viteEntry = join(dirname(require.resolve('vite/package.json')), 'dist/node/index.js');
const rollupTimes = [];
let rollupChunks;
for (let i = 0; i < RUNS + 1; i++) {
  const r = await time(async () => {
    const bundle = await rollup({ input: viteEntry, external: (id) => !id.startsWith('.') && !id.startsWith('/'), logLevel: 'silent' });
    const { output } = await bundle.generate({ format: 'es' });
    await bundle.close();
    return output.filter((o) => o.type === 'chunk').map((o) => ({ fileName: o.fileName, code: o.code }));
  });
  if (i > 0) rollupTimes.push(r.ms); // the first run warms up
  rollupChunks = r.value;
}
const rollupBytes = rollupChunks.reduce((s, c) => s + c.code.length, 0);
const rolled = await measurePlant(rollupChunks, 'rollup');
report(`rollup, ${(rollupBytes / 1e6).toFixed(1)} MB in ${rollupChunks.length} chunks`, median(rollupTimes), rolled.ms, 0.05, `, ${rolled.result.planted} decoys`);
rmSync(out, { recursive: true, force: true });
