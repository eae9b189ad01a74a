import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { rolldown, type OutputOptions, type RolldownPlugin } from 'rolldown';
import { SourceMapConsumer } from 'source-map';
import pillbox from '../src/adapters/rolldown.js';
import { scan } from '../src/scan/engine.js';
import { AGENT_APP, expectSameFiles, listFiles, plainLeakSearch, tempDir, writeFiles } from './harden-helpers.js';

// Real Rolldown builds (its own minifier, code splitting, two entries). Rolldown's `cwd` option
// is the project root.

let root: string;
const dirs: Record<string, string> = {};

/** How many chunks had a map when the bundle reached generateBundle (before pillbox's, which runs last). */
const chunkMaps: Record<string, number> = {};

/** After pillbox: with `sourcemap`, turns the output's maps back on (strip then meets real maps); records chunkMaps. */
const after = (name: string, sourcemap?: OutputOptions['sourcemap']): RolldownPlugin => ({
  name: 'after-pillbox',
  outputOptions: (options) => (sourcemap ? { ...options, sourcemap } : null),
  generateBundle(_options, bundle) {
    chunkMaps[name] = Object.values(bundle).filter((e) => e.type === 'chunk' && e.map).length;
  },
});

async function build(outName: string, plugins: RolldownPlugin[], output: OutputOptions = {}): Promise<string> {
  const dir = join(root, outName);
  const bundle = await rolldown({
    cwd: root,
    input: { cli: join(root, 'src/cli.js'), server: join(root, 'src/server.js') },
    plugins,
    logLevel: 'silent',
  });
  try {
    await bundle.write({ dir, format: 'es', sourcemap: true, minify: true, ...output });
  } finally {
    await bundle.close();
  }
  return dir;
}

/** One node process per build: a CLI command and the server entry. */
const behaviour = (dir: string) =>
  execFileSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import('./cli.js'); console.log(await main(['run', 'list_directory', 'src'])); await import('./server.js');`], { cwd: dir, encoding: 'utf8' });

beforeAll(async () => {
  root = tempDir('rolldown');
  writeFiles(root, AGENT_APP);
  dirs.base = await build('base', []);
  // strip has Rolldown build no maps (tested below); these turn them back on after pillbox, so
  // that the strip transform meets real maps and comments.
  dirs.strip = await build('strip', [pillbox(), after('strip', true)]);
  dirs.stripInline = await build('strip-inline', [pillbox(), after('stripInline', 'inline')], { sourcemap: 'inline', minify: false });
  dirs.notBuilt = await build('not-built', [pillbox(), after('notBuilt')]);
  dirs.noMaps = await build('no-maps', [], { sourcemap: false });
  dirs.hidden = await build('hidden', [pillbox({ sourcemaps: 'hidden' })]);
  dirs.nosources = await build('nosources', [pillbox({ sourcemaps: 'nosources' })], { minify: false });
});

describe('rolldown adapter', () => {
  it('the built app behaves identically with and without the plugin', () => {
    const expected = behaviour(dirs.base);
    expect(expected).toContain('list_directory(src)');
    for (const name of ['strip', 'stripInline', 'notBuilt', 'hidden', 'nosources']) expect(behaviour(dirs[name]), name).toEqual(expected);
  });

  it('strip has Rolldown build no maps, which it would delete: the output is a build without maps, file for file', () => {
    const files = listFiles(dirs.noMaps);
    expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThanOrEqual(3);
    expectSameFiles(dirs.notBuilt, dirs.noMaps);
    expect(chunkMaps.notBuilt).toBe(0);
    // With the maps turned back on, there were maps to strip, and none are left.
    expect(chunkMaps.strip).toBeGreaterThanOrEqual(3);
    expect(chunkMaps.stripInline).toBeGreaterThanOrEqual(3);
    expect(listFiles(dirs.strip).filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it.each(['strip', 'stripInline', 'notBuilt', 'hidden'])('%s leaves no map and no reference (plain search and scanner)', async (name) => {
    expect(listFiles(dirs[name]).filter((f) => f.endsWith('.js')).length).toBeGreaterThanOrEqual(3);
    expect(plainLeakSearch(dirs[name])).toEqual([]);
    const report = await scan([dirs[name]], { cwd: root });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
  });

  it('hidden maps land in .pillbox/maps under the project root (rolldown cwd)', () => {
    const maps = listFiles(dirs.base).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThanOrEqual(3);
    for (const m of maps) expect(existsSync(join(root, '.pillbox/maps/hidden', m)), m).toBe(true);
  });

  it('nosources maps have no content and still map real code', async () => {
    const chunk = listFiles(dirs.nosources).find((f) => f.endsWith('.js') && readFileSync(join(dirs.nosources, f), 'utf8').includes('function describeFlag'))!;
    const lines = readFileSync(join(dirs.nosources, chunk), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('function describeFlag'));
    const column = lines[line].indexOf('describeFlag');
    const map = JSON.parse(readFileSync(join(dirs.nosources, chunk + '.map'), 'utf8'));
    expect(map.sourcesContent).toBeUndefined();
    const pos = await SourceMapConsumer.with(map, null, (c) => c.originalPositionFor({ line: line + 1, column }));
    expect(pos.source).toMatch(/src\/flags\.js$/);
    expect(AGENT_APP['src/flags.js'].split('\n')[pos.line! - 1]).toContain('export function describeFlag');
  });
});
