import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { generateKey, parseKey } from '../src/core/key.js';
import { openManifest } from '../src/core/manifest-envelope.js';
import type { ManifestPlaintext } from '../src/core/decoy-types.js';
import { scan } from '../src/scan/engine.js';
import { AGENT_APP, listFiles, plainLeakSearch, tempDir, writeFiles } from './harden-helpers.js';

// `pillbox harden <dir>` over output built by the real esbuild and tsc command lines (not via
// our plugins), as a Bun/tsc/Parcel user would run it.

const BIN = join(process.cwd(), 'node_modules/.bin');
let root: string;
const builds: Record<string, string> = {};

function esbuildCli(args: string[]): void {
  execFileSync(join(BIN, 'esbuild'), args, { cwd: root, stdio: 'pipe' });
}

async function harden(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(['harden', ...args], { cwd: root, env: { ...env }, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** A fresh copy of a pristine build, so each test hardens its own. */
function copyOf(name: string, as: string): string {
  const dir = join(root, as);
  cpSync(builds[name], dir, { recursive: true });
  return as;
}

function behaviour(dir: string): string {
  const script = `const { main } = await import('./cli.js');
console.log(await main(['tools', '--verbose']));
console.log(await main(['run', 'search_code', 'x']));
await import('./server.js');`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(root, dir), encoding: 'utf8' });
}

beforeAll(() => {
  root = tempDir('harden');
  writeFiles(root, {
    ...AGENT_APP,
    'src/style.css': '.tool { color: rebeccapurple; }\n.flag { font-weight: 700; }\n',
    'ts/greet.ts': 'export function greet(name: string): string {\n  const greeting: string = "hello " + name;\n  return greeting;\n}\nconsole.log(greet("tsc"));\n',
    'ts/tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', outDir: '../tsc-out', inlineSourceMap: true, inlineSources: true, strict: true } }),
  });
  // Linked maps, minified, code splitting, two entries and a CSS entry.
  esbuildCli(['src/cli.js', 'src/server.js', 'src/style.css', '--bundle', '--splitting', '--format=esm', '--platform=node', '--minify', '--sourcemap', '--outdir=pristine-linked']);
  builds.linked = join(root, 'pristine-linked');
  // The incident's form: maps with no reference comment, under a name that does not say "map".
  esbuildCli(['src/cli.js', 'src/server.js', '--bundle', '--splitting', '--format=esm', '--platform=node', '--sourcemap=external', '--outdir=pristine-external']);
  builds.external = join(root, 'pristine-external');
  renameSync(join(builds.external, 'cli.js.map'), join(builds.external, 'cli.debug.json'));
  execFileSync(process.execPath, [join(BIN, 'tsc'), '-p', 'ts'], { cwd: root, stdio: 'pipe' });
  builds.tsc = join(root, 'tsc-out');
});

describe('pillbox harden', () => {
  it('the pristine builds really leak (so the checks below can fail)', () => {
    expect(plainLeakSearch(builds.linked).length).toBeGreaterThan(4);
    expect(plainLeakSearch(builds.external)).toContain('cli.debug.json: source map JSON');
    expect(plainLeakSearch(builds.tsc)).toContain('greet.js: inline data: JSON');
    expect(listFiles(builds.linked)).toContain('style.css.map');
  });

  it('strip: esbuild output (JS chunks and CSS) is clean and behaves the same', async () => {
    const dir = copyOf('linked', 'strip');
    const r = await harden([dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pillbox strip: \d+ maps removed/);
    expect(plainLeakSearch(join(root, dir))).toEqual([]);
    const report = await scan([dir], { cwd: root });
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
    const css = readFileSync(join(builds.linked, 'style.css'), 'utf8');
    expect(css).toMatch(/\/\*# sourceMappingURL=style\.css\.map \*\/\s*$/);
    expect(readFileSync(join(root, dir, 'style.css'), 'utf8')).toBe(css.replace(/\/\*# sourceMappingURL=style\.css\.map \*\/\s*$/, ''));
    expect(behaviour(dir)).toBe(behaviour('pristine-linked'));
  });

  it('strip finds maps by content, whatever their name, and inline tsc maps', async () => {
    const ext = copyOf('external', 'strip-external');
    expect((await harden([ext])).code).toBe(0);
    expect(existsSync(join(root, ext, 'cli.debug.json'))).toBe(false);
    expect(plainLeakSearch(join(root, ext))).toEqual([]);
    const tsc = copyOf('tsc', 'strip-tsc');
    expect((await harden([tsc])).code).toBe(0);
    expect(plainLeakSearch(join(root, tsc))).toEqual([]);
    expect(execFileSync(process.execPath, [join(root, tsc, 'greet.js')], { encoding: 'utf8' })).toBe('hello tsc\n');
  });

  it('hidden: maps go to --hidden-dir mirroring the output, none remain', async () => {
    const dir = copyOf('linked', 'hidden');
    const r = await harden([dir, '--sourcemaps', 'hidden', '--hidden-dir', 'private']);
    expect(r.code).toBe(0);
    expect(plainLeakSearch(join(root, dir))).toEqual([]);
    for (const m of listFiles(builds.linked).filter((f) => f.endsWith('.map'))) {
      expect(readFileSync(join(root, 'private', dir, m), 'utf8')).toBe(readFileSync(join(builds.linked, m), 'utf8'));
    }
  });

  it('nosources: inline tsc maps lose their content, keep mapping', async () => {
    const dir = copyOf('tsc', 'nosources-tsc');
    expect((await harden([dir, '--sourcemaps', 'nosources'])).code).toBe(0);
    const code = readFileSync(join(root, dir, 'greet.js'), 'utf8');
    const uri = /sourceMappingURL=data:application\/json[^,]*;base64,([A-Za-z0-9+/=]+)/.exec(code)![1];
    const map = JSON.parse(Buffer.from(uri, 'base64').toString('utf8'));
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources).toEqual(['../ts/greet.ts']);
    const before = readFileSync(join(builds.tsc, 'greet.js'), 'utf8');
    const original = JSON.parse(Buffer.from(/base64,([A-Za-z0-9+/=]+)/.exec(before)![1], 'base64').toString('utf8'));
    expect(map.mappings).toBe(original.mappings);
  });

  it('--decoys plants keyed decoys from PILLBOX_KEY and writes the manifest; the app behaves the same', async () => {
    const key = generateKey();
    const dir = copyOf('linked', 'decoys');
    const r = await harden([dir, '--decoys', '--channel', 'bun'], { PILLBOX_KEY: key });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(key.slice(5));
    const manifest = join(root, '.pillbox/manifests/bun/3.1.4.json');
    const plain = openManifest<ManifestPlaintext>(parseKey(key), JSON.parse(readFileSync(manifest, 'utf8')));
    const placed = new Set(plain.placements.map((p) => p.decoyId));
    const names = plain.decoys.filter((d) => placed.has(d.id)).map((d) => d.name);
    expect(names.length).toBeGreaterThanOrEqual(8);
    const shipped = listFiles(join(root, dir)).map((f) => readFileSync(join(root, dir, f), 'utf8')).join('\n');
    for (const n of names) expect(shipped).toContain(n);
    expect(plainLeakSearch(join(root, dir))).toEqual([]);
    expect(behaviour(dir)).toBe(behaviour('pristine-linked'));
  });

  it('the gate exits 1 on a forbidden string (never printing it), 0 with --no-fail-on-leak', async () => {
    writeFileSync(join(root, 'pillbox.config.json'), JSON.stringify({ forbid: ['computeChecksum'] }));
    try {
      const dir = copyOf('external', 'forbidden');
      const r = await harden([dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('forbidden-string');
      expect(r.stderr + r.stdout).not.toContain('computeChecksum');
      expect((await harden([copyOf('external', 'forbidden-2'), '--no-fail-on-leak'])).code).toBe(0);
    } finally {
      writeFileSync(join(root, 'pillbox.config.json'), '{}');
    }
  });

  it('bad input exits 2 and touches nothing', async () => {
    expect((await harden(['does-not-exist'])).code).toBe(2);
    const dir = copyOf('linked', 'bad');
    const noKey = await harden([dir, '--decoys']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('pillbox keygen');
    expect((await harden([dir, '--channel', 'npm'])).code).toBe(2);
    expect((await harden([dir, '--sourcemaps', 'nope'])).code).toBe(2);
    writeFileSync(join(root, 'bad.key'), 'not a key');
    const badKey = await harden([dir, '--decoys', '--key-file', 'bad.key']);
    expect(badKey.code).toBe(2);
    expect(listFiles(join(root, dir))).toEqual(listFiles(builds.linked));
  });
});
