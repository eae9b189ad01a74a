import { beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import pillbox from '../src/adapters/esbuild.js';
import type { PillboxOptions } from '../src/core/plugin-options.js';
import { generateKey } from '../src/core/key.js';
import { warmUpStarted } from '../src/decoys/warm-up.js';
import { scan } from '../src/scan/engine.js';
import { AGENT_APP, expectSameFiles, listFiles, plainLeakSearch, runNode, tempDir, writeFiles } from './harden-helpers.js';
import { byExtension, decoyPresence, mapSources, originalOf, readManifest } from './adapter-webpack-shared.js';

// Real esbuild builds of the agent-like app: three entries (one imports CSS, so esbuild emits
// a CSS bundle with its own map), code splitting (a dynamic import and shared chunks), ESM for
// node, minified and not. esbuild has no worker bundling of its own: a worker is one more entry.

const APP: Record<string, string> = {
  ...AGENT_APP,
  'src/ui.css': '.agent-panel {\n  color: rebeccapurple;\n  padding: 4px;\n}\n',
  'src/ui.js': `
import './ui.css';
import { TOOLS } from './tools.js';
import { resolveFlags } from './flags.js';

console.log('ui ' + TOOLS.length + ' ' + JSON.stringify(resolveFlags({ agent_streaming_replies: 0 })));
`,
};

const KEY = generateKey();
let root: string;
const dirs: Record<string, string> = {};

function options(outName: string, extra: esbuild.BuildOptions = {}): esbuild.BuildOptions & { outdir: string } {
  return {
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli.js', server: 'src/server.js', ui: 'src/ui.js' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outdir: join(root, outName),
    sourcemap: true,
    logLevel: 'silent',
    ...extra,
  };
}

async function build(outName: string, plugin: PillboxOptions | null, extra: esbuild.BuildOptions = {}): Promise<string> {
  const opts = options(outName, { plugins: plugin ? [pillbox(plugin)] : [], ...extra });
  await esbuild.build(opts);
  return opts.outdir;
}

// One node process per output: both CLI commands (the second loads the lazy chunk), then the
// two other entries, which print when imported.
const RUN_ALL = `
import { pathToFileURL } from 'node:url';
const at = (f) => pathToFileURL(process.argv[2] + '/' + f).href;
const { main } = await import(at('cli.js'));
console.log(await main(['tools']));
console.log(await main(['run', 'read_file', 'a.txt', '--parallel']));
await import(at('server.js'));
await import(at('ui.js'));
`;

function appBehaviour(dir: string): string[] {
  return runNode(join(root, 'run-all.mjs'), [dir]).split('\n');
}

/** A build with what it wrote to stderr (the plugin's one-line summary, at logLevel info). */
async function buildLogged(opts: esbuild.BuildOptions): Promise<string> {
  const logged: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    logged.push(String(text));
    return true;
  });
  try {
    await esbuild.build(opts);
  } finally {
    spy.mockRestore();
  }
  return logged.join('');
}

/** Turns maps back on after pillbox's setup turned them off for strip. */
const mapsOn: esbuild.Plugin = { name: 'maps-on', setup: (b) => void (b.initialOptions.sourcemap = 'linked') };
const manifests = (name: string) => join(root, '.pillbox', name);
const decoys = { key: KEY, channel: 'npm' };

beforeAll(async () => {
  root = tempDir('esbuild');
  writeFiles(root, { ...APP, 'run-all.mjs': RUN_ALL });
  const min = { minify: true };
  dirs.base = await build('base', null, min);
  dirs.baseUnminified = await build('base-unminified', null);
  dirs.strip = await build('strip', {}, min);
  dirs.stripUnminified = await build('strip-unminified', { sourcemaps: 'strip' });
  dirs.stripInline = await build('strip-inline', {}, { ...min, sourcemap: 'inline' });
  dirs.stripMapsOn = await build('strip-maps-on', null, { ...min, plugins: [pillbox(), mapsOn] });
  dirs.hidden = await build('hidden', { sourcemaps: 'hidden', hiddenDir: join(root, 'private-maps') }, min);
  dirs.nosources = await build('nosources', { sourcemaps: 'nosources' });
  dirs.nosourcesMin = await build('nosources-min', { sourcemaps: 'nosources' }, min);
  dirs.keep = await build('keep', { sourcemaps: 'keep' }, min);
  dirs.decoys = await build('decoys', { decoys, manifestDir: manifests('decoys') }, min);
  dirs.poison = await build('poison', { sourcemaps: 'poison', decoys, manifestDir: manifests('poison') }, min);
  dirs.notProduction = await build('not-production', {});
});

describe('esbuild adapter, write: true', () => {
  it('the built app behaves identically with and without the plugin', () => {
    const expected = appBehaviour(dirs.base);
    expect(expected.join('\n')).toContain('read_file: Read a file');
    expect(expected.join('\n')).toMatch(/read_file\(a\.txt\) -> \d+/);
    expect(expected.join('\n')).toContain('{"tool":"search_code"');
    expect(expected.join('\n')).toMatch(/^ui 3 /m);
    expect(appBehaviour(dirs.baseUnminified)).toEqual(expected);
    for (const name of ['strip', 'stripUnminified', 'stripInline', 'stripMapsOn', 'hidden', 'nosources', 'nosourcesMin', 'keep', 'decoys', 'poison', 'notProduction']) {
      expect(appBehaviour(dirs[name]), name).toEqual(expected);
    }
  });

  it('several entries, shared chunks, a dynamic import and a CSS bundle: every file is covered', () => {
    const base = byExtension(dirs.base);
    expect(base['.js'].length).toBeGreaterThanOrEqual(5);
    expect(base['.css']).toEqual(['ui.css']);
    expect(base['.map'].length).toBe(base['.js'].length + 1);
    expect(readFileSync(join(dirs.base, 'ui.css'), 'utf8')).toMatch(/\/\*# sourceMappingURL=ui\.css\.map \*\/\s*$/);
    // strip builds no maps, so the content-hashed chunk names are those of a build without maps.
    const unhashed = (dir: string) => listFiles(dir).map((f) => f.replace(/-[A-Z0-9]{8}\.js$/, '.js'));
    expect(unhashed(dirs.strip)).toEqual(unhashed(dirs.base).filter((f) => !f.endsWith('.map')));
    expect(readFileSync(join(dirs.strip, 'ui.css'), 'utf8')).toMatch(/^\.agent-panel\{[^}]+\}\s*$/);
  });

  it.each(['strip', 'stripUnminified', 'stripInline', 'stripMapsOn', 'decoys'])('%s leaves no map and no reference (plain search and scanner)', async (name) => {
    expect(plainLeakSearch(dirs[name])).toEqual([]);
    const report = await scan([dirs[name]], { cwd: root });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
  });

  it('strip of maps esbuild built changes nothing but the reference comments', () => {
    expect(listFiles(dirs.stripMapsOn)).toEqual(listFiles(dirs.base).filter((f) => !f.endsWith('.map')));
    for (const f of listFiles(dirs.stripMapsOn)) {
      const before = readFileSync(join(dirs.base, f), 'utf8');
      const after = readFileSync(join(dirs.stripMapsOn, f), 'utf8');
      expect(before.replace(/\n?(\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=\S+ \*\/)\s*$/, ''), f).toBe(after.replace(/\s+$/, ''));
    }
  });

  it('strip has esbuild build no maps at all: the output is esbuild\'s own without maps, and the log says so', async () => {
    const opts = options('strip-logged', { minify: true, logLevel: 'info', plugins: [pillbox()] });
    const log = await buildLogged(opts);
    expect(opts.sourcemap).toBe(false);
    expect(log).toMatch(/pillbox strip: maps not built\n/);
    const none = await build('no-maps', null, { minify: true, sourcemap: false });
    expectSameFiles(dirs.strip, none);
  });

  it('strip: maps a later plugin turns back on are built, then stripped like any other', async () => {
    const opts = options('strip-maps-on-logged', { minify: true, logLevel: 'info', plugins: [pillbox(), mapsOn] });
    const log = await buildLogged(opts);
    expect(log).toMatch(/pillbox strip: [1-9]\d* maps removed, [1-9]\d* comments removed\n/);
    expect(log).not.toContain('not built');
    expect(listFiles(opts.outdir)).toEqual(listFiles(dirs.stripMapsOn));
    expect(plainLeakSearch(opts.outdir)).toEqual([]);
  });

  it('hidden moves every map (CSS too) out of the output, mirroring paths, with their content', async () => {
    expect(plainLeakSearch(dirs.hidden)).toEqual([]);
    let contents = '';
    for (const f of listFiles(dirs.hidden)) {
      const hiddenMap = join(root, 'private-maps', 'hidden', f + '.map');
      expect(existsSync(hiddenMap), hiddenMap).toBe(true);
      contents += JSON.parse(readFileSync(hiddenMap, 'utf8')).sourcesContent.join('');
    }
    for (const src of ['tools', 'flags', 'runner', 'cli', 'server', 'ui']) expect(contents).toContain(APP[`src/${src}.js`].trim());
    expect(contents).toContain('rebeccapurple');
    const report = await scan([dirs.hidden], { cwd: root });
    expect(report.findings).toEqual([]);
  });

  it('nosources keeps maps and references, with no content, and they still map real code', async () => {
    for (const dir of [dirs.nosources, dirs.nosourcesMin]) {
      const files = byExtension(dir);
      expect(files['.map'].length).toBe(files['.js'].length + 1);
      for (const m of files['.map']) {
        const text = readFileSync(join(dir, m), 'utf8');
        const map = JSON.parse(text);
        expect(map.sourcesContent, m).toBeUndefined();
        expect(text).not.toContain(root);
        const code = readFileSync(join(dir, m.replace(/\.map$/, '')), 'utf8');
        expect(code).toMatch(/sourceMappingURL=\S+\.(js|css)\.map( \*\/)?\s*$/);
      }
      const report = await scan([dir], { cwd: root });
      expect(report.findings.filter((f) => ['source-map-with-content', 'local-path'].includes(f.code))).toEqual([]);
    }
    // Unminified: an identifier maps to its declaration.
    const flagsChunk = listFiles(dirs.nosources).find((f) => f.endsWith('.js') && readFileSync(join(dirs.nosources, f), 'utf8').includes('function resolveFlags'))!;
    const pos = await originalOf(
      readFileSync(join(dirs.nosources, flagsChunk), 'utf8'),
      JSON.parse(readFileSync(join(dirs.nosources, flagsChunk + '.map'), 'utf8')),
      'resolveFlags(',
    );
    expect(pos.source).toBe('../src/flags.js');
    expect(APP['src/flags.js'].split('\n')[pos.line! - 1].slice(pos.column!)).toMatch(/^resolveFlags/);
    // Minified: a string literal maps back to the tool table.
    await expectToolTableMapped(dirs.nosourcesMin);
  });

  it('poison: decoy sources added, real code still maps to the real sources, and the gate passed', async () => {
    const maps = byExtension(dirs.poison)['.map'];
    expect(maps.length).toBeGreaterThanOrEqual(5);
    const manifest = readManifest(manifests('poison'), KEY);
    const real = mapSources(dirs.base);
    const added = [...mapSources(dirs.poison)].filter((s) => !real.has(s));
    expect(added.length, 'decoy sources in the maps').toBeGreaterThan(0);
    expect(manifest.placements.length).toBeGreaterThan(0);
    await expectToolTableMapped(dirs.poison);
  });

  it('decoys are planted after the minifier where the manifest says, and controls are not', () => {
    for (const [dir, name] of [[dirs.decoys, 'decoys'], [dirs.poison, 'poison']] as const) {
      const manifest = readManifest(manifests(name), KEY);
      expect(manifest.channel).toBe('npm');
      expect(manifest.release).toBe('3.1.4');
      const presence = decoyPresence(dir, manifest);
      expect(presence.placed.length, name).toBeGreaterThan(0);
      expect(presence.missing, name).toEqual([]);
      expect(presence.controlsFound, name).toEqual([]);
    }
    // The key never reaches the output or the manifest directory in clear.
    const everything = [...listFiles(dirs.decoys).map((f) => join(dirs.decoys, f)), ...listFiles(manifests('decoys')).map((f) => join(manifests('decoys'), f))];
    for (const file of everything) expect(readFileSync(file, 'utf8')).not.toContain(KEY);
    // The adapter said esbuild builds off Node's thread: the engine warmed up while it built.
    expect(warmUpStarted()).toBe(true);
  });

  it('keep changes nothing', () => {
    for (const f of listFiles(dirs.base)) {
      expect(readFileSync(join(dirs.keep, f), 'utf8'), f).toBe(readFileSync(join(dirs.base, f), 'utf8'));
    }
  });

  it('not production (no minify, NODE_ENV not production): nothing is stripped by default', () => {
    expect(process.env.NODE_ENV).not.toBe('production');
    expect(listFiles(dirs.notProduction)).toEqual(listFiles(dirs.baseUnminified));
    for (const f of listFiles(dirs.baseUnminified)) {
      expect(readFileSync(join(dirs.notProduction, f), 'utf8'), f).toBe(readFileSync(join(dirs.baseUnminified, f), 'utf8'));
    }
  });

  it('the gate fails the build with the report, without printing the forbidden string, and leaves no output', async () => {
    const secret = 'computeChecksum';
    const outdir = join(root, 'forbidden');
    const err = await esbuild.build(options('forbidden', { minify: false, plugins: [pillbox({ sourcemaps: 'strip', failOnLeak: true, forbid: [secret] })] })).then(
      () => null,
      (e: esbuild.BuildFailure) => e,
    );
    expect(err).not.toBeNull();
    expect(err!.errors.length).toBe(1);
    const text = err!.errors[0].text;
    expect(text).toContain('forbidden-string');
    expect(text).toContain('forbid[0]');
    expect(text).not.toContain(secret);
    expect(err!.message).not.toContain(secret);
    expect(existsSync(outdir) ? listFiles(outdir) : []).toEqual([]);
  });

  it('warnings reach esbuild once: decoys asked for in a development build with no key', async () => {
    const ctx = await esbuild.context(options('dev-decoys', { plugins: [pillbox({ decoys: {} })] }));
    try {
      const first = await ctx.rebuild();
      expect(first.warnings.map((w) => w.text)).toEqual([expect.stringMatching(/decoys are on but no key was given; none planted/)]);
      expect(first.warnings[0].pluginName).toBe('pillbox');
      expect((await ctx.rebuild()).warnings).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });

  it('bad options fail at setup with a clear message', async () => {
    await expect(build('bad', { sourcemaps: 'nope' as never })).rejects.toThrow(/sourcemaps must be one of strip, hidden, nosources, poison, keep/);
    await expect(build('bad2', { typo: 1 } as never)).rejects.toThrow(/unknown option "typo"/);
    await expect(build('bad3', { sourcemaps: 'hidden', hiddenDir: 'bad3/maps' }, { minify: true })).rejects.toThrow(/hiddenDir .* is inside the output directory/);
  });
});

describe('esbuild adapter, write: false and rebuilds', () => {
  it('write: false edits outputFiles in place: maps spliced out, comments gone, text follows contents', async () => {
    const result = await esbuild.build(options('in-memory', { minify: true, write: false, plugins: [pillbox()] }));
    const outputs = result.outputFiles!;
    const names = outputs.map((f) => f.path.slice(join(root, 'in-memory').length + 1)).sort();
    expect(names).toEqual(listFiles(dirs.strip));
    expect(existsSync(join(root, 'in-memory'))).toBe(false);
    // Written out by the test, the files are exactly what write: true produced.
    const dir = join(root, 'in-memory');
    for (const f of outputs) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.contents);
      expect(f.text).toBe(Buffer.from(f.contents).toString('utf8'));
    }
    for (const f of listFiles(dirs.strip)) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(dirs.strip, f), 'utf8'));
    expect(plainLeakSearch(dir)).toEqual([]);
    expect(appBehaviour(dir)).toEqual(appBehaviour(dirs.base));
  });

  it('a later plugin that switches write off in its setup gets hardened outputFiles', async () => {
    const inMemory: esbuild.Plugin = { name: 'in-memory', setup: (b) => void (b.initialOptions.write = false) };
    const result = await esbuild.build(options('later-write-false', { minify: true, plugins: [pillbox(), inMemory] }));
    expect(existsSync(join(root, 'later-write-false'))).toBe(false);
    expect(result.outputFiles!.map((f) => f.path).filter((p) => p.endsWith('.map'))).toEqual([]);
    for (const f of result.outputFiles!) expect(f.text).not.toMatch(/sourceMappingURL/);
  });

  it('write: false with a gate failure returns the error and keeps the files in memory only', async () => {
    const err = await esbuild.build(options('in-memory-fail', { write: false, plugins: [pillbox({ failOnLeak: true, forbid: [/describe\w+/] })] })).then(
      () => null,
      (e: esbuild.BuildFailure) => e,
    );
    expect(err?.errors[0].text).toContain('forbidden-string');
    expect(existsSync(join(root, 'in-memory-fail'))).toBe(false);
  });

  it('context().rebuild() twice: each rebuild processed once, the same output as a single build', async () => {
    const manifestDir = manifests('rebuild');
    const ctx = await esbuild.context(options('rebuild', { minify: true, plugins: [pillbox({ decoys, manifestDir })] }));
    const dir = join(root, 'rebuild');
    try {
      const snapshots: Record<string, string>[] = [];
      for (let i = 0; i < 2; i++) {
        const result = await ctx.rebuild();
        expect(result.errors).toEqual([]);
        // The metafile the caller gets no longer lists the deleted maps.
        expect(Object.keys(result.metafile!.outputs).filter((p) => p.endsWith('.map'))).toEqual([]);
        snapshots.push(Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')])));
      }
      expect(snapshots[1]).toEqual(snapshots[0]);
      const single = Object.fromEntries(listFiles(dirs.decoys).map((f) => [f, readFileSync(join(dirs.decoys, f), 'utf8')]));
      expect(snapshots[1]).toEqual(single);
      const presence = decoyPresence(dir, readManifest(manifestDir, KEY));
      expect(presence.missing).toEqual([]);
      expect(presence.placed.length).toBeGreaterThan(0);
      // Each decoy name appears as often as after one build: nothing was planted twice.
      for (const p of presence.placed) {
        const [file, name] = p.split(':');
        const count = (text: string) => text.split(name).length - 1;
        expect(count(snapshots[1][file]), p).toBe(count(single[file]));
      }
      expect(plainLeakSearch(dir)).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });

  it('watch(): the initial build and a rebuild after a source edit are both hardened', async () => {
    const work = tempDir('esbuild-watch');
    writeFiles(work, APP);
    // Each finished build (pillbox's onEnd ran first: plugins' onEnd run in order) resolves the next waiter.
    const ends: Array<(r: esbuild.BuildResult) => void> = [];
    const nextEnd = () => new Promise<esbuild.BuildResult>((resolve) => ends.push(resolve));
    const signal: esbuild.Plugin = { name: 'signal', setup: (b) => b.onEnd((r) => void ends.shift()?.(r)) };
    const out = join(work, 'out');
    const first = nextEnd();
    const ctx = await esbuild.context({ ...options('out'), absWorkingDir: work, outdir: out, minify: true, plugins: [pillbox(), signal] });
    try {
      await ctx.watch();
      expect((await first).errors).toEqual([]);
      expect(plainLeakSearch(out)).toEqual([]);
      const second = nextEnd();
      writeFileSync(join(work, 'src/flags.js'), APP['src/flags.js'].replace("'summarise old turns'", "'summarise older turns'"));
      expect((await second).errors).toEqual([]);
      const all = listFiles(out).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
      expect(all).toContain('summarise older turns');
      expect(plainLeakSearch(out)).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });

  it('a source edit between rebuilds is picked up and hardened', async () => {
    const work = tempDir('esbuild-rebuild');
    writeFiles(work, APP);
    const ctx = await esbuild.context({ ...options('out'), absWorkingDir: work, outdir: join(work, 'out'), minify: true, plugins: [pillbox()] });
    try {
      await ctx.rebuild();
      writeFileSync(join(work, 'src/flags.js'), APP['src/flags.js'].replace("'summarise old turns'", "'summarise older turns'"));
      await ctx.rebuild();
      const all = listFiles(join(work, 'out')).map((f) => readFileSync(join(work, 'out', f), 'utf8')).join('\n');
      expect(all).toContain('summarise older turns');
      expect(plainLeakSearch(join(work, 'out'))).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });
});

async function expectToolTableMapped(dir: string): Promise<void> {
  const chunk = listFiles(dir).find((f) => f.endsWith('.js') && readFileSync(join(dir, f), 'utf8').includes('list_directory'))!;
  const pos = await originalOf(readFileSync(join(dir, chunk), 'utf8'), JSON.parse(readFileSync(join(dir, chunk + '.map'), 'utf8')), 'list_directory', -1);
  expect(pos.source).toBe('../src/tools.js');
  expect(APP['src/tools.js'].split('\n')[pos.line! - 1]).toContain('list_directory');
}
