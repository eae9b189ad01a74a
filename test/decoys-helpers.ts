import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { rollup, type Plugin } from 'rollup';
import terserPlugin from '@rollup/plugin-terser';
import { minify } from 'terser';
import { SourceMapConsumer, type RawSourceMap } from 'source-map';

// Shared by the decoy tests: build the fixture app with real bundlers, re-minify shipped code
// exactly as the issue says, and run a build's behaviour in a way that can be compared.

export const APP_DIR = fileURLToPath(new URL('../fixtures/decoys/app', import.meta.url));

/** `umd` is rollup only (esbuild has no UMD output). */
export type Format = 'esm' | 'cjs' | 'iife' | 'umd';
export interface BuiltFile {
  fileName: string;
  code: string;
  map?: object;
}
export interface Build {
  name: string;
  format: Format;
  entry: string;
  files: BuiltFile[];
}

export function tempDir(prefix = 'pillbox-decoys-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** esbuild: ESM with code splitting (two entries), CommonJS, or IIFE. */
export async function buildWithEsbuild(format: Exclude<Format, 'umd'>, minified: boolean, sourcemap = false): Promise<Build> {
  const result = await esbuild.build({
    entryPoints: format === 'esm' ? [join(APP_DIR, 'main.js'), join(APP_DIR, 'other.js')] : [join(APP_DIR, 'main.js')],
    bundle: true,
    format,
    splitting: format === 'esm',
    minify: minified,
    globalName: format === 'iife' ? 'App' : undefined,
    platform: 'neutral',
    outdir: '/virtual-out',
    write: false,
    sourcemap: sourcemap ? 'external' : false,
    logLevel: 'silent',
  });
  const files: BuiltFile[] = [];
  const maps = new Map<string, object>();
  for (const f of result.outputFiles) {
    const rel = f.path.slice('/virtual-out/'.length);
    if (rel.endsWith('.map')) maps.set(rel.slice(0, -4), JSON.parse(f.text));
    else files.push({ fileName: rel, code: f.text });
  }
  for (const f of files) if (maps.has(f.fileName)) f.map = maps.get(f.fileName);
  files.sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
  return { name: `esbuild-${format}${minified ? '-min' : ''}`, format, entry: 'main.js', files };
}

/** rollup: ES with code splitting, CommonJS, or IIFE; minified through @rollup/plugin-terser. */
export async function buildWithRollup(format: Format, minified: boolean): Promise<Build> {
  const bundle = await rollup({
    input: format === 'esm' ? { main: join(APP_DIR, 'main.js'), other: join(APP_DIR, 'other.js') } : { main: join(APP_DIR, 'main.js') },
    plugins: minified ? [(terserPlugin as unknown as () => Plugin)()] : [],
    logLevel: 'silent',
  });
  const { output } = await bundle.generate({
    format: format === 'esm' ? 'es' : format,
    name: format === 'iife' || format === 'umd' ? 'App' : undefined,
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-chunk.js',
    inlineDynamicImports: format !== 'esm',
    exports: 'named',
  });
  await bundle.close();
  const files = output.filter((o) => o.type === 'chunk').map((o) => ({ fileName: o.fileName, code: (o as { code: string }).code }));
  files.sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
  return { name: `rollup-${format}${minified ? '-min' : ''}`, format, entry: 'main.js', files };
}

/** terser with exactly the options the issue names. */
export async function reminifyTerser(code: string, format: Format): Promise<string> {
  const out = await minify(code, { compress: { passes: 2, unused: true, toplevel: true }, module: format === 'esm' });
  return out.code ?? '';
}

/** esbuild `--minify --tree-shaking=true` on the shipped file (no bundling, like the CLI). */
export async function reminifyEsbuild(code: string, fileName = 'chunk.js'): Promise<string> {
  const dir = tempDir('pillbox-reminify-');
  const file = join(dir, fileName.replace(/[\\/]/g, '_'));
  writeFileSync(file, code);
  const result = await esbuild.build({ entryPoints: [file], minify: true, treeShaking: true, write: false, logLevel: 'silent', outdir: dir, allowOverwrite: true });
  return result.outputFiles[0].text;
}

export interface Behaviour {
  result: unknown;
  exports: string[];
  newGlobals: string[];
  dispatch: (name: string) => unknown;
  kindOf?: (v: unknown) => unknown;
  tools: string[];
  other?: unknown;
}

function writeBuild(build: Build, dir: string): void {
  mkdirSync(dir, { recursive: true });
  // ESM builds need "type": "module" for .js files.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: build.format === 'esm' ? 'module' : 'commonjs' }));
  for (const f of build.files) writeFileSync(join(dir, f.fileName), f.code);
}

let runCounter = 0;

/** Load a build and run the app's scenario; report what it returned and what it touched. */
export async function runBuild(build: Build): Promise<Behaviour> {
  const dir = join(tempDir('pillbox-run-'), `b${runCounter++}`);
  writeBuild(build, dir);
  // IIFE, and UMD loaded as a plain script (no module, no define): both set the global App.
  if (build.format === 'iife' || build.format === 'umd') {
    const context = vm.createContext({});
    const before = new Set(Object.getOwnPropertyNames(vm.runInContext('globalThis', context)));
    vm.runInContext(readFileSync(join(dir, build.entry), 'utf8'), context);
    const app = vm.runInContext('App', context) as Record<string, (...a: unknown[]) => unknown>;
    const result = JSON.parse(JSON.stringify(await app.run()));
    const after = Object.getOwnPropertyNames(vm.runInContext('globalThis', context));
    return {
      result,
      exports: Object.keys(app).sort(),
      newGlobals: after.filter((k) => !before.has(k)).sort(),
      dispatch: (name) => JSON.parse(JSON.stringify(app.dispatch(name, {}))),
      tools: (app.tools as unknown as Array<{ name: string }>).map((t) => t.name),
    };
  }
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  let mod: Record<string, unknown>;
  let other: unknown;
  if (build.format === 'cjs') {
    mod = createRequire(join(dir, 'index.js'))(join(dir, build.entry)) as Record<string, unknown>;
  } else {
    mod = (await import(pathToFileURL(join(dir, build.entry)).href)) as Record<string, unknown>;
    if (readdirSync(dir).includes('other.js')) {
      const o = (await import(pathToFileURL(join(dir, 'other.js')).href)) as { describeAll: () => unknown };
      other = o.describeAll();
    }
  }
  const run = mod.run as () => Promise<unknown>;
  const result = JSON.parse(JSON.stringify(await run()));
  const after = Object.getOwnPropertyNames(globalThis);
  const dispatch = mod.dispatch as (n: string, i: object) => unknown;
  return {
    result,
    exports: Object.keys(mod).sort(),
    newGlobals: after.filter((k) => !before.has(k)).sort(),
    dispatch: (name) => JSON.parse(JSON.stringify(dispatch(name, {}))),
    tools: (mod.tools as Array<{ name: string }>).map((t) => t.name),
    other,
  };
}

export const TEST_KEY = createHash('sha256').update('pillbox decoy tests').digest();
export const OTHER_KEY = createHash('sha256').update('another team').digest();

/** A mapping of a map: its generated position and the original position it maps to (null: nothing, such as a decoy's start). */
export type Mapping = { line: number; column: number; key: string | null };

/** Every mapping of `map`, in generated order; `names` puts the mapping's name into its key too. */
export async function mappingsOf(map: object, opts: { names?: boolean } = {}): Promise<Mapping[]> {
  return SourceMapConsumer.with(map as RawSourceMap, null, (c) => {
    const list: Mapping[] = [];
    c.eachMapping((m) => list.push({ line: m.generatedLine, column: m.generatedColumn, key: m.source ? `${m.source}:${m.originalLine}:${m.originalColumn}${opts.names ? `:${m.name ?? ''}` : ''}` : null }));
    return list;
  });
}

/** Each mapping's span: its text up to the next mapping on its line (at most `max` characters). */
export function mappingSpans(code: string, list: readonly Mapping[], max = Infinity): Array<Mapping & { text: string }> {
  const lines = code.split('\n');
  const sorted = list.slice().sort((a, b) => a.line - b.line || a.column - b.column);
  return sorted.map((m, i) => {
    const next = sorted[i + 1];
    const end = next && next.line === m.line ? next.column : lines[m.line - 1].length;
    return { ...m, text: lines[m.line - 1].slice(m.column, Math.min(end, m.column + max)) };
  });
}
