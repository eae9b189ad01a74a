import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, parseKey } from '../src/core/key.js';
import { sealManifest } from '../src/core/manifest-envelope.js';
import { FINDING_CODES } from '../src/core/codes.js';
import { SEVERITY_RANK } from '../src/core/findings.js';
import { scan } from '../src/scan/engine.js';
import { codesOf, config, only, PROJECT, scanOne, tempDir, write } from './scan-helpers.js';

// The engine: targets, package-level linking, config (allow, forbid, baseline), report shape.

let work: string;
let cleanup: () => void;
/** A package folder with an esbuild bundle, its linked map, the sources and an orphan map. */
let pkg: string;

beforeAll(async () => {
  ({ dir: work, cleanup } = tempDir('engine'));
  pkg = join(work, 'pkg');
  write(pkg, { ...PROJECT, 'package.json': JSON.stringify({ name: 'demo-pkg', version: '1.0.0', files: ['dist', 'src'] }) });
  await build({ entryPoints: [join(pkg, 'src/index.ts')], bundle: true, sourcemap: 'linked', outfile: join(pkg, 'dist/index.js'), logLevel: 'silent' });
  await build({ entryPoints: [join(pkg, 'js/index.js')], bundle: true, sourcemap: 'external', outfile: join(pkg, 'dist/extra/cli.js'), logLevel: 'silent' });
});

afterAll(() => cleanup?.());

describe('scan()', () => {
  it('reports findings sorted by severity, path and code, with fingerprints and a schema-shaped report', async () => {
    const report = await scanOne(pkg);
    expect(report.version).toBe(1);
    expect(report.tool.name).toBe('pillbox');
    expect(report.targets).toEqual([expect.objectContaining({ kind: 'directory' })]);
    const sorted = [...report.findings].sort(
      (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || (a.code < b.code ? -1 : 1),
    );
    expect(report.findings).toEqual(sorted);
    for (const f of report.findings) {
      expect(f.severity).toBe(FINDING_CODES[f.code as keyof typeof FINDING_CODES].severity);
      expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(f.message.length).toBeGreaterThan(10);
    }
    expect(codesOf(report, 'src/index.ts')).toEqual(['original-source-recoverable']);
    expect(codesOf(report, 'dist/index.js.map')).toEqual(['source-map-with-content']);
    expect(codesOf(report, 'dist/extra/cli.js.map')).toEqual(['source-map-with-content']);
    // Two maps: the TS bundle's sources (2) and the JS bundle's (2) are distinct files.
    expect(report.exposure).toMatchObject({ maps: 2, mapsWithContent: 2, firstPartyFiles: 4 });
    expect(report.exposure.summary).toMatch(/^2 maps expose 4 first-party files, \d+ lines$/);
    expect(report.errors).toEqual([]);
  });

  it('is deterministic: the same input gives the same report', async () => {
    const a = await scanOne(pkg);
    const b = await scanOne(pkg);
    expect(b).toEqual(a);
  });

  it('allow suppresses by glob (and code), counting what it suppressed', async () => {
    const report = await scanOne(
      pkg,
      config([], {
        allow: [
          { path: 'dist/**/*.map', code: 'source-map-with-content', reason: 'test' },
          { path: 'src/**', reason: 'test' },
        ],
      }),
    );
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual({ allowed: 4, baseline: 0 });
    const narrower = await scanOne(pkg, config([], { allow: [{ path: 'dist/**/*.map', code: 'source-map', reason: 'wrong code' }] }));
    expect(narrower.suppressed?.allowed).toBe(0);
  });

  it('a baseline suppresses known findings, also across archive names (a version bump)', async () => {
    const one = join(work, 'demo-pkg-1.0.0.tgz');
    const two = join(work, 'demo-pkg-1.0.1.tgz');
    // A real tar, with the npm layout (package/...).
    execFileSync('tar', ['-czf', one, '--transform', 's,^\\.,package,', '-C', pkg, '.']);
    execFileSync('tar', ['-czf', two, '--transform', 's,^\\.,package,', '-C', pkg, '.']);
    const first = await scan([one], { cwd: work });
    expect(first.findings[0].path).toMatch(/^demo-pkg-1\.0\.0\.tgz!package\//);
    const baseline = join(work, 'baseline.json');
    writeFileSync(baseline, JSON.stringify(first));
    const second = await scan([two], { cwd: work, config: config([], { baseline }) });
    expect(second.findings).toEqual([]);
    expect(second.suppressed).toEqual({ allowed: 0, baseline: first.findings.length });
    expect(first.findings.length).toBeGreaterThan(2);
  });

  it('an unreadable or malformed baseline is an error, not an empty baseline', async () => {
    const missing = await scanOne(pkg, config([], { baseline: join(work, 'nope.json') }));
    expect(missing.errors.map((e) => e.code)).toEqual(['unreadable']);
    expect(missing.findings.length).toBeGreaterThan(0);
    const bad = join(work, 'bad-baseline.json');
    writeFileSync(bad, '{"not":"a report"}');
    expect((await scanOne(pkg, config([], { baseline: bad }))).errors.map((e) => e.code)).toEqual(['bad-config']);
  });

  it('reader errors flow into the report (a missing target, an invalid map)', async () => {
    const report = await scan(['does-not-exist', pkg], { cwd: work });
    expect(report.errors.map((e) => e.code)).toEqual(['not-found']);
    expect(report.findings.length).toBeGreaterThan(0);
    const broken = join(work, 'broken');
    write(broken, { 'dist/cli.js.map': '{"version":3,"sources":["../src/a.ts"],"sourcesContent":["export const' });
    const invalid = await scanOne(broken);
    expect(invalid.errors).toEqual([expect.objectContaining({ code: 'invalid-map', path: 'dist/cli.js.map' })]);
  });

  it('no target scans the package as npm would publish it', async () => {
    let calls = 0;
    const report = await scan([], { cwd: pkg, onProgress: () => calls++ });
    expect(report.targets).toEqual([expect.objectContaining({ kind: 'package', target: 'demo-pkg@1.0.0' })]);
    // `files` lists dist and src: js/ is not published, so only the TS bundle's map and the extra one.
    expect(report.findings.some((f) => f.path.startsWith('js/'))).toBe(false);
    expect(codesOf(report, 'dist/index.js.map')).toEqual(['source-map-with-content']);
    expect(calls).toBe(report.targets[0].files);
  });

  it('pillbox private files: .pillbox/, a manifest envelope anywhere, a key, a config holding forbid', async () => {
    const key = generateKey();
    const envelope = JSON.stringify(sealManifest(parseKey(key), { decoys: ['x'] }));
    const dir = join(work, 'private');
    write(dir, {
      '.pillbox/maps/dist/cli.js.map.txt': 'hidden',
      'dist/release.json': envelope,
      'notes/deploy.txt': `PILLBOX_KEY=${key}\n`,
      'pillbox.config.json': JSON.stringify({ forbid: ['secret'] }),
      'other.config.json': JSON.stringify({ forbid: ['x'] }),
    });
    const report = await scanOne(dir);
    const kinds = Object.fromEntries(report.findings.map((f) => [f.path, [f.code, f.evidence.form]]));
    expect(kinds).toEqual({
      '.pillbox/maps/dist/cli.js.map.txt': ['pillbox-private-file', 'pillbox-dir'],
      'dist/release.json': ['pillbox-private-file', 'manifest'],
      'notes/deploy.txt': ['pillbox-private-file', 'key'],
      'pillbox.config.json': ['pillbox-private-file', 'config-with-forbid'],
    });
    expect(JSON.stringify(report)).not.toContain(key.slice(5, 25));
  });

  it('a manifest envelope that is also a source map is still found (its map walk sees the `pillbox` key)', async () => {
    const sealed = sealManifest(parseKey(generateKey()), { decoys: ['x'] });
    const dir = join(work, 'hybrid');
    write(dir, {
      'dist/both.js.map': JSON.stringify({ version: 3, sources: ['../src/a.ts'], mappings: 'AAAA', ...sealed }),
      // A false-positive guard (the old full check rejected it too): it holds the bytes
      // `manifest/v1` and `"pillbox"` that the envelope check looks for first, nested.
      'dist/plain.js.map': JSON.stringify({ version: 3, sources: ['../src/a.ts'], mappings: 'AAAA', names: ['manifest/v1', 'pillbox'], x_meta: { pillbox: 'manifest/v1', data: '', iv: '' } }),
    });
    const report = await scanOne(dir);
    const privateFiles = report.findings.filter((f) => f.code === 'pillbox-private-file').map((f) => [f.path, f.evidence.form]);
    expect(privateFiles).toEqual([['dist/both.js.map', 'manifest']]);
  });

  it('forbidden strings are redacted everywhere, paths and examples included', async () => {
    const secret = 'tengu_slate_prism';
    const dir = join(work, 'forbid');
    const map = { version: 3, sources: [`../src/${secret}.ts`], sourcesContent: [`export const flag = '${secret}';\n`], mappings: 'AAAA' };
    write(dir, { [`dist/${secret}.js`]: `console.log(1);\n`, 'dist/app.js.map': JSON.stringify(map) });
    const report = await scanOne(dir, config([secret]));
    const hit = only(report, 'forbidden-string');
    expect(hit.evidence).toMatchObject({ rule: 'forbid[0]', where: 'sourcesContent[0]', count: 1 });
    const json = JSON.stringify(report);
    for (let i = 0; i + 4 <= secret.length; i++) expect(json, secret.slice(i, i + 4)).not.toContain(secret.slice(i, i + 4));
    expect(json).toContain('[forbid[0]]');
  });

  it('a clean package has no findings and says no source is recoverable', async () => {
    const dir = join(work, 'clean');
    write(dir, { 'index.js': 'export const x = 1;\n', 'index.d.ts': 'export declare const x = 1;\n', 'README.md': '# x\n' });
    const report = await scanOne(dir);
    expect(report.findings).toEqual([]);
    expect(report.exposure).toMatchObject({ maps: 0, summary: 'no source maps shipped; no source recoverable' });
    expect(report.suppressed).toEqual({ allowed: 0, baseline: 0 });
  });
});
