import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PillboxOptions } from '../src/core/plugin-options.js';
import { generateKey } from '../src/core/key.js';
import { scan } from '../src/scan/engine.js';
import { listFiles, plainLeakSearch, tempDir, writeFiles } from './harden-helpers.js';
import { byExtension, decoyPresence, mapSources, originalOf, readManifest } from './adapter-webpack-shared.js';
import { appBehaviour, BUNDLER_APP, ENTRIES, expectAppWorks } from './adapter-webpack-fixture.js';

// The adapter tests for webpack 5 and rspack, which share an adapter: real builds of four
// entries (one with extracted CSS, one starting a worker), a dynamic import, content-hashed
// chunk names (realContentHash renames files after our stage), production (each bundler's own
// minimizer) and development.

/** The structural part of a webpack/rspack Stats we read. */
export interface StatsLike {
  hasErrors(): boolean;
  toString(options: unknown): string;
  toJson(options: unknown): { assets?: Array<{ name: string; info: { related?: { sourceMap?: unknown } }; related?: unknown[] }> };
}

export type Config = Record<string, unknown>;

interface WatchingCompiler {
  watch(options: unknown, handler: (err: Error | null, stats?: StatsLike) => void): { close(cb: () => void): void };
}

export interface BundlerSpec {
  name: 'webpack' | 'rspack';
  /** Run a build to the end (the compiler closed). */
  run(config: Config): Promise<StatsLike>;
  /** Create a compiler without running it (plugins are applied here). */
  create(config: Config): unknown;
  plugin(options: PillboxOptions): unknown;
  /** The CSS rule and plugins that extract CSS to a .css asset. */
  css: { rules: unknown[]; plugins: unknown[] };
  /** How the bundler names a source in its maps, e.g. webpack://agent-fixture/src/tools.js. */
  sourceName(path: string): string;
}

export function webpackFamilySuite(spec: BundlerSpec): void {
  const KEY = generateKey();
  let root: string;
  const dirs: Record<string, string> = {};
  const stats: Record<string, StatsLike> = {};
  const manifests = (name: string) => join(root, '.pillbox', name);
  const decoys = { key: KEY, channel: 'npm' };

  function config(outName: string, plugin: PillboxOptions | null, extra: Config = {}): Config {
    return {
      mode: 'production',
      context: root,
      target: 'node',
      devtool: 'source-map',
      entry: ENTRIES,
      output: {
        path: join(root, outName),
        filename: '[name].cjs',
        chunkFilename: '[name].[contenthash:8].cjs',
        library: { type: 'commonjs2' },
      },
      module: { rules: spec.css.rules },
      plugins: [...spec.css.plugins, ...(plugin ? [spec.plugin(plugin)] : [])],
      infrastructureLogging: { level: 'none' },
      ...extra,
    };
  }

  async function build(outName: string, plugin: PillboxOptions | null, extra: Config = {}): Promise<string> {
    const result = await spec.run(config(outName, plugin, extra));
    if (result.hasErrors()) throw new Error(result.toString({ all: false, errors: true }));
    stats[outName] = result;
    return join(root, outName);
  }

  async function expectToolTableMapped(dir: string): Promise<void> {
    const chunk = listFiles(dir).find((f) => f.endsWith('.cjs') && readFileSync(join(dir, f), 'utf8').includes('list_directory'))!;
    const map = JSON.parse(readFileSync(join(dir, chunk + '.map'), 'utf8'));
    const pos = await originalOf(readFileSync(join(dir, chunk), 'utf8'), map, 'list_directory', -1);
    expect(pos.source).toBe(spec.sourceName('src/tools.js'));
    expect(BUNDLER_APP['src/tools.js'].split('\n')[pos.line! - 1]).toContain('list_directory');
  }

  beforeAll(async () => {
    root = tempDir(spec.name);
    writeFiles(root, BUNDLER_APP);
    dirs.base = await build('base', null);
    dirs.strip = await build('strip', {});
    dirs.stripDev = await build('strip-dev', { sourcemaps: 'strip' }, { mode: 'development' });
    dirs.hidden = await build('hidden', { sourcemaps: 'hidden', hiddenDir: join(root, 'private-maps') }, { devtool: 'hidden-source-map' });
    dirs.nosources = await build('nosources', { sourcemaps: 'nosources' });
    dirs.poison = await build('poison', { sourcemaps: 'poison', decoys, manifestDir: manifests('poison') });
    dirs.decoys = await build('decoys', { decoys, manifestDir: manifests('decoys') });
    dirs.keep = await build('keep', { sourcemaps: 'keep' });
    dirs.devDefault = await build('dev-default', {}, { mode: 'development' });
  });

  describe(`${spec.name} adapter`, () => {
    it('the built app behaves identically with and without the plugin (worker and lazy chunk included)', () => {
      const expected = appBehaviour(root, dirs.base);
      expectAppWorks(expected);
      for (const name of ['strip', 'stripDev', 'hidden', 'nosources', 'poison', 'decoys', 'keep', 'devDefault']) {
        expect(appBehaviour(root, dirs[name]), name).toBe(expected);
      }
    });

    it('entries, the lazy chunk, the worker chunk and the CSS asset all had maps, and strip removes every one', () => {
      const base = byExtension(dirs.base);
      expect(base['.cjs'].length).toBeGreaterThanOrEqual(6);
      expect(base['.css']).toEqual(['ui.css']);
      expect(base['.map'].length).toBe(base['.cjs'].length + 1);
      for (const f of [...base['.cjs'], ...base['.css']]) expect(readFileSync(join(dirs.base, f), 'utf8'), f).toMatch(/sourceMappingURL=/);
      const strip = byExtension(dirs.strip);
      expect(strip['.map']).toBeUndefined();
      expect(strip['.cjs'].length).toBe(base['.cjs'].length);
      expect(readFileSync(join(dirs.strip, 'ui.css'), 'utf8')).toContain('.agent-panel');
    });

    it.each(['strip', 'stripDev', 'decoys'])('%s leaves no map and no reference (plain search and scanner)', async (name) => {
      expect(plainLeakSearch(dirs[name])).toEqual([]);
      const report = await scan([dirs[name]], { cwd: root });
      expect(report.errors).toEqual([]);
      expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
    });

    it('no asset still claims a source map (asset info), and content hashes follow the edited content', () => {
      for (const name of ['strip', 'hidden']) {
        const json = stats[name].toJson({ all: false, assets: true, relatedAssets: true, cachedAssets: true });
        expect(json.assets?.length).toBeGreaterThan(0);
        for (const a of json.assets ?? []) {
          expect(a.name, name).not.toMatch(/\.map$/);
          expect(a.related ?? [], `${name} ${a.name}`).toEqual([]);
          // rspack keeps the key with a null value (its info updates merge).
          expect(a.info.related?.sourceMap ?? undefined, `${name} ${a.name}`).toBeUndefined();
        }
      }
      // realContentHash ran after our edits: the lazy and worker chunks' names changed with their content.
      const hashed = (dir: string) => listFiles(dir).filter((f) => /\.[0-9a-f]{8}\.cjs$/.test(f));
      expect(hashed(dirs.strip).length).toBe(2);
      for (const f of hashed(dirs.strip)) expect(hashed(dirs.base)).not.toContain(f);
    });

    it('hidden moves every map (CSS and worker too) out of the output, named after the final files, with their content', async () => {
      expect(plainLeakSearch(dirs.hidden)).toEqual([]);
      const code = listFiles(dirs.hidden).filter((n) => /\.(cjs|css)$/.test(n));
      expect(listFiles(join(root, 'private-maps'))).toEqual(code.map((f) => `hidden/${f}.map`).sort());
      let contents = '';
      for (const f of code) {
        const map = JSON.parse(readFileSync(join(root, 'private-maps', 'hidden', f + '.map'), 'utf8'));
        if (map.file !== undefined) expect(map.file).toBe(f);
        contents += map.sourcesContent.join('');
      }
      for (const src of ['tools', 'flags', 'runner', 'cli', 'server', 'ui', 'jobs', 'hash-worker']) expect(contents).toContain(BUNDLER_APP[`src/${src}.js`].trim());
      const report = await scan([dirs.hidden], { cwd: root });
      expect(report.findings).toEqual([]);
    });

    it('nosources keeps maps and references, with no content and no local paths, and they still map real code', async () => {
      const files = byExtension(dirs.nosources);
      expect(files['.map'].length).toBe(files['.cjs'].length + 1);
      for (const m of files['.map']) {
        const text = readFileSync(join(dirs.nosources, m), 'utf8');
        expect(JSON.parse(text).sourcesContent, m).toBeUndefined();
        expect(text).not.toContain(root);
        expect(readFileSync(join(dirs.nosources, m.replace(/\.map$/, '')), 'utf8')).toMatch(/sourceMappingURL=\S+\.map\s*(\*\/)?\s*$/);
      }
      const report = await scan([dirs.nosources], { cwd: root });
      expect(report.findings.filter((f) => ['source-map-with-content', 'local-path'].includes(f.code))).toEqual([]);
      await expectToolTableMapped(dirs.nosources);
    });

    it('poison: decoy sources added, real code still maps to the real sources', async () => {
      expect(readManifest(manifests('poison'), KEY).placements.length).toBeGreaterThan(0);
      const real = mapSources(dirs.base);
      const added = [...mapSources(dirs.poison)].filter((s) => !real.has(s));
      expect(added.length, 'decoy sources in the maps').toBeGreaterThan(0);
      await expectToolTableMapped(dirs.poison);
    });

    it('decoys are planted after the minifier where the manifest says (by the names realContentHash gave the files), and controls are not', () => {
      for (const name of ['decoys', 'poison']) {
        const manifest = readManifest(manifests(name), KEY);
        // Exact names: every placement names a file that is in the output.
        for (const p of manifest.placements) expect(listFiles(dirs[name]), `${name}: ${p.file}`).toContain(p.file);
        const presence = decoyPresence(dirs[name], manifest);
        expect(presence.placed.length, name).toBeGreaterThan(0);
        expect(presence.missing, name).toEqual([]);
        expect(presence.controlsFound, name).toEqual([]);
      }
      for (const f of listFiles(dirs.decoys)) expect(readFileSync(join(dirs.decoys, f), 'utf8')).not.toContain(KEY);
    });

    it('keep changes nothing; development mode strips nothing by default', () => {
      expect(listFiles(dirs.keep)).toEqual(listFiles(dirs.base));
      for (const f of listFiles(dirs.base)) expect(readFileSync(join(dirs.keep, f), 'utf8'), f).toBe(readFileSync(join(dirs.base, f), 'utf8'));
      const dev = byExtension(dirs.devDefault);
      expect(dev['.map'].length).toBe(dev['.cjs'].length + 1);
      expect(plainLeakSearch(dirs.devDefault).length).toBeGreaterThan(0);
    });

    it('the gate fails the build with the report, without printing the forbidden string; nothing is emitted', async () => {
      // A string literal: it survives minification.
      const secret = 'summarise old turns';
      const result = await spec.run(config('forbidden', { forbid: [secret] }));
      expect(result.hasErrors()).toBe(true);
      const text = result.toString({ all: false, errors: true });
      expect(text).toContain('forbidden-string');
      expect(text).toContain('forbid[0]');
      expect(text).not.toContain(secret);
      expect(existsSync(join(root, 'forbidden'))).toBe(false);
    });

    it('watch mode: every compilation is hardened once (a source edit included), decoys not planted twice', async () => {
      const work = tempDir(`${spec.name}-watch`);
      writeFiles(work, BUNDLER_APP);
      const manifestDir = join(work, 'manifests');
      const options: PillboxOptions = { sourcemaps: 'strip', decoys, manifestDir };
      const configIn = (outName: string, opts: PillboxOptions): Config => {
        const cfg: Config = { ...config(outName, opts, { mode: 'development' }), context: work };
        cfg.output = { ...(cfg.output as Config), path: join(work, outName) };
        return cfg;
      };
      const compiler = spec.create(configIn('out', options)) as WatchingCompiler;
      const results: Array<(s: StatsLike) => void> = [];
      const next = () => new Promise<StatsLike>((resolve) => results.push(resolve));
      const first = next();
      const watching = compiler.watch({ aggregateTimeout: 50 }, (err, stats) => {
        if (err) throw err;
        results.shift()?.(stats!);
      });
      try {
        expect((await first).hasErrors()).toBe(false);
        const out = join(work, 'out');
        const snapshot = (dir: string) => Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
        expect(plainLeakSearch(out)).toEqual([]);
        expect(decoyPresence(out, readManifest(manifestDir, KEY)).placed.length).toBeGreaterThan(0);
        // The decoy engine reads the manifests already there: keep the state the rebuild will see.
        cpSync(manifestDir, join(work, 'manifests-before'), { recursive: true });
        const second = next();
        writeFiles(work, { 'src/flags.js': BUNDLER_APP['src/flags.js'].replace("'summarise old turns'", "'summarise older turns'") });
        expect((await second).hasErrors()).toBe(false);
        const rebuilt = snapshot(out);
        expect(Object.values(rebuilt).join('\n')).toContain('summarise older turns');
        // Exactly what one fresh build of the edited sources gives: nothing processed twice.
        const fresh = await spec.run(configIn('fresh', { ...options, manifestDir: join(work, 'manifests-before') }));
        expect(fresh.hasErrors()).toBe(false);
        expect(rebuilt).toEqual(snapshot(join(work, 'fresh')));
      } finally {
        await new Promise<void>((resolve) => watching.close(() => resolve()));
      }
    });

    it('option warnings reach the compilation: decoys asked for in development with no key', async () => {
      const result = await spec.run(config('dev-decoys', { decoys: {} }, { mode: 'development' }));
      expect(result.hasErrors()).toBe(false);
      expect(result.toString({ all: false, warnings: true })).toMatch(/pillbox: decoys are on but no key was given; none planted/);
    });

    it('bad options fail when the compiler is created', () => {
      expect(() => spec.create(config('bad', { sourcemaps: 'nope' as never }))).toThrow(/sourcemaps must be one of strip, hidden, nosources, poison, keep/);
      expect(() => spec.create(config('bad', { sourcemaps: 'hidden', hiddenDir: 'bad/maps' }))).toThrow(/hiddenDir .* is inside the output directory/);
    });
  });
}
