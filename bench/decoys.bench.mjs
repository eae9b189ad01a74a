// Bench (issue 3, "Speed"): decoy style analysis plus placement (`plantDecoys`, manifest write
// included) may add at most 10% to the build time of a large esbuild build (>= 5 MB minified
// output) and at most 5% to a rollup build. Both ratios are measured in this run, on this
// machine, as medians of a few runs; the full acorn parse that the byte scan replaces is timed
// too, for the record.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';
import { parse } from 'acorn';
import { childrenCpuMs } from './proc-cpu.mjs';
import { median } from './scan-measure.mjs';

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
// The worker that scans the second half of chunks over 1 MiB is started by a process's second
// plant of such a chunk (see measurePlant) and used by the plants after it.
const require = createRequire(import.meta.url);

/** CPU milliseconds of this process, and of esbuild's service (a child process) from /proc. */
function cpuMs() {
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1000, child: childrenCpuMs('esbuild') };
}

async function time(fn) {
  const c = cpuMs();
  const t = performance.now();
  const value = await fn();
  const d = cpuMs();
  return { ms: performance.now() - t, cpu: d.self - c.self + (d.child - c.child), value };
}

async function measurePlant(chunks, label) {
  const times = [];
  const cpus = [];
  // The same calls with the scan in one piece (no worker), interleaved: what the split saves.
  const onePiece = [];
  let result;
  // One untimed call first: a process's second plant of a large chunk starts the scan worker,
  // and the timed calls are the builds after it (watch mode); the first call of a process, a
  // one-off build's, is timed apart ("first call"). The pause is the worker's start-up, which a
  // real rebuild's own I/O covers.
  await engine.plantDecoys(chunks, { key, channel: 'bench', release: '1.0.0', manifestDir: join(out, `manifests-${label}-second`), onWarning: () => {} });
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; i < RUNS; i++) {
    const manifestDir = join(out, `manifests-${label}-${i}`);
    const r = await time(() => engine.plantDecoys(chunks, { key, channel: 'bench', release: '1.0.0', manifestDir, onWarning: () => {} }));
    times.push(r.ms);
    cpus.push(r.cpu);
    result = r.value;
    engine.setSplitScans(false);
    const one = await time(() => engine.plantDecoys(chunks, { key, channel: 'bench', release: '1.0.0', manifestDir: `${manifestDir}-one`, onWarning: () => {} }));
    engine.setSplitScans(true);
    onePiece.push(one.ms);
  }
  return { ms: median(times), cpu: median(cpus), onePiece: median(onePiece), result };
}

/** The first call of a process: what a one-off production build pays (the verdict above is for the builds after it). */
function firstCall(ms, buildMs, limit) {
  const ratio = ms / buildMs;
  console.log(`  first call in a fresh process (a one-off build): decoys ${ms.toFixed(0)} ms = +${(ratio * 100).toFixed(1)}% (limit ${limit * 100}%) ${ratio <= limit ? 'PASS' : 'OVER'}`);
}

function report(title, build, plant, limit, extra = '') {
  const ratio = plant.ms / build.ms;
  const verdict = ratio <= limit ? 'PASS' : 'OVER';
  console.log(
    `${title}: build ${build.ms.toFixed(0)} ms, decoys (later builds of a process, median) ${plant.ms.toFixed(0)} ms = +${(ratio * 100).toFixed(1)}% (limit ${limit * 100}%) ${verdict}${extra}` +
      `\n  CPU time: build ${build.cpu.toFixed(0)} ms, decoys ${plant.cpu.toFixed(0)} ms = +${((plant.cpu / build.cpu) * 100).toFixed(1)}%; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores` +
      `\n  with every scan in one piece (no scan worker; interleaved): decoys ${plant.onePiece.toFixed(0)} ms = +${((plant.onePiece / build.ms) * 100).toFixed(1)}%`,
  );
}

// 1. A rollup build (first, so that its first decoy call is the first of the process): vite's node build (ESM), dependencies external.
const viteEntry = join(dirname(require.resolve('vite/package.json')), 'dist/node/index.js');
const rollupTimes = [];
const rollupCpus = [];
let rollupChunks;
for (let i = 0; i < RUNS + 1; i++) {
  const r = await time(async () => {
    const bundle = await rollup({ input: viteEntry, external: (id) => !id.startsWith('.') && !id.startsWith('/'), logLevel: 'silent' });
    const { output } = await bundle.generate({ format: 'es' });
    await bundle.close();
    return output.filter((o) => o.type === 'chunk').map((o) => ({ fileName: o.fileName, code: o.code }));
  });
  if (i > 0) {
    // the first run warms up
    rollupTimes.push(r.ms);
    rollupCpus.push(r.cpu);
  }
  rollupChunks = r.value;
}
const rollupBytes = rollupChunks.reduce((s, c) => s + c.code.length, 0);
const rollupCold = await time(() => engine.plantDecoys(rollupChunks, { key, channel: 'bench', release: '1.0.0', manifestDir: join(out, 'manifests-rollup-cold'), onWarning: () => {} }));
const rolled = await measurePlant(rollupChunks, 'rollup');
report(`rollup, ${(rollupBytes / 1e6).toFixed(1)} MB in ${rollupChunks.length} chunks`, { ms: median(rollupTimes), cpu: median(rollupCpus) }, rolled, 0.05, `, ${rolled.result.planted} decoys`);
firstCall(rollupCold.ms, median(rollupTimes), 0.05);

// 2. A large esbuild build: the TypeScript compiler API and its CLI, bundled and minified.
const entry = join(out, 'big-entry.mjs');
writeFileSync(
  entry,
  `export * as ts from ${JSON.stringify(require.resolve('typescript'))};\n` +
    `export * as tsc from ${JSON.stringify(join(dirname(require.resolve('typescript')), '_tsc.js'))};\n`,
);
const esbuildOptions = { entryPoints: [entry], bundle: true, minify: true, platform: 'node', format: 'esm', write: false, outdir: join(out, 'big'), logLevel: 'silent' };
await esbuild.build(esbuildOptions); // warm up
const buildTimes = [];
const buildCpus = [];
let built;
for (let i = 0; i < RUNS; i++) {
  const r = await time(() => esbuild.build(esbuildOptions));
  buildTimes.push(r.ms);
  buildCpus.push(r.cpu);
  built = r.value;
}
const bigChunks = built.outputFiles.map((f) => ({ fileName: f.path.slice(join(out, 'big').length + 1), code: f.text }));
const bytes = bigChunks.reduce((s, c) => s + c.code.length, 0);
// The first large chunk in a process is scanned partly before V8 has optimized the scan
// (rollup's chunks above are smaller): reported apart.
const cold = await time(() => engine.plantDecoys(bigChunks, { key, channel: 'bench', release: '1.0.0', manifestDir: join(out, 'manifests-cold'), onWarning: () => {} }));
const big = await measurePlant(bigChunks, 'big');
report(`esbuild, ${(bytes / 1e6).toFixed(1)} MB minified`, { ms: median(buildTimes), cpu: median(buildCpus) }, big, 0.1, `, ${big.result.planted} decoys`);
firstCall(cold.ms, median(buildTimes), 0.1);

// Where the time goes, and what a full parse would cost instead of the byte scan.
const code = bigChunks[0].code;
const scan = await time(() => engine.scanChunk(code));
const style = await time(() => engine.learnStyle([{ code, scan: scan.value }]));
const acornParse = await time(() => parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
console.log(
  `  byte scan ${scan.ms.toFixed(0)} ms (${scan.value.hosts.length} hosts, ${scan.value.switches.length} switches, ${scan.value.names.size} names), ` +
    `style ${style.ms.toFixed(0)} ms; a full acorn parse of the same file: ${acornParse.ms.toFixed(0)} ms`,
);

rmSync(out, { recursive: true, force: true });
