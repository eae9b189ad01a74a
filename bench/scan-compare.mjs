#!/usr/bin/env node
// Compares builds on the scan benches' inputs, runs interleaved (gunzip, build A, build B, ...
// per round), so that load on a shared machine hits every build alike:
//   node bench/scan-compare.mjs incident|mixed path/to/a/index.js path/to/b/index.js [...]
// BENCH_RUNS=N rounds (default 7). Each build's findings summary must be identical to the
// first build's, or the comparison stops. Not a bench of its own (run.mjs does not pick it up).

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, median, runChild } from './scan-measure.mjs';

const [set, ...entries] = process.argv.slice(2);
if (!['incident', 'mixed'].includes(set) || entries.length === 0) {
  console.error('usage: node bench/scan-compare.mjs incident|mixed ENTRY [ENTRY...]  (inputs: run the scan benches once first)');
  process.exit(2);
}
const dir = fileURLToPath(new URL(`./.out/${set}/`, import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.tgz'))
  .sort()
  .map((f) => dir + f);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 7);

// Every scan is given its build, so no dist/ snapshot is made.
const child = (mode, entry) => runChild(mode, files, [], entry);

const summary = (r) => JSON.stringify({ findings: r.findings, codes: r.codes, errors: r.errors, exposure: r.exposure, sources: r.sources, files: r.files });
console.log(`${set}: ${files.length} tarballs; ${machine()}; ${RUNS} rounds`);
child('gunzip');
const expected = summary(child('scan', entries[0]));
for (const entry of entries.slice(1)) {
  if (summary(child('scan', entry)) !== expected) throw new Error(`${entry} reports differently from ${entries[0]}`);
}
const samples = entries.map(() => []);
const gunzips = [];
for (let i = 0; i < RUNS; i++) {
  gunzips.push(child('gunzip'));
  // Rotate the order each round: the first child after gunzip may find a warmer or colder cache.
  for (let k = 0; k < entries.length; k++) {
    const j = (i + k) % entries.length;
    samples[j].push(child('scan', entries[j]));
  }
}
const ms = (x) => `${x.toFixed(0)}`;
const g = median(gunzips.map((s) => s.ms));
console.log(`gunzip: wall ${ms(g)} ms (min ${ms(Math.min(...gunzips.map((s) => s.ms)))}), cpu ${ms(median(gunzips.map((s) => s.cpuMs)))} ms`);
entries.forEach((entry, j) => {
  const s = samples[j];
  const wall = median(s.map((x) => x.ms));
  const main = s[0].threads ? ` main ${ms(median(s.map((x) => x.threads[Object.keys(x.threads).find((k) => k.startsWith('main:'))])))}` : '';
  console.log(
    `${entry}: wall ${ms(wall)} ms (${(wall / g).toFixed(2)}x; min ${ms(Math.min(...s.map((x) => x.ms)))}; runs ${s.map((x) => ms(x.ms)).join(' ')}), cpu ${ms(median(s.map((x) => x.cpuMs)))}${main}, rss ${ms(Math.max(...s.map((x) => x.maxRssMiB)))} MiB`,
  );
});
