// Bench 1 (issue 2, "Speed"): scanning a set of mixed-content tarballs takes at most 1.3x the
// time of merely gunzipping them (the readers' zlib chunk sizes), both measured in this run.

import { fileURLToPath } from 'node:url';
import { ensureGenerated } from './gen/cache.mjs';
import { generateMixed } from './gen/mixed.mjs';
import { runBench } from './scan-measure.mjs';

const made = await ensureGenerated(fileURLToPath(new URL('./.out/mixed', import.meta.url)), generateMixed);
runBench({ title: 'scan: mixed tarballs', made, maxRatio: 1.3 });
