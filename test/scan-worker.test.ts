import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_MIN_BYTES } from '../src/scan/worker-pool.js';
import { scan } from '../src/scan/engine.js';
import { config, tempDir, write } from './scan-helpers.js';

// The analysis worker (large files off the main thread) gives the same report as in-process
// analysis. The worker is bundled from src/scan/worker.ts by esbuild, as tsup does for dist/.

let work: string;
let cleanup: () => void;
let workerUrl: URL;
let pkg: string;

beforeAll(async () => {
  ({ dir: work, cleanup } = tempDir('worker'));
  const out = join(work, 'scan-worker.mjs');
  await build({ entryPoints: [join(process.cwd(), 'src/scan/worker.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'silent' });
  workerUrl = pathToFileURL(out);
  // Large files (over the worker threshold) of each kind, plus small ones.
  const line = 'export function tool(input: string): string { return input.trim() + "TENGU_FLAG"; }\n';
  const source = line.repeat(Math.ceil(WORKER_MIN_BYTES / line.length) + 10);
  const sources = ['../src/a.ts', '../src/b.ts', '../node_modules/x/index.js'];
  const map = { version: 3, sources, sourcesContent: [source, source.slice(0, 1000), 'x'], names: [], mappings: 'AAAA;'.repeat(1000) };
  const inline = `console.log(1);\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
  pkg = join(work, 'pkg');
  write(pkg, {
    'dist/cli.js.map': JSON.stringify(map),
    'dist/inline.js': inline,
    'dist/small.js': 'console.log("hi");\n//# sourceMappingURL=small.js.map\n',
    'dist/huge.bin': Buffer.alloc(WORKER_MIN_BYTES + 1, 7),
  });
});

afterAll(() => cleanup?.());

describe('analysis worker', () => {
  it('gives the same report as in-process analysis, forbidden strings included', async () => {
    const cfg = config(['TENGU_FLAG', /tengu_f[a-z]+/i]);
    const inProcess = await scan([pkg], { cwd: work, config: cfg, analysisWorker: false });
    const onWorker = await scan([pkg], { cwd: work, config: cfg, analysisWorker: workerUrl });
    expect(onWorker).toEqual(inProcess);
    expect(inProcess.findings.map((f) => [f.path, f.code])).toEqual([
      ['pkg/dist/cli.js.map', 'forbidden-string'],
      ['pkg/dist/cli.js.map', 'forbidden-string'],
      ['pkg/dist/cli.js.map', 'source-map-with-content'],
      ['pkg/dist/inline.js', 'forbidden-string'],
      ['pkg/dist/inline.js', 'forbidden-string'],
      ['pkg/dist/inline.js', 'inline-source-map-with-content'],
      ['pkg/dist/small.js', 'dangling-reference'],
    ]);
  });

  it('a worker that cannot start leaves analysis in-process', async () => {
    const missing = pathToFileURL(join(work, 'no-such-worker.mjs'));
    const report = await scan([pkg], { cwd: work, analysisWorker: missing });
    expect(report.errors).toEqual([]);
    expect(report).toEqual(await scan([pkg], { cwd: work, analysisWorker: false }));
  });
});
