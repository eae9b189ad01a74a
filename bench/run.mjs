#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs every bench/*.bench.mjs in turn, each in its own
// process. `node bench/run.mjs scan` runs only those whose name contains "scan".
// Benches print their own numbers and PASS/OVER markers; this exits non-zero only when a bench
// crashes, so a slow machine does not look like a broken build.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((word) => f.includes(word)))
  .sort();

if (benches.length === 0) {
  console.error(`no bench/*.bench.mjs matches ${filters.join(' ') || '(any)'}`);
  process.exit(2);
}

const failed = [];
for (const bench of benches) {
  console.log(`\n# ${bench}`);
  const result = spawnSync(process.execPath, [join(here, bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed.push(`${bench} (exit ${result.status ?? result.signal})`);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
