import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type InlineConfig, type Plugin } from 'vite';
import { transform } from 'esbuild';
import { SourceMapConsumer } from 'source-map';
import pillbox from '../src/adapters/vite.js';
import { scan } from '../src/scan/engine.js';
import { AGENT_APP, listFiles, plainLeakSearch, runNode, tempDir, writeFiles } from './harden-helpers.js';

// Real Vite 8 builds of a small web app with CSS, a worker and a lazily loaded module. The
// entry guards its DOM use so the same built file also runs under node, which is how the tests
// compare behaviour with and without the plugin.

let root: string;
const dirs: Record<string, string> = {};
/** What a plugin after pillbox saw of each build's output: its sourcemap option and whether a chunk had a map. */
const seen: Record<string, { sourcemap: unknown; chunkMaps: number }> = {};

/** Runs after pillbox: with `on`, turns the maps back on (strip then meets real maps); records what it sees. */
const after = (name: string, on: boolean): Plugin => ({
  name: 'after-pillbox',
  enforce: 'post',
  outputOptions: (options) => (on ? { ...options, sourcemap: true } : null),
  generateBundle(options, bundle) {
    seen[name] = { sourcemap: options.sourcemap, chunkMaps: Object.values(bundle).filter((e) => e.type === 'chunk' && e.map).length };
  },
});

const APP: Record<string, string> = {
  'package.json': AGENT_APP['package.json'],
  'src/tools.js': AGENT_APP['src/tools.js'],
  'src/flags.js': AGENT_APP['src/flags.js'],
  'src/runner.js': AGENT_APP['src/runner.js'],
  'index.html': '<!doctype html><html><body><div id="app"></div><script type="module" src="/src/main.js"></script></body></html>\n',
  'src/style.css': '.tool-list { display: grid; gap: 4px; }\n.tool-name { font-weight: 700; color: rebeccapurple; }\n',
  'src/worker.js': `
import { findTool } from './tools.js';
self.onmessage = (event) => self.postMessage(findTool(event.data).description);
`,
  'src/main.js': `
import './style.css';
import { TOOLS } from './tools.js';
import { resolveFlags, describeFlag } from './flags.js';

export async function summary() {
  const flags = resolveFlags({ agent_parallel_tools: true });
  const { runTool } = await import('./runner.js');
  const ran = await runTool('search_code', ['needle']);
  return [TOOLS.map((t) => t.name).join(','), ran, Object.keys(flags).map(describeFlag).join('|')].join('\\n');
}

if (typeof document !== 'undefined') {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.postMessage('read_file');
  summary().then((text) => { document.getElementById('app').textContent = text; });
} else {
  summary().then((text) => console.log(text));
}
`,
};

async function viteBuild(outName: string, plugins: InlineConfig['plugins'], build_: InlineConfig['build'] = {}): Promise<string> {
  const outDir = join(root, outName);
  await build({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins,
    worker: { format: 'es' },
    // The modulepreload polyfill touches document at load; off, so node can run the entry.
    build: { outDir, sourcemap: true, emptyOutDir: true, modulePreload: { polyfill: false }, ...build_ },
  });
  return outDir;
}

function entryOf(dir: string): string {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  return join(dir, /src="\/([^"]+\.js)"/.exec(html)![1]);
}

beforeAll(async () => {
  root = tempDir('vite');
  writeFiles(root, APP);
  // A prebuilt vendor script with its map in public/: Vite copies it outside the bundle.
  const vendor = await transform('export const vendorVersion = (major) => { return "v" + major; };\n', { sourcemap: 'external', sourcefile: 'vendor-src.js', format: 'esm', minify: true });
  writeFiles(root, { 'public/vendor.js': vendor.code + '//# sourceMappingURL=vendor.js.map\n', 'public/vendor.js.map': vendor.map });
  dirs.base = await viteBuild('base', []);
  // strip has Vite build no maps (tested below); this build turns them back on after pillbox,
  // so that the strip transform meets real maps and comments.
  dirs.strip = await viteBuild('strip', [pillbox(), after('strip', true)]);
  dirs.notBuilt = await viteBuild('not-built', [pillbox(), after('notBuilt', false)]);
  dirs.hidden = await viteBuild('hidden', [pillbox({ sourcemaps: 'hidden' })]);
  dirs.nosources = await viteBuild('nosources', [pillbox({ sourcemaps: 'nosources' })], { minify: false });
});

describe('vite adapter', () => {
  // Vite does not emit CSS maps in build (vitejs/vite#2830), so CSS here checks only that CSS
  // assets pass through untouched; CSS reference removal is covered by the esbuild-built harden tests.
  it('the base build really has JS and worker maps to strip, and CSS', () => {
    const files = listFiles(dirs.base);
    expect(files.some((f) => /worker.*\.js\.map$/.test(f))).toBe(true);
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    expect(files).toContain('vendor.js.map');
    expect(files.filter((f) => f.endsWith('.js.map')).length).toBeGreaterThanOrEqual(3);
  });

  it('the built app behaves identically with and without the plugin', () => {
    const expected = runNode(entryOf(dirs.base));
    expect(expected).toContain('search_code(needle)');
    for (const name of ['strip', 'notBuilt', 'hidden', 'nosources']) expect(runNode(entryOf(dirs[name])), name).toBe(expected);
  });

  it('strip has Vite build no maps for its chunks, which it would delete', () => {
    expect(seen.notBuilt).toEqual({ sourcemap: false, chunkMaps: 0 });
    // Turned back on by a later plugin, they are built, and stripped as before.
    expect(seen.strip.sourcemap).toBe(true);
    expect(seen.strip.chunkMaps).toBeGreaterThanOrEqual(2);
  });

  it.each(['strip', 'notBuilt', 'hidden'])('%s leaves no map and no reference in JS, CSS or the worker', async (name) => {
    const files = listFiles(dirs[name]);
    const css = files.find((f) => f.endsWith('.css'))!;
    expect(readFileSync(join(dirs[name], css), 'utf8')).toBe(readFileSync(join(dirs.base, css), 'utf8'));
    expect(files.some((f) => /worker.*\.js$/.test(f))).toBe(true);
    expect(plainLeakSearch(dirs[name])).toEqual([]);
    const report = await scan([dirs[name]], { cwd: root });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
  });

  it('hidden writes every map, the worker\'s included, under .pillbox/maps mirroring the output', () => {
    for (const f of listFiles(dirs.base).filter((x) => x.endsWith('.map'))) {
      expect(existsSync(join(root, '.pillbox/maps/hidden', f)), f).toBe(true);
    }
  });

  it('nosources keeps referenced maps without content, and they still map real code', async () => {
    const maps = listFiles(dirs.nosources).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThanOrEqual(3);
    for (const m of maps) expect(JSON.parse(readFileSync(join(dirs.nosources, m), 'utf8')).sourcesContent).toBeUndefined();
    const entry = entryOf(dirs.nosources);
    const lines = readFileSync(entry, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('function resolveFlags'));
    const column = lines[line].indexOf('resolveFlags');
    const map = JSON.parse(readFileSync(entry + '.map', 'utf8'));
    const pos = await SourceMapConsumer.with(map, null, (c) => c.originalPositionFor({ line: line + 1, column }));
    expect(pos.source).toMatch(/src\/flags\.js$/);
    expect(APP['src/flags.js'].split('\n')[pos.line! - 1]).toContain('export function resolveFlags');
    const report = await scan([dirs.nosources], { cwd: root });
    expect(report.findings.filter((f) => ['source-map-with-content', 'local-path'].includes(f.code))).toEqual([]);
  });
});
