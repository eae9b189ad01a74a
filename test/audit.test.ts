import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Report } from '../src/core/findings.js';
import { compareReleases, GROWTH_MIN_BYTES, NEW_FILE_MIN_BYTES } from '../src/gate/growth.js';
import { parseNpmTarget, previousVersion } from '../src/gate/registry.js';
import { cleanEnv, cleanupTemp, cli, NO_REGISTRY, sh, tempDir, write } from './gate-helpers.js';

// Audits of published releases (`npm:<name>@<version>`) and --compare-previous, against a
// registry served from 127.0.0.1 by this test: packuments and tarballs made by `npm pack`.

// Real package managers on a busy 2-core machine: generous limits (timings are never asserted).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

afterAll(cleanupTemp);

/** A generated module of about `kb` KB, so that esbuild writes a map of a known size. */
function bigSource(kb: number): string {
  const lines = ['export const handlers = {'];
  for (let i = 0; lines.join('\n').length < kb * 1024; i++) lines.push(`  handler${i}: (input: string): string => input.split('').reverse().join('') + ${JSON.stringify('v' + i)},`);
  lines.push('};');
  return lines.join('\n');
}

/** Builds a release folder with esbuild (packed later, all at once, by npm). */
function release(version: string, opts: { map?: boolean; sourceKb: number }): string {
  const dir = write(tempDir('audit-rel'), {
    'package.json': { name: 'acme-cli', version, license: 'MIT', files: ['dist'] },
    'src/cli.ts': bigSource(opts.sourceKb),
  });
  buildSync({ entryPoints: [join(dir, 'src/cli.ts')], outfile: join(dir, 'dist/cli.js'), bundle: true, minify: true, sourcemap: opts.map ? 'external' : false, logLevel: 'silent' });
  return dir;
}

/** One `npm pack` for every release folder; the tarballs' bytes by version. */
function packAll(dirs: string[]): Map<string, Buffer> {
  const out = tempDir('audit-tgz');
  const r = sh('npm', ['pack', ...dirs, '--pack-destination', out, '--json', '--ignore-scripts'], out);
  if (r.code !== 0) throw new Error(r.stderr);
  const packed = JSON.parse(r.stdout) as Array<{ version: string; filename: string }>;
  return new Map(packed.map((p) => [p.version, readFileSync(join(out, p.filename))]));
}

let server: Server;
let registry: string;
let env: NodeJS.ProcessEnv;
const tarballs = new Map<string, Buffer>();

beforeAll(async () => {
  const packed = packAll([
    release('1.0.0', { sourceKb: 60 }),
    release('1.1.0', { sourceKb: 64 }),
    // The incident's shape: the next release ships a large map nobody asked for.
    release('2.0.0', { sourceKb: 600, map: true }),
    release('3.0.0-beta.1', { sourceKb: 64 }),
  ]);
  for (const [version, buf] of packed) tarballs.set(version, buf);
  expect([...tarballs.keys()]).toEqual(['1.0.0', '1.1.0', '2.0.0', '3.0.0-beta.1']);

  server = createServer((req, res) => {
    const url = req.url ?? '/';
    const tgz = /^\/acme-cli\/-\/acme-cli-(.+)\.tgz$/.exec(url);
    if (tgz && tarballs.has(tgz[1])) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarballs.get(tgz[1]));
      return;
    }
    if (url === '/acme-cli') {
      const versions = Object.fromEntries(
        [...tarballs].map(([v, buf]) => [
          v,
          {
            name: 'acme-cli',
            version: v,
            dist: {
              tarball: `${registry}/acme-cli/-/acme-cli-${v}.tgz`,
              shasum: createHash('sha1').update(buf).digest('hex'),
              integrity: `sha512-${createHash('sha512').update(buf).digest('base64')}`,
            },
          },
        ]),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'acme-cli', 'dist-tags': { latest: '2.0.0' }, versions }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = cleanEnv({ npm_config_registry: `${registry}/`, npm_config_cache: tempDir('audit-cache'), npm_config_fetch_retries: '0', npm_config_update_notifier: 'false' });
});

afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function json(args: string[], cwd = tempDir('audit-cwd'), e = env): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await cli(['scan', ...args, '--format', 'json'], cwd, e);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

describe('pillbox scan npm:<name>@<version>', () => {
  it('fetches the published tarball and scans it', async () => {
    const { code, report } = await json(['npm:acme-cli@2.0.0']);
    expect(report.errors).toEqual([]);
    expect(code).toBe(1);
    expect(report.targets).toEqual([expect.objectContaining({ target: 'npm:acme-cli@2.0.0', kind: 'npm', files: 3 })]);
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([['source-map-with-content', 'acme-cli-2.0.0.tgz!package/dist/cli.js.map']]);
  });

  it('without a version, audits the latest', async () => {
    const { report } = await json(['npm:acme-cli']);
    expect(report.findings.map((f) => f.code)).toEqual(['source-map-with-content']);
  });

  it('a version that does not exist is an error (exit 2), not a pass', async () => {
    const { code, report } = await json(['npm:acme-cli@9.9.9']);
    expect(code).toBe(2);
    expect(report.errors).toEqual([expect.objectContaining({ path: 'npm:acme-cli@9.9.9', code: 'not-found' })]);
  });

  it('a malformed spec is a wrong call', async () => {
    const r = await cli(['scan', 'npm:Not A Name'], tempDir('audit-cwd'), env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected npm:<name>@<version>');
  });
});

describe('--compare-previous', () => {
  it('reports the release that grew and the large new file, against the release before it', async () => {
    const { code, report, stderr } = await json(['npm:acme-cli@2.0.0', '--compare-previous', '--fail-on', 'medium']);
    expect(report.errors).toEqual([]);
    expect(code).toBe(1);
    expect(stderr).toContain('compared npm:acme-cli@2.0.0 with acme-cli@1.1.0');
    const growth = report.findings.filter((f) => f.code === 'release-size-growth');
    expect(growth.map((f) => [f.path, f.evidence.form])).toEqual([
      ['acme-cli-2.0.0.tgz!package/dist/cli.js.map', 'new-file'],
      ['npm:acme-cli@2.0.0', 'release'],
    ]);
    const whole = growth.find((f) => f.evidence.form === 'release')!;
    expect(whole.severity).toBe('medium');
    expect(whole.evidence).toMatchObject({ previousVersion: '1.1.0' });
    expect(whole.evidence.ratio as number).toBeGreaterThan(5);
    expect(whole.message).toMatch(/^npm:acme-cli@2\.0\.0 unpacks to [\d.]+ MB, [\d.]+× 1\.1\.0/);
  });

  it('a release of about the same size reports nothing', async () => {
    const { code, report, stderr } = await json(['npm:acme-cli@1.1.0', '--compare-previous']);
    expect(stderr).toContain('with acme-cli@1.0.0');
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('a pre-release is compared with the pre-releases and releases before it', async () => {
    const { stderr } = await json(['npm:acme-cli@3.0.0-beta.1', '--compare-previous']);
    expect(stderr).toContain('with acme-cli@2.0.0');
  });

  it('the package being published is compared with the published release below its version', async () => {
    const dir = write(tempDir('audit-local'), {
      'package.json': { name: 'acme-cli', version: '1.2.0', files: ['dist'] },
      'dist/cli.js': 'export const a = 1;\n',
      'dist/model.bin': Buffer.alloc(NEW_FILE_MIN_BYTES + 1, 7),
    });
    const { report, stderr } = await json(['--compare-previous'], dir);
    expect(report.errors).toEqual([]);
    expect(stderr).toContain('compared acme-cli@1.2.0 with acme-cli@1.1.0');
    expect(report.findings.map((f) => [f.code, f.path, f.evidence.form])).toEqual([
      ['release-size-growth', 'acme-cli@1.2.0', 'release'],
      ['release-size-growth', 'dist/model.bin', 'new-file'],
    ]);
  });

  it('each workspace package is compared with its own previous release', async () => {
    const dir = write(tempDir('audit-ws'), {
      'package.json': { name: 'mono', private: true, workspaces: ['packages/*'] },
      'packages/cli/package.json': { name: 'acme-cli', version: '1.1.1', files: ['dist'] },
      'packages/cli/dist/cli.js': 'export const a = 1;\n',
      'packages/cli/dist/big.js': Buffer.alloc(NEW_FILE_MIN_BYTES, 32),
    });
    const { report, stderr } = await json(['--workspaces', '--compare-previous'], dir);
    expect(report.errors).toEqual([]);
    expect(stderr).toContain('compared acme-cli@1.1.1 with acme-cli@1.1.0');
    expect(report.findings.map((f) => [f.path, f.evidence.form])).toEqual([
      ['acme-cli@1.1.1', 'release'],
      ['packages/cli/dist/big.js', 'new-file'],
    ]);
  });

  it('fails closed when the registry cannot be reached', async () => {
    const dir = write(tempDir('audit-offline'), { 'package.json': { name: 'acme-cli', version: '1.2.0' }, 'index.js': '' });
    const { code, report } = await json(['--compare-previous'], dir, { ...env, npm_config_registry: NO_REGISTRY });
    expect(code).toBe(2);
    expect(report.errors).toEqual([expect.objectContaining({ code: 'pack-failed', message: expect.stringContaining('cannot list the published versions of acme-cli') })]);
  });
});

describe('release comparison rules', () => {
  const shape = (version: string, files: Record<string, number>) => ({ name: 'x', version, files: Object.entries(files).map(([path, size]) => ({ path, size })) });
  const ctx = { label: 'x@2', display: (p: string) => p };

  it('needs both the ratio and the absolute growth', () => {
    expect(compareReleases(shape('2', { a: 30_000 }), shape('1', { a: 10_000 }), ctx)).toEqual([]); // 3× but tiny
    expect(compareReleases(shape('2', { a: 10_000_000 }), shape('1', { a: 9_000_000 }), ctx)).toEqual([]); // +1 MB but 1.1×
    const grown = compareReleases(shape('2', { a: 10_000 + 2 * GROWTH_MIN_BYTES }), shape('1', { a: 10_000 }), ctx);
    expect(grown.map((g) => g.finding.evidence.form)).toEqual(['release']);
  });

  it('flags a large new file, and a file that grew a lot, but not a large file that was there before', () => {
    const before = shape('1', { big: 5 * NEW_FILE_MIN_BYTES, small: 1000, other: 20 * NEW_FILE_MIN_BYTES });
    const after = shape('2', { big: 5 * NEW_FILE_MIN_BYTES, small: 3 * NEW_FILE_MIN_BYTES, added: NEW_FILE_MIN_BYTES, other: 20 * NEW_FILE_MIN_BYTES });
    const found = compareReleases(after, before, ctx).map((g) => [g.packagePath, g.finding.evidence.form]);
    expect(found).toEqual([
      ['small', 'grown-file'],
      ['added', 'new-file'],
    ]);
  });

  it('fingerprints survive the archive name but not the previous version of a whole-release growth', () => {
    const a = compareReleases(shape('2', { a: 1_000_000 }), shape('1', { a: 1000 }), ctx)[0].finding.fingerprint;
    const b = compareReleases(shape('2', { a: 1_000_000 }), shape('1', { a: 1000 }), { label: 'other.tgz', display: (p) => p })[0].finding.fingerprint;
    const c = compareReleases(shape('3', { a: 1_000_000 }), shape('1.5', { a: 1000 }), ctx)[0].finding.fingerprint;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('picks the release before: the highest lower version, pre-releases only for a pre-release', () => {
    const versions = ['1.0.0', '2.1.86', '2.1.87', '2.1.88', '2.2.0-beta.1', '10.0.0'];
    expect(previousVersion(versions, '2.1.88')).toBe('2.1.87');
    expect(previousVersion(versions, '2.2.0')).toBe('2.1.88');
    expect(previousVersion(versions, '2.2.0-beta.2')).toBe('2.2.0-beta.1');
    expect(previousVersion(versions, '1.0.0')).toBeUndefined();
    expect(previousVersion(versions, 'not-semver')).toBeUndefined();
  });

  it('parses npm: targets', () => {
    expect(parseNpmTarget('npm:acme@2.1.88')).toMatchObject({ name: 'acme', spec: '2.1.88' });
    expect(parseNpmTarget('npm:@acme/cli@^2')).toMatchObject({ name: '@acme/cli', spec: '^2' });
    expect(parseNpmTarget('npm:@acme/cli')).toMatchObject({ name: '@acme/cli', spec: 'latest' });
    expect(parseNpmTarget('dist')).toBeUndefined();
    expect(parseNpmTarget('npm:acme@')).toHaveProperty('error');
  });
});
