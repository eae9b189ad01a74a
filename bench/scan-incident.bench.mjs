// Bench 2 (issue 2, "Speed"): a tarball shaped like the incident (~60 MB map with ~4,800
// sources, all with content, a ~13 MB bundle, ~30 MB of binaries) scans in at most 1.5x its
// gunzip time (the readers' zlib chunk sizes, measured in this run), with peak RSS under 400 MB.

import { fileURLToPath } from 'node:url';
import { ensureGenerated } from './gen/cache.mjs';
import { generateIncident } from './gen/incident.mjs';
import { runBench } from './scan-measure.mjs';

const made = await ensureGenerated(fileURLToPath(new URL('./.out/incident', import.meta.url)), generateIncident);
runBench({ title: 'scan: incident-shaped tarball', made, maxRatio: 1.5, maxRssMB: 400 });
