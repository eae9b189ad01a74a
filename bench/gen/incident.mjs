// The incident's shape: one package holding a ~13 MB minified CLI bundle, its orphan ~60 MB map
// (no reference comment) whose ~4,800 sources all carry content (~1,900 first-party TypeScript
// files, the rest bundled node_modules; about a million lines), and ~30 MB of native binaries.
// Built with the real esbuild from a generated project.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './build.mjs';
import { nodeBinarySlice, noiseImage } from './binaries.mjs';
import { writeSyntheticProject } from './synthetic-project.mjs';
import { writeTarball } from './tarball.mjs';

const MiB = 1024 * 1024;

export async function generateIncident(outDir) {
  const work = join(outDir, 'work');
  const entry = writeSyntheticProject(work, { seed: 2188, firstParty: 1900, thirdParty: 2900, meanBytes: 7800 });
  const out = await bundle({ entry, outName: 'cli.js', sourcemap: 'external', banner: '#!/usr/bin/env node' });
  rmSync(work, { recursive: true, force: true });
  const platforms = ['x64-linux', 'arm64-linux', 'x64-darwin', 'arm64-darwin', 'x64-win32'];
  const entries = [
    { name: 'package.json', data: JSON.stringify({ name: '@example/agent-cli', version: '2.1.88', bin: { agent: 'cli.js' } }, null, 2) + '\n' },
    { name: 'README.md', data: '# agent-cli\n\nGenerated for pillbox\'s scan benchmark (incident shape).\n' },
    { name: 'cli.js', data: out['cli.js'] },
    { name: 'cli.js.map', data: out['cli.js.map'] },
    ...platforms.map((p, i) => ({ name: `vendor/ripgrep/${p}/rg${p.endsWith('win32') ? '.exe' : ''}`, data: nodeBinarySlice(i * 17 * MiB, 5 * MiB) })),
    { name: 'vendor/sharp/sharp.node', data: nodeBinarySlice(90 * MiB, 4 * MiB) },
    { name: 'yoga.wasm', data: noiseImage(7, 1 * MiB) },
  ];
  const file = await writeTarball(join(outDir, 'agent-cli-2.1.88.tgz'), entries);
  return [{ file, bytes: entries.reduce((n, e) => n + Buffer.byteLength(e.data), 0), entries: entries.length }];
}
