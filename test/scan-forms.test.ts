import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import ts from 'typescript';
import webpack from 'webpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, config, lineCount, only, pack, PROJECT, read, scanOne, tempDir, write } from './scan-helpers.js';

// One test per row of research/leak-forms.md §5 (1-8, 10-17, 20), each leak form produced by
// the tool that really makes it, plus packages that must stay clean.

const requireCjs = createRequire(import.meta.url);
const convertSourceMap = requireCjs('convert-source-map') as {
  fromObject(map: unknown): { toComment(options: { encoding: 'base64' | 'uri' }): string };
};

const FLAGS_JS = [
  'export function audience() {',
  "  if (process.env.AUDIENCE === 'internal') {",
  "    return 'KESTREL_INTERNAL_CODENAME';",
  '  }',
  "  return 'public';",
  '}',
  '',
].join('\n');

let work: string;
let cleanup: () => void;
let pkgCount = 0;

/** A fresh package folder holding copies of `files` from the work tree. */
function pkgOf(files: string[]): string {
  return pack(work, join(work, `pkg-${++pkgCount}`), files);
}

function tsc(outDir: string, options: ts.CompilerOptions): void {
  const program = ts.createProgram([join(work, 'src/index.ts')], {
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    rootDir: join(work, 'src'),
    outDir: join(work, outDir),
    // No lib: type errors do not stop emit, and skipping lib.d.ts keeps this fast.
    noLib: true,
    types: [],
    ...options,
  });
  const result = program.emit();
  if (result.emitSkipped) throw new Error(`tsc skipped emit for ${outDir}`);
}

async function esbuild(outfile: string, options: Parameters<typeof build>[0] = {}): Promise<void> {
  await build({
    entryPoints: [join(work, 'js/index.js')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: join(work, outfile),
    logLevel: 'silent',
    ...options,
  });
}

function runWebpack(): Promise<void> {
  return new Promise((resolve, reject) => {
    webpack(
      {
        mode: 'development',
        devtool: 'eval-source-map',
        context: work,
        entry: './js/index.js',
        output: { path: join(work, 'dist-webpack'), filename: 'bundle.js' },
        infrastructureLogging: { level: 'error' },
      },
      (err, stats) => {
        if (err || !stats || stats.hasErrors()) reject(err ?? new Error(stats?.toString() ?? 'webpack failed'));
        else resolve();
      },
    );
  });
}

beforeAll(async () => {
  ({ dir: work, cleanup } = tempDir('forms'));
  write(work, {
    ...PROJECT,
    'js/flags.js': FLAGS_JS,
    'js/other.js': "export const other = () => 'other';\nconsole.log(other());\n",
    'css/app.css': '@import "./base.css";\n.app { color: red; }\n',
    'css/base.css': 'body { margin: 0; }\n',
  });
  tsc('dist-tsc-inline', { inlineSourceMap: true });
  tsc('dist-tsc-inline-sources', { inlineSourceMap: true, inlineSources: true });
  tsc('dist-tsc-decl', { declaration: true, declarationMap: true });
  tsc('dist-tsc-remote', { sourceMap: true, sourceRoot: 'https://cdn.example.com/app/src/', mapRoot: 'https://maps.example.com/app/' });
  tsc('dist-tsc-local', { sourceMap: true, sourceRoot: 'file:///home/dev/app/src/' });
  await Promise.all([
    esbuild('dist-external/index.js', { sourcemap: 'external' }),
    esbuild('dist-linked/index.js', { sourcemap: 'linked' }),
    esbuild('dist-inline/index.js', { sourcemap: 'inline' }),
    esbuild('dist-nocontent/index.js', { sourcemap: 'external', sourcesContent: false }),
    esbuild('dist-prod/index.js', { minify: true }),
    esbuild('dist-ts/index.js', { entryPoints: [join(work, 'src/index.ts')], sourcemap: 'external' }),
    esbuild('dist-other/other.js', { entryPoints: [join(work, 'js/other.js')], sourcemap: 'external' }),
    esbuild('dist-flags/flags.js', {
      entryPoints: [join(work, 'js/flags.js')],
      sourcemap: 'external',
      minify: true,
      define: { 'process.env.AUDIENCE': '"public"' },
    }),
    build({ entryPoints: [join(work, 'css/app.css')], bundle: true, sourcemap: 'linked', outfile: join(work, 'dist-css/app.css'), logLevel: 'silent' }),
    runWebpack(),
    (async () => {
      const bundle = await rollup({ input: join(work, 'js/index.js'), logLevel: 'silent' });
      await bundle.write({ file: join(work, 'dist-rollup-hidden/index.js'), format: 'es', sourcemap: 'hidden' });
      await bundle.write({ file: join(work, 'dist-rollup-debugid/index.js'), format: 'es', sourcemap: true, sourcemapDebugIds: true });
      await bundle.close();
    })(),
  ]);
});

afterAll(() => cleanup?.());

describe('leak forms (research/leak-forms.md §5)', () => {
  it('row 1: an external map with sourcesContent and no reference (the incident) is critical, with exposure counted', async () => {
    expect(read(work, 'dist-external/index.js')).not.toContain('sourceMappingURL');
    const report = await scanOne(pkgOf(['dist-external/index.js', 'dist-external/index.js.map']));
    const finding = only(report, 'source-map-with-content');
    expect(finding.severity).toBe('critical');
    expect(finding.path).toBe('dist-external/index.js.map');
    const lines = lineCount(PROJECT['js/index.js']) + lineCount(PROJECT['js/lib/greet.js']);
    expect(finding.evidence).toMatchObject({ sources: 2, sourcesWithContent: 2, firstPartyFiles: 2, recoverableLines: lines, nodeModulesFiles: 0 });
    expect(finding.evidence.referencedBy).toBeUndefined();
    expect(finding.evidence.examples).toEqual(expect.arrayContaining(['js/index.js', 'js/lib/greet.js']));
    expect(report.exposure).toMatchObject({ maps: 1, mapsWithContent: 1, firstPartyFiles: 2, firstPartyLines: lines });
    expect(report.exposure.summary).toBe(`1 map exposes 2 first-party files, ${lines} lines`);
    expect(codesOf(report)).toEqual(['source-map-with-content']);
  });

  it('row 2: a map without sourcesContent is high and recovers nothing', async () => {
    const map = JSON.parse(read(work, 'dist-nocontent/index.js.map')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
    const report = await scanOne(pkgOf(['dist-nocontent/index.js', 'dist-nocontent/index.js.map']));
    const finding = only(report, 'source-map');
    expect(finding.severity).toBe('high');
    expect(finding.evidence).toMatchObject({ sources: 2, sourcesWithContent: 0, recoverableLines: 0 });
    expect(report.exposure.summary).toMatch(/no source recoverable/);
  });

  it('row 3: inline base64 maps (esbuild inline, tsc inlineSourceMap with and without inlineSources)', async () => {
    const esb = await scanOne(pkgOf(['dist-inline/index.js']));
    const withContent = only(esb, 'inline-source-map-with-content');
    expect(withContent.evidence).toMatchObject({ form: 'inline-base64', count: 1, sourcesWithContent: 2 });
    const lastLine = read(work, 'dist-inline/index.js').trimEnd().split('\n').length;
    expect(withContent.line).toBe(lastLine);

    const tscBare = await scanOne(pkgOf(['dist-tsc-inline/index.js', 'dist-tsc-inline/lib/greet.js']));
    expect(codesOf(tscBare)).toEqual(['inline-source-map', 'inline-source-map']);
    expect(tscBare.findings.every((f) => f.severity === 'high' && f.evidence.sourcesWithContent === 0)).toBe(true);

    const tscSources = await scanOne(pkgOf(['dist-tsc-inline-sources/index.js', 'dist-tsc-inline-sources/lib/greet.js']));
    expect(codesOf(tscSources)).toEqual(['inline-source-map-with-content', 'inline-source-map-with-content']);
    expect(tscSources.exposure.recoverableLines).toBe(lineCount(PROJECT['src/index.ts']) + lineCount(PROJECT['src/lib/greet.ts']));
  });

  it('row 4: a percent-encoded data: URI map (convert-source-map, encoding uri) is decoded', async () => {
    const map = JSON.parse(read(work, 'dist-external/index.js.map'));
    const comment = convertSourceMap.fromObject(map).toComment({ encoding: 'uri' });
    expect(comment).toMatch(/^\/\/# sourceMappingURL=data:application\/json;charset=utf-8,%7B/);
    const pkg = pkgOf([]);
    write(pkg, { 'index.js': `${read(work, 'dist-external/index.js')}${comment}\n` });
    const finding = only(await scanOne(pkg), 'inline-source-map-with-content');
    expect(finding.evidence).toMatchObject({ form: 'inline-percent', sourcesWithContent: 2 });
  });

  it('row 5: a legacy //@ reference links its map, and dangles without it', async () => {
    const pkg = pkgOf(['dist-linked/index.js', 'dist-linked/index.js.map']);
    const js = read(pkg, 'dist-linked/index.js');
    expect(js).toContain('//# sourceMappingURL=index.js.map');
    write(pkg, { 'dist-linked/index.js': js.replace('//# sourceMappingURL=', '//@ sourceMappingURL=') });
    const linked = await scanOne(pkg);
    expect(only(linked, 'source-map-with-content').evidence).toMatchObject({ status: 'linked', referencedBy: ['dist-linked/index.js'] });
    expect(codesOf(linked)).toEqual(['source-map-with-content']);

    rmSync(join(pkg, 'dist-linked/index.js.map'));
    const dangling = only(await scanOne(pkg), 'dangling-reference');
    expect(dangling.message).toContain('//@');
    expect(dangling.evidence).toMatchObject({ url: 'index.js.map', status: 'dangling', target: 'dist-linked/index.js.map' });
  });

  it('row 6: a CSS /*# */ reference (esbuild CSS bundle) links its map, and dangles without it', async () => {
    const css = read(work, 'dist-css/app.css');
    expect(css).toMatch(/\/\*# sourceMappingURL=app\.css\.map \*\//);
    const pkg = pkgOf(['dist-css/app.css', 'dist-css/app.css.map']);
    const linked = await scanOne(pkg);
    expect(only(linked, 'source-map-with-content').evidence).toMatchObject({ referencedBy: ['dist-css/app.css'], sourcesWithContent: 2 });
    rmSync(join(pkg, 'dist-css/app.css.map'));
    const dangling = only(await scanOne(pkg), 'dangling-reference');
    expect(dangling.evidence.form).toBe('block-comment');
    expect(dangling.line).toBe(css.trimEnd().split('\n').length);
  });

  it('row 7: a linked reference whose map was deleted is a dangling reference', async () => {
    const report = await scanOne(pkgOf(['dist-linked/index.js']));
    const finding = only(report, 'dangling-reference');
    expect(finding.severity).toBe('medium');
    expect(finding.evidence).toMatchObject({ url: 'index.js.map', status: 'dangling' });
    expect(codesOf(report)).toEqual(['dangling-reference']);
  });

  it("row 8: rollup sourcemap 'hidden' ships a map with no comment; it is found like any other", async () => {
    expect(read(work, 'dist-rollup-hidden/index.js')).not.toContain('sourceMappingURL');
    const report = await scanOne(pkgOf(['dist-rollup-hidden/index.js', 'dist-rollup-hidden/index.js.map']));
    expect(only(report, 'source-map-with-content').evidence.referencedBy).toBeUndefined();
  });

  it('row 10: an index map with sections (two real esbuild maps, and a legacy url) is read recursively', async () => {
    const a = JSON.parse(read(work, 'dist-external/index.js.map'));
    const b = JSON.parse(read(work, 'dist-other/other.js.map'));
    const lines = read(work, 'dist-external/index.js').split('\n').length;
    const index = {
      version: 3,
      file: 'all.js',
      sections: [
        { offset: { line: 0, column: 0 }, map: a },
        { offset: { line: lines, column: 0 }, map: b },
        { offset: { line: lines + 10, column: 0 }, url: 'vendor.js.map' },
      ],
    };
    const pkg = pkgOf([]);
    write(pkg, { 'all.js.map': JSON.stringify(index) });
    const report = await scanOne(pkg);
    const finding = only(report, 'source-map-with-content');
    expect(finding.evidence).toMatchObject({ sections: 3, sources: 3, sourcesWithContent: 3, firstPartyFiles: 3 });
    expect(only(report, 'dangling-reference').evidence).toMatchObject({ url: 'vendor.js.map', form: 'index-map-section' });
  });

  it("row 11: webpack devtool 'eval-source-map' puts one inline map per module inside eval strings", async () => {
    const bundle = read(work, 'dist-webpack/bundle.js');
    expect(bundle).toContain('eval(');
    const report = await scanOne(pkgOf(['dist-webpack/bundle.js']));
    const finding = only(report, 'inline-source-map-with-content');
    expect(finding.evidence).toMatchObject({ form: 'inline-base64', count: 2, sourcesWithContent: 2 });
  });

  it('row 12: webpack eval sourceURL comments name the original modules', async () => {
    const report = await scanOne(pkgOf(['dist-webpack/bundle.js']));
    const finding = only(report, 'source-url');
    expect(finding.severity).toBe('low');
    expect(finding.evidence.form).toBe('eval-string');
    expect(finding.evidence.examples).toEqual(expect.arrayContaining(['webpack-internal:///./js/index.js']));
  });

  it('row 13: rollup sourcemapDebugIds writes a //# debugId comment (and a map debugId)', async () => {
    const js = read(work, 'dist-rollup-debugid/index.js');
    const id = /\/\/# debugId=([0-9a-f-]+)/i.exec(js)?.[1];
    expect(id).toBeTruthy();
    const report = await scanOne(pkgOf(['dist-rollup-debugid/index.js']));
    const finding = only(report, 'debug-id');
    expect(finding.evidence).toMatchObject({ form: 'comment', examples: [id] });
    // Its map is not shipped, so the reference dangles too.
    expect(codesOf(report)).toEqual(['dangling-reference', 'debug-id']);
  });

  it('row 14: maps disguised as .json/.txt, behind )]}\' or compressed with gzip/brotli are found by content', async () => {
    const mapText = read(work, 'dist-external/index.js.map');
    const pkg = pkgOf([]);
    write(pkg, {
      'data/bundle.json': mapText,
      'data/app.js.txt': mapText,
      'data/xssi.map': `)]}'\n${mapText}`,
      'data/cli.js.map.gz': gzipSync(mapText),
      'data/cli.js.map.br': brotliCompressSync(mapText),
      'data/plain.json': JSON.stringify({ version: 3, name: 'not a map' }),
    });
    const report = await scanOne(pkg);
    const forms = Object.fromEntries(report.findings.map((f) => [f.path, f.evidence.form]));
    expect(forms).toEqual({
      'data/bundle.json': 'file',
      'data/app.js.txt': 'file',
      'data/xssi.map': 'xssi-prefixed',
      'data/cli.js.map.gz': 'gzip',
      'data/cli.js.map.br': 'brotli',
    });
    expect(report.findings.every((f) => f.code === 'source-map-with-content')).toBe(true);
    expect(report.errors).toEqual([]);
  });

  it('row 14: a compressed bundle is judged by what it holds (its inline map, its reference)', async () => {
    const pkg = pkgOf([]);
    write(pkg, { 'dist/index.js.gz': gzipSync(read(work, 'dist-inline/index.js')), 'dist/linked.js.br': brotliCompressSync(read(work, 'dist-linked/index.js')) });
    const report = await scanOne(pkg);
    expect(report.findings.map((f) => [f.path, f.code, f.evidence.form, f.line])).toEqual([
      ['dist/index.js.gz', 'inline-source-map-with-content', 'gzip+inline-base64', undefined],
      ['dist/linked.js.br', 'dangling-reference', 'line-comment', undefined],
    ]);
  });

  it('row 15: remote sourceRoot and mapRoot (tsc) and file:// home paths are reported', async () => {
    const remote = await scanOne(pkgOf(['dist-tsc-remote/index.js', 'dist-tsc-remote/index.js.map']));
    expect(only(remote, 'remote-source').evidence.examples).toEqual(['https://cdn.example.com/app/src/']);
    expect(only(remote, 'remote-reference').evidence.url).toBe('https://maps.example.com/app/index.js.map');
    const local = await scanOne(pkgOf(['dist-tsc-local/index.js', 'dist-tsc-local/index.js.map']));
    const finding = only(local, 'local-path');
    expect(finding.path).toBe('dist-tsc-local/index.js.map');
    expect(finding.evidence.examples).toEqual(['file:///home/dev/app/src/']);
  });

  it('row 16: a tsc declaration map (.d.ts.map) is a map without content, escalated when src/ ships', async () => {
    expect(read(work, 'dist-tsc-decl/index.d.ts')).toContain('//# sourceMappingURL=index.d.ts.map');
    const alone = await scanOne(pkgOf(['dist-tsc-decl/index.d.ts', 'dist-tsc-decl/index.d.ts.map']));
    expect(only(alone, 'source-map').path).toBe('dist-tsc-decl/index.d.ts.map');
    expect(codesOf(alone)).toEqual(['source-map']);

    const withSrc = await scanOne(pkgOf(['dist-tsc-decl/index.d.ts', 'dist-tsc-decl/index.d.ts.map', 'src/index.ts', 'src/lib/greet.ts']));
    const escalated = only(withSrc, 'original-source-recoverable');
    expect(escalated).toMatchObject({ path: 'src/index.ts', severity: 'critical' });
    expect(escalated.evidence.target).toBe('dist-tsc-decl/index.d.ts.map');
    // greet.ts has no declaration map pointing at it here (only index.d.ts.map was shipped).
    expect(withSrc.findings.find((f) => f.path === 'src/lib/greet.ts')?.code).toBe('original-source');
  });

  it('row 17: original sources shipped alone are high; with a bundle map naming them, critical', async () => {
    const pkg = pkgOf(['src/index.ts', 'src/lib/greet.ts']);
    write(pkg, { 'types/index.d.ts': 'export declare const main: (name: string) => string;\n' });
    const alone = await scanOne(pkg);
    expect(codesOf(alone)).toEqual(['original-source', 'original-source']);
    const withMap = await scanOne(pkgOf(['dist-ts/index.js', 'dist-ts/index.js.map', 'src/index.ts', 'src/lib/greet.ts']));
    expect(codesOf(withMap)).toEqual(['original-source-recoverable', 'original-source-recoverable', 'source-map-with-content']);
  });

  it('row 20: a string removed from the bundle by dead-code elimination is still found in the map, and redacted', async () => {
    const secret = 'KESTREL_INTERNAL_CODENAME';
    expect(read(work, 'dist-flags/flags.js')).not.toContain(secret);
    const report = await scanOne(pkgOf(['dist-flags/flags.js', 'dist-flags/flags.js.map']), config([/kestrel_internal/i, secret]));
    const hits = report.findings.filter((f) => f.code === 'forbidden-string');
    expect(hits.map((f) => [f.path, f.evidence.rule])).toEqual([
      ['dist-flags/flags.js.map', 'forbid[0]'],
      ['dist-flags/flags.js.map', 'forbid[1]'],
    ]);
    expect(hits[0].evidence.where).toBe('sourcesContent[0]');
    const json = JSON.stringify(report);
    for (let i = 0; i + 4 <= secret.length; i++) expect(json).not.toContain(secret.slice(i, i + 4));
  });
});

describe('clean packages stay clean', () => {
  it('an esbuild production bundle without maps', async () => {
    const report = await scanOne(pkgOf(['dist-prod/index.js']));
    expect(report.findings).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.exposure.summary).toBe('no source maps shipped; no source recoverable');
  });

  it('typescript: code that builds sourceMappingURL comments is not a reference; its real trailing comment is', async () => {
    const report = await scanOne(join(process.cwd(), 'node_modules/typescript/lib/typescript.js'));
    const text = readFileSync(join(process.cwd(), 'node_modules/typescript/lib/typescript.js'), 'utf8');
    expect(text.split('sourceMappingURL').length - 1).toBeGreaterThan(2);
    // The file really ends with `//# sourceMappingURL=typescript.js.map`, and npm ships no map.
    const finding = only(report, 'dangling-reference');
    expect(finding.line).toBe(text.trimEnd().split('\n').length);
    expect(codesOf(report)).toEqual(['dangling-reference']);
  });

  it('terser and source-map: no references, no inline maps', async () => {
    for (const dir of ['node_modules/terser/dist', 'node_modules/source-map']) {
      const report = await scanOne(join(process.cwd(), dir));
      expect(report.findings, dir).toEqual([]);
      expect(report.errors, dir).toEqual([]);
    }
  });

  it("pillbox's own source has no reference marker and no map", async () => {
    const report = await scanOne(join(process.cwd(), 'src'));
    expect(new Set(codesOf(report))).toEqual(new Set(['original-source']));
  });
});

