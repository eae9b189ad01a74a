import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { rollup, type OutputOptions, type Plugin } from 'rollup';
import terserPlugin from '@rollup/plugin-terser';
import { SourceMapConsumer } from 'source-map';
import pillbox from '../src/adapters/rollup.js';
import { generateKey, parseKey } from '../src/core/key.js';
import { openManifest } from '../src/core/manifest-envelope.js';
import type { ManifestPlaintext } from '../src/core/decoy-types.js';
import { scan } from '../src/scan/engine.js';
import { AGENT_APP, expectSameFiles, listFiles, plainLeakSearch, tempDir, writeFiles } from './harden-helpers.js';

// Real rollup 4 builds of a small agent-like app: two entries, a dynamic import (code
// splitting), with and without @rollup/plugin-terser. The project root of a rollup build is
// the working directory, so the tests run from inside the fixture.

// Its types describe a CommonJS default export that NodeNext sees as a namespace.
const terser = terserPlugin as unknown as () => Plugin;

let root: string;
const cwd = process.cwd();
/** The bundler's info-level log lines per build (pillbox's summary line among them). */
const infos: Record<string, string[]> = {};

/** After pillbox: turns the output's maps back on, so that strip has real maps to take out. */
const mapsOn = (sourcemap: OutputOptions['sourcemap'] = true): Plugin => ({ name: 'maps-on', outputOptions: (options) => ({ ...options, sourcemap }) });

async function build(outName: string, plugins: Plugin[], output: Partial<OutputOptions> = {}): Promise<string> {
  const dir = join(root, outName);
  const bundle = await rollup({
    input: { cli: join(root, 'src/cli.js'), server: join(root, 'src/server.js') },
    plugins,
    onLog(level, log, handler) {
      // The decoy engine may say that a small app had room for fewer decoys than asked.
      if (level === 'warn' && /decoys: \d+ of \d+ decoys found no place/.test(log.message)) return;
      if (level === 'warn') throw new Error(`unexpected warning: ${log.message}`);
      if (level === 'info') (infos[outName] ??= []).push(log.message);
      else handler(level, log);
    },
  });
  try {
    await bundle.write({ dir, format: 'es', sourcemap: true, ...output });
  } finally {
    await bundle.close();
  }
  return dir;
}

/** One node process per build: the CLI's two commands and the server entry. */
function appBehaviour(dir: string): string {
  const script = `const { main } = await import('./cli.js');
console.log(await main(['tools', '--verbose']));
console.log(await main(['run', 'read_file', 'a.txt', '--parallel']));
await import('./server.js');`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
}

const dirs: Record<string, string> = {};
const KEY = generateKey();

/** The decoys the manifest says were placed, read back with the key (not through the plugin). */
function placedDecoyNames(manifest: string): string[] {
  const plain = openManifest<ManifestPlaintext>(parseKey(KEY), JSON.parse(readFileSync(manifest, 'utf8')));
  const ids = new Set(plain.placements.map((p) => p.decoyId));
  return plain.decoys.filter((d) => ids.has(d.id)).map((d) => d.name);
}

function allText(dir: string, ext = '.js'): string {
  return listFiles(dir)
    .filter((f) => f.endsWith(ext))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

beforeAll(async () => {
  root = tempDir('rollup');
  writeFiles(root, AGENT_APP);
  process.chdir(root);
  const absoluteSources: Partial<OutputOptions> = {
    sourcemapPathTransform: (rel, mapPath) => resolve(dirname(mapPath), rel),
  };
  dirs.base = await build('base', [terser()]);
  dirs.baseUnminified = await build('base-unminified', []);
  // strip has rollup build no maps (see the test of that below); these builds turn them back on
  // after pillbox, so that the strip transform meets real maps, comments and debug ids.
  dirs.strip = await build('strip', [terser(), pillbox(), mapsOn()]);
  dirs.stripUnminified = await build('strip-unminified', [pillbox(), mapsOn()], { sourcemapDebugIds: true });
  dirs.stripInline = await build('strip-inline', [terser(), pillbox(), mapsOn('inline')], { sourcemap: 'inline' });
  dirs.notBuilt = await build('not-built', [terser(), pillbox()]);
  dirs.noMaps = await build('no-maps', [terser()], { sourcemap: false });
  dirs.hidden = await build('hidden', [terser(), pillbox({ sourcemaps: 'hidden', hiddenDir: join(root, 'private-maps') })], { sourcemapDebugIds: true });
  dirs.nosources = await build('nosources', [pillbox({ sourcemaps: 'nosources' })], absoluteSources);
  dirs.nosourcesMin = await build('nosources-min', [terser(), pillbox({ sourcemaps: 'nosources' })], absoluteSources);
  dirs.keep = await build('keep', [terser(), pillbox({ sourcemaps: 'keep' })]);
  dirs.decoys = await build('decoys', [terser(), pillbox({ decoys: { key: KEY, channel: 'npm' } })]);
  dirs.poison = await build('poison', [terser(), pillbox({ sourcemaps: 'poison', decoys: { key: KEY } })], absoluteSources);
});

afterAll(() => {
  process.chdir(cwd);
});

describe('rollup adapter', () => {
  it('the built app behaves identically with and without the plugin', () => {
    const expected = appBehaviour(dirs.base);
    expect(expected).toContain('read_file(a.txt)');
    expect(expected).toContain('"tool":"search_code"');
    for (const name of ['strip', 'stripUnminified', 'stripInline', 'notBuilt', 'hidden', 'nosources', 'nosourcesMin', 'keep', 'decoys', 'poison']) {
      expect(appBehaviour(dirs[name]), name).toEqual(expected);
    }
  });

  it('code splitting and several entries: every chunk is covered', () => {
    const baseFiles = listFiles(dirs.base);
    expect(baseFiles.filter((f) => f.endsWith('.js')).length).toBeGreaterThanOrEqual(3);
    expect(baseFiles.filter((f) => f.endsWith('.map')).length).toBe(baseFiles.filter((f) => f.endsWith('.js')).length);
    expect(listFiles(dirs.strip)).toEqual(baseFiles.filter((f) => !f.endsWith('.map')));
  });

  it('strip has rollup build no maps, which it would delete: the output is a build without maps, file for file', () => {
    const files = listFiles(dirs.noMaps);
    expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThanOrEqual(3);
    expectSameFiles(dirs.notBuilt, dirs.noMaps);
    expect(infos['not-built']?.join('\n')).toMatch(/pillbox strip: maps not built/);
    // Turned back on by a later plugin, the maps are built and stripped as before.
    expect(infos.strip?.join('\n')).toMatch(/pillbox strip: \d+ maps removed, \d+ comments removed/);
    expect(infos.strip?.join('\n')).not.toMatch(/not built/);
  });

  it.each(['strip', 'stripUnminified', 'stripInline', 'notBuilt', 'decoys'])('%s leaves no map and no reference (plain search and scanner)', async (name) => {
    expect(plainLeakSearch(dirs[name])).toEqual([]);
    const report = await scan([dirs[name]], { cwd: root });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
  });

  it('hidden moves maps out of the output, mirroring paths, and keeps debugId comments', async () => {
    expect(plainLeakSearch(dirs.hidden, { allowDebugId: true })).toEqual([]);
    const js = listFiles(dirs.hidden).filter((f) => f.endsWith('.js'));
    let contents = '';
    for (const f of js) {
      expect(readFileSync(join(dirs.hidden, f), 'utf8')).toMatch(/\/\/# debugId=[0-9a-f-]{36}/);
      const hiddenMap = join(root, 'private-maps', 'hidden', f + '.map');
      expect(existsSync(hiddenMap), hiddenMap).toBe(true);
      const map = JSON.parse(readFileSync(hiddenMap, 'utf8'));
      expect(map.sources.length).toBe(map.sourcesContent.length);
      contents += map.sourcesContent.join('');
    }
    // The private maps are the real thing: every original module is recoverable from them.
    for (const src of ['tools', 'flags', 'runner', 'cli', 'server']) expect(contents).toContain(AGENT_APP[`src/${src}.js`].trim());
    const report = await scan([dirs.hidden], { cwd: root });
    expect(report.findings.filter((f) => f.code !== 'debug-id')).toEqual([]);
  });

  it('nosources keeps maps and references, with no content and no local paths', async () => {
    for (const dir of [dirs.nosources, dirs.nosourcesMin]) {
      const maps = listFiles(dir).filter((f) => f.endsWith('.map'));
      expect(maps.length).toBeGreaterThanOrEqual(3);
      for (const m of maps) {
        const text = readFileSync(join(dir, m), 'utf8');
        const map = JSON.parse(text);
        expect(map.sourcesContent).toBeUndefined();
        expect(text).not.toContain(root);
        for (const s of map.sources) expect(s).toMatch(/^\.\.\/src\/\w+\.js$/);
        expect(readFileSync(join(dir, m.replace(/\.map$/, '')), 'utf8')).toMatch(/\/\/# sourceMappingURL=\S+\.js\.map\s*$/);
      }
      const report = await scan([dir], { cwd: root });
      expect(report.findings.filter((f) => ['source-map-with-content', 'local-path'].includes(f.code))).toEqual([]);
    }
  });

  it('nosources maps still map real code to its original position', async () => {
    const original = AGENT_APP['src/flags.js'].split('\n');
    const declLine = original.findIndex((l) => l.includes('export function resolveFlags')) + 1;
    const chunk = listFiles(dirs.nosources).find((f) => f.endsWith('.js') && readFileSync(join(dirs.nosources, f), 'utf8').includes('function resolveFlags'))!;
    const code = readFileSync(join(dirs.nosources, chunk), 'utf8').split('\n');
    const genLine = code.findIndex((l) => l.includes('function resolveFlags')) + 1;
    const genColumn = code[genLine - 1].indexOf('resolveFlags');
    const map = JSON.parse(readFileSync(join(dirs.nosources, chunk + '.map'), 'utf8'));
    const pos = await SourceMapConsumer.with(map, null, (c) => c.originalPositionFor({ line: genLine, column: genColumn }));
    expect(pos.source).toBe('../src/flags.js');
    expect(pos.line).toBe(declLine);
    expect(original[pos.line! - 1].slice(pos.column!)).toMatch(/^resolveFlags/);

    // Minified: a string literal maps back to the tool table.
    const minChunk = listFiles(dirs.nosourcesMin).find((f) => f.endsWith('.js') && readFileSync(join(dirs.nosourcesMin, f), 'utf8').includes('list_directory'))!;
    const minCode = readFileSync(join(dirs.nosourcesMin, minChunk), 'utf8').split('\n');
    const line = minCode.findIndex((l) => l.includes('list_directory'));
    const column = minCode[line].indexOf('list_directory') - 1;
    const minMap = JSON.parse(readFileSync(join(dirs.nosourcesMin, minChunk + '.map'), 'utf8'));
    const minPos = await SourceMapConsumer.with(minMap, null, (c) => c.originalPositionFor({ line: line + 1, column, bias: SourceMapConsumer.LEAST_UPPER_BOUND }));
    expect(minPos.source).toBe('../src/tools.js');
    expect(AGENT_APP['src/tools.js'].split('\n')[minPos.line! - 1]).toContain('list_directory');
  });

  it('plants the keyed decoys after terser, in the release and channel the options name', () => {
    const manifest = join(root, '.pillbox/manifests/npm/3.1.4.json');
    expect(existsSync(manifest)).toBe(true);
    const names = placedDecoyNames(manifest);
    expect(names.length).toBeGreaterThanOrEqual(8);
    const shipped = allText(dirs.decoys);
    for (const name of names) expect(shipped, name).toContain(name);
    // Nothing of the kind before the plugin ran.
    const base = allText(dirs.base);
    for (const name of names) expect(base).not.toContain(name);
    // The key never ships.
    expect(shipped).not.toContain(KEY.slice(5));
  });

  it('poison: decoy sources mapped from the planted decoys, real code still maps, no real content', async () => {
    const names = placedDecoyNames(join(root, '.pillbox/manifests/default/3.1.4.json'));
    const maps = listFiles(dirs.poison).filter((f) => f.endsWith('.map'));
    const decoySources: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(dirs.poison, m), 'utf8'));
      const code = readFileSync(join(dirs.poison, m.replace(/\.map$/, '')), 'utf8');
      const used = new Set<string>();
      await SourceMapConsumer.with(map, null, (c) => c.eachMapping((e) => e.source && used.add(e.source)));
      map.sources.forEach((source: string, i: number) => {
        const content = map.sourcesContent?.[i];
        const real = Object.keys(AGENT_APP).some((f) => source === '../' + f);
        expect(real || content, `${m} ${source}`).toBeTruthy();
        if (real) {
          expect(content ?? null, `${m} ${source} leaks real content`).toBeNull();
          return;
        }
        decoySources.push(source);
        // Looks like the real tree, defines one planted decoy that the bundle holds, and is used by a mapping.
        expect(source).toMatch(/^\.\.\/src\/[a-z0-9-]+\.js$/);
        const defined = names.filter((n) => content.includes(`'${n}'`));
        expect(defined.length, source).toBeGreaterThanOrEqual(1);
        expect(code).toContain(defined[0]);
        expect(used.has(source), `${source} is mapped from the code`).toBe(true);
      });
    }
    expect(decoySources.length).toBeGreaterThanOrEqual(8);
    // Real code still maps where it did.
    const chunk = listFiles(dirs.poison).find((f) => f.endsWith('.js') && readFileSync(join(dirs.poison, f), 'utf8').includes('list_directory'))!;
    const lines = readFileSync(join(dirs.poison, chunk), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('list_directory'));
    const map = JSON.parse(readFileSync(join(dirs.poison, chunk + '.map'), 'utf8'));
    const pos = await SourceMapConsumer.with(map, null, (c) =>
      c.originalPositionFor({ line: line + 1, column: lines[line].indexOf('list_directory') - 1, bias: SourceMapConsumer.LEAST_UPPER_BOUND }),
    );
    expect(pos.source).toBe('../src/tools.js');
    expect(AGENT_APP['src/tools.js'].split('\n')[pos.line! - 1]).toContain('list_directory');
  });

  it('keep changes nothing', () => {
    for (const f of listFiles(dirs.base)) {
      expect(readFileSync(join(dirs.keep, f), 'utf8'), f).toBe(readFileSync(join(dirs.base, f), 'utf8'));
    }
  });

  it('the gate fails the build on a forbidden string, without printing it', async () => {
    const secret = 'computeChecksum';
    const err = await build('forbidden', [pillbox({ forbid: [secret] })]).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    expect(err!.message).toContain('forbidden-string');
    expect(err!.message).toContain('forbid[0]');
    expect(err!.message).not.toContain(secret);
  });

  it('watch mode is not production: nothing is stripped by default', async () => {
    const dir = join(root, 'watch');
    const plugin = pillbox();
    const ctx = { meta: { watchMode: true }, warn() {}, error(m: string): never { throw new Error(m); } };
    (plugin.buildStart as (this: unknown) => void).call(ctx);
    const bundle = { 'a.js': { type: 'chunk', fileName: 'a.js', code: 'x();\n//# sourceMappingURL=a.js.map\n' }, 'a.js.map': { type: 'asset', fileName: 'a.js.map', source: '{"version":3,"sources":[],"names":[],"mappings":""}' } };
    const gen = plugin.generateBundle as { handler: (this: unknown, o: OutputOptions, b: unknown) => Promise<void> };
    await gen.handler.call(ctx, { dir }, bundle);
    expect(Object.keys(bundle)).toEqual(['a.js', 'a.js.map']);
  });

  it('bad options fail at buildStart with a clear message', async () => {
    await expect(build('bad', [pillbox({ sourcemaps: 'nope' as never })])).rejects.toThrow(/sourcemaps must be one of strip, hidden, nosources, poison, keep/);
    await expect(build('bad2', [pillbox({ hiddenDir: 'x', sourcemaps: 'hidden', typo: 1 } as never)])).rejects.toThrow(/unknown option "typo"/);
  });
});
