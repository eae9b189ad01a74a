import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Report } from '../src/core/findings.js';
import { generateKey } from '../src/core/key.js';
// @ts-expect-error: plain ESM fixture generator without types
import { INTERNAL_HOST } from '../fixtures/incident/app.mjs';
// @ts-expect-error: plain ESM fixture generator without types
import { makeIncident } from '../fixtures/incident/make.mjs';
// @ts-expect-error: plain ESM fixture generator without types
import { makeClean } from '../fixtures/clean/make.mjs';
import { leakedFragments, validateReport, validateSarif } from './format-helpers.js';

// `pillbox scan` end to end, in process, on packages built by the real esbuild and packed by the
// real `npm pack` (fixtures/incident, fixtures/clean), with the real engine.

interface Built {
  tgz: string;
  pkgDir: string;
}

let work: string;
let incident: Built;
let clean: Built;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pillbox-cli-'));
  const build = join(work, 'build');
  [incident, clean] = await Promise.all([makeIncident(build), makeClean(build)]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], cwd = project({})): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd,
    env: {},
    isTTY: false,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

let projects = 0;
/** A fresh working directory holding `files` (objects are written as JSON). */
function project(files: Record<string, string | object>): string {
  const dir = join(work, `p${projects++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

const json = (r: Run) => JSON.parse(r.stdout) as Report;
const codes = (r: Report) => r.findings.map((f) => f.code).sort();

describe('formats', () => {
  it('text: the incident package fails with the map, its exposure and a fix', async () => {
    const r = await run(['scan', incident.tgz]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('CRITICAL (1)');
    expect(r.stdout).toMatch(/source-map-with-content {2}\S+acme-agent-cli-2\.1\.88\.tgz!package\/dist\/cli\.js\.map/);
    expect(r.stdout).toMatch(/\d+ sources, \d+ with content, [\d,]+ lines/);
    expect(r.stdout).toContain('fix: Do not publish maps');
    expect(r.stdout).toMatch(/Exposure: 1 map exposes \d+ first-party files/);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('FAIL: 1 finding at or above --fail-on high (1 critical)');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('text: the clean twin passes', async () => {
    const r = await run(['scan', clean.tgz]);
    expect(r.stdout).toContain('No leaks found.');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('PASS: nothing at or above --fail-on high');
    expect(r.code).toBe(0);
  });

  it('text: colours on a TTY unless NO_COLOR is set', async () => {
    const cwd = project({});
    let out = '';
    expect(await main(['scan', incident.tgz], { cwd, env: {}, isTTY: true, stdout: (t) => void (out += t), stderr: () => {} })).toBe(1);
    expect(out).toContain('\x1b[');
    out = '';
    await main(['scan', incident.tgz], { cwd, env: { NO_COLOR: '1' }, isTTY: true, stdout: (t) => void (out += t), stderr: () => {} });
    expect(out).not.toContain('\x1b[');
  });

  it('json: the report, valid against the shipped schema, with the verdict on stderr', async () => {
    const r = await run(['scan', incident.tgz, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = json(r);
    expect(validateReport(report)).toEqual([]);
    expect(codes(report)).toEqual(['source-map-with-content']);
    expect(report.findings[0].path).toMatch(/acme-agent-cli-2\.1\.88\.tgz!package\/dist\/cli\.js\.map$/);
    expect(report.exposure.mapsWithContent).toBe(1);
    expect(r.stderr).toBe('pillbox: FAIL: 1 finding at or above --fail-on high (1 critical)\n');
  });

  it('sarif: valid against the official SARIF 2.1.0 schema, located inside the package', async () => {
    const r = await run(['scan', incident.tgz, clean.tgz, '--format', 'sarif']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Log;
    expect(validateSarif(log)).toEqual([]);
    const [result] = log.runs[0].results!;
    expect(log.runs[0].results).toHaveLength(1);
    expect(result.ruleId).toBe('source-map-with-content');
    expect(result.level).toBe('error');
    expect(result.locations![0].physicalLocation!.artifactLocation).toEqual({ uri: 'dist/cli.js.map' });
    expect(result.partialFingerprints!['pillbox/v1']).toMatch(/^[0-9a-f]{16,}$/);
  });

  it('sarif: repository-relative URIs for a directory inside a git repository', async () => {
    const repo = project({ 'pkg/dist/index.js': 'export const a = 1;\n', 'pkg/dist/index.js.map': { version: 3, sources: ['../src/index.ts'], names: [], mappings: 'AAAA' } });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const r = await run(['scan', 'dist', '--format', 'sarif'], join(repo, 'pkg'));
    const log = JSON.parse(r.stdout) as Log;
    expect(validateSarif(log)).toEqual([]);
    const locations = log.runs[0].results!.map((x) => x.locations![0].physicalLocation!.artifactLocation);
    expect(locations).toContainEqual({ uri: 'pkg/dist/index.js.map', uriBaseId: 'SRCROOT' });
    expect(log.runs[0].originalUriBaseIds!.SRCROOT).toBeDefined();
  });

  it('github: workflow-command annotations', async () => {
    const r = await run(['scan', incident.tgz, '--format', 'github']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^::error file=dist\/cli\.js\.map,title=source-map-with-content::\[critical\] /);
    expect(lines.at(-1)).toMatch(/^::error title=pillbox::FAIL: 1 finding/);
  });

  it('--annotate: the report to --output and the same findings as annotations on stdout, from one scan', async () => {
    const cwd = project({});
    const r = await run(['scan', incident.tgz, '--format', 'sarif', '--output', 'pillbox.sarif', '--annotate'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('pillbox: sarif report written to pillbox.sarif. FAIL: 1 finding at or above --fail-on high (1 critical)\n');
    expect(r.stdout).toBe((await run(['scan', incident.tgz, '--format', 'github'], cwd)).stdout);
    expect(validateSarif(JSON.parse(readFileSync(join(cwd, 'pillbox.sarif'), 'utf8')))).toEqual([]);
    const alone = await run(['scan', incident.tgz, '--annotate'], cwd);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--annotate needs --output FILE/);
  });

  it('--output writes the report to a file and prints a one-line summary to stderr', async () => {
    const cwd = project({});
    const r = await run(['scan', incident.tgz, '--format', 'json', '--output', 'reports/scan.json'], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('pillbox: json report written to reports/scan.json. FAIL: 1 finding at or above --fail-on high (1 critical)\n');
    expect(validateReport(JSON.parse(readFileSync(join(cwd, 'reports/scan.json'), 'utf8')))).toEqual([]);
    const text = await run(['scan', clean.tgz, '--output', 'out.txt'], cwd);
    expect(text.code).toBe(0);
    expect(readFileSync(join(cwd, 'out.txt'), 'utf8')).toContain('No leaks found.');
  });
});

describe('thresholds and exit codes', () => {
  // One medium finding (a dangling reference) and nothing else.
  const mediumOnly = () => project({ 'dist/index.js': 'export const a = 1;\n//# sourceMappingURL=index.js.map\n' });

  it('judges --fail-on: critical, high, medium, low, none', async () => {
    const dir = mediumOnly();
    const base = await run(['scan', 'dist', '--format', 'json'], dir);
    expect(codes(json(base))).toEqual(['dangling-reference']);
    expect(json(base).findings[0].severity).toBe('medium');
    const expected = { critical: 0, high: 0, medium: 1, low: 1, none: 0 };
    for (const [failOn, code] of Object.entries(expected)) {
      expect((await run(['scan', 'dist', '--fail-on', failOn], dir)).code, failOn).toBe(code);
    }
    expect((await run(['scan', incident.tgz, '--fail-on', 'none'])).code).toBe(0);
    expect((await run(['scan', incident.tgz, '--fail-on', 'critical'])).code).toBe(1);
  });

  it('exits 2 for a missing target, and 2 wins over 1 with the findings still reported', async () => {
    const cwd = project({ 'broken.tgz': Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]).toString('latin1') });
    const missing = await run(['scan', 'does-not-exist'], cwd);
    expect(missing.code).toBe(2);
    const both = await run(['scan', incident.tgz, 'broken.tgz', '--format', 'json'], cwd);
    expect(both.code).toBe(2);
    const report = json(both);
    expect(codes(report)).toEqual(['source-map-with-content']);
    expect(report.errors.length).toBeGreaterThan(0);
    expect(both.stderr).toMatch(/^pillbox: INCOMPLETE: \d+ errors? — this is not a pass/);
    const text = await run(['scan', incident.tgz, 'broken.tgz', '--fail-on', 'none'], cwd);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/scan incomplete: \d+ errors? — this is not a pass/);
  });

  it('rejects invalid flag values with exit 2 and a clear message', async () => {
    const format = await run(['scan', clean.tgz, '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/argument 'xml' is invalid\. Allowed choices are text, json, sarif, github/);
    const failOn = await run(['scan', clean.tgz, '--fail-on', 'severe']);
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toMatch(/Allowed choices are critical, high, medium, low, none/);
    const unknown = await run(['scan', clean.tgz, '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('--help lists the exit codes and exits 0', async () => {
    const r = await run(['scan', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
  });
});

describe('configuration', () => {
  // A map without sourcesContent: one high finding.
  const highOnly = (files: Record<string, string | object> = {}) =>
    project({ 'dist/index.js': 'export const a = 1;\n', 'dist/index.js.map': { version: 3, sources: ['../src/index.ts'], names: [], mappings: 'AAAA' }, ...files });

  it('reads failOn from pillbox.config.json, .mjs and .js, and package.json#pillbox; the flag wins', async () => {
    const kinds: Record<string, string | object> = {
      'pillbox.config.json': { failOn: 'critical' },
      'pillbox.config.mjs': "export default { failOn: 'critical' };\n",
      'pillbox.config.js': "module.exports = { failOn: 'critical' };\n",
      'package.json': { name: 'app', version: '1.0.0', pillbox: { failOn: 'critical' } },
    };
    expect((await run(['scan', 'dist'], highOnly())).code).toBe(1);
    for (const [name, content] of Object.entries(kinds)) {
      const dir = highOnly({ [name]: content });
      expect((await run(['scan', 'dist'], dir)).code, name).toBe(0);
      expect((await run(['scan', 'dist', '--fail-on', 'high'], dir)).code, `${name} + --fail-on`).toBe(1);
    }
  });

  it('uses --config FILE', async () => {
    const dir = highOnly({ 'ci/pillbox.json': { failOn: 'none' } });
    expect((await run(['scan', 'dist', '--config', 'ci/pillbox.json'], dir)).code).toBe(0);
  });

  it('exits 2 on a bad config, naming the file and the key, without scanning', async () => {
    const r = await run(['scan', 'dist'], highOnly({ 'pillbox.config.json': { allow: [{ path: 'dist/*.map' }] } }));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pillbox scan: bad-config: pillbox.config.json: allow[0].reason: required: say why this is allowed (reviewers and future you will ask)\n');
    expect(r.stdout).toBe('');
    const pkg = await run(['scan', 'dist'], highOnly({ 'package.json': { name: 'a', pillbox: { forbid: ['x'] } } }));
    expect(pkg.code).toBe(2);
    expect(pkg.stderr).toMatch(/package\.json#pillbox\.forbid: not allowed in package\.json/);
    const key = await run(['scan', 'dist'], highOnly({ 'pillbox.config.json': { key: 'pbk1_' + 'B'.repeat(43) } }));
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/key: a decoy key is never read from a config file/);
    expect(key.stderr).not.toContain('BBBB');
  });

  it('allow suppresses by glob inside archives, only for its code, and counts what it suppressed', async () => {
    const allowed = project({ 'pillbox.config.json': { allow: [{ path: 'dist/*.map', code: 'source-map-with-content', reason: 'demo' }] } });
    const r = await run(['scan', incident.tgz, '--format', 'json'], allowed);
    expect(r.code).toBe(0);
    expect(json(r).findings).toEqual([]);
    expect(json(r).suppressed).toEqual({ allowed: 1, baseline: 0 });

    const otherCode = project({ 'pillbox.config.json': { allow: [{ path: 'dist/*.map', code: 'source-map', reason: 'maps without content only' }] } });
    expect((await run(['scan', incident.tgz], otherCode)).code).toBe(1);
    const otherPath = project({ 'pillbox.config.json': { allow: [{ path: 'lib/**', reason: 'not this one' }] } });
    expect((await run(['scan', incident.tgz], otherPath)).code).toBe(1);
  });

  it('baseline: a previous JSON report suppresses the same findings after a version bump, not new ones', async () => {
    const cwd = project({});
    expect((await run(['scan', incident.tgz, '--format', 'json', '--output', 'base.json'], cwd)).code).toBe(1);

    // The next release: same build, version bumped (so a new archive name), and a source file
    // shipped by mistake.
    const next = join(work, 'next');
    cpSync(incident.pkgDir, next, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(next, 'package.json'), 'utf8'));
    pkg.version = '2.1.89';
    pkg.files = ['dist', 'src/util/strings.ts'];
    writeFileSync(join(next, 'package.json'), JSON.stringify(pkg));
    const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: next, encoding: 'utf8' }));
    const nextTgz = join(work, filename);
    expect(filename).toBe('acme-agent-cli-2.1.89.tgz');

    const withFlag = await run(['scan', nextTgz, '--format', 'json', '--baseline', 'base.json'], cwd);
    const report = json(withFlag);
    expect(report.suppressed!.baseline).toBe(1);
    expect(codes(report)).not.toContain('source-map-with-content');
    expect(codes(report).length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.path.includes('src/util/strings.ts'))).toBe(true);

    // The same through the config key, resolved from the config's directory.
    writeFileSync(join(cwd, 'pillbox.config.json'), JSON.stringify({ baseline: 'base.json', failOn: 'critical' }));
    const withConfig = await run(['scan', nextTgz, '--format', 'json'], cwd);
    expect(json(withConfig).suppressed!.baseline).toBe(1);
    expect(withConfig.code).toBe(report.findings.some((f) => f.severity === 'critical') ? 1 : 0);

    // Without the baseline the map is reported again.
    expect(codes(json(await run(['scan', nextTgz, '--format', 'json'])))).toContain('source-map-with-content');
  });

  it('a baseline that cannot be read is exit 2, never an empty baseline', async () => {
    const cwd = project({ 'bad.json': '{"not":"a report"}' });
    const missing = await run(['scan', clean.tgz, '--baseline', 'nope.json'], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read the baseline report \(ENOENT\)/);
    const bad = await run(['scan', clean.tgz, '--baseline', 'bad.json'], cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: not a pillbox JSON report/);
  });
});

describe('forbidden strings never appear, not even in part', () => {
  // INTERNAL_HOST is compiled out of the bundle but present in the map's sourcesContent.
  const forbidden = INTERNAL_HOST as string;

  it('is found inside the map and redacted in every format, stdout, stderr and --output alike', async () => {
    const cwd = project({ 'pillbox.config.mjs': `export default { forbid: ['${forbidden}', /kz7q-[a-z]+/] };\n` });
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = await run(['scan', incident.tgz, '--format', format], cwd);
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).toContain('forbid[0]');
      expect(leakedFragments(r.stdout + r.stderr, forbidden), format).toEqual([]);
      const file = await run(['scan', incident.tgz, '--format', format, '--output', `out.${format}`], cwd);
      expect(leakedFragments(readFileSync(join(cwd, `out.${format}`), 'utf8') + file.stderr, forbidden), `${format} --output`).toEqual([]);
    }
    const annotated = await run(['scan', incident.tgz, '--format', 'sarif', '--output', 'out-annotated.sarif', '--annotate'], cwd);
    expect(annotated.stdout).toContain('forbid[0]');
    expect(leakedFragments(annotated.stdout + annotated.stderr, forbidden), '--annotate').toEqual([]);
    const report = json(await run(['scan', incident.tgz, '--format', 'json'], cwd));
    const hit = report.findings.find((f) => f.code === 'forbidden-string');
    expect(hit?.severity).toBe('critical');
    expect(hit?.evidence.rule).toBe('forbid[0]');
  });

  it('is redacted from paths on disk (a repository whose folder name holds it)', async () => {
    const repo = join(work, `repo-${forbidden}`);
    mkdirSync(join(repo, 'dist'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    writeFileSync(join(repo, 'dist/index.js.map'), JSON.stringify({ version: 3, sources: ['../src/index.ts'], names: [], mappings: 'AAAA' }));
    writeFileSync(join(repo, 'pillbox.config.json'), JSON.stringify({ forbid: [forbidden] }));
    const r = await run(['scan', 'dist', '--format', 'sarif'], repo);
    expect(r.code).toBe(1);
    expect(leakedFragments(r.stdout + r.stderr, forbidden)).toEqual([]);
    expect(validateSarif(JSON.parse(r.stdout))).toEqual([]);
  });

  it('the clean build (where the feature was compiled out) does not contain it', async () => {
    const cwd = project({ 'pillbox.config.json': { forbid: [forbidden] } });
    expect((await run(['scan', clean.tgz], cwd)).code).toBe(0);
  });
});

describe('decoy keys never appear', () => {
  it('a shipped key file is reported without the key, in every format', async () => {
    const key = generateKey();
    const cwd = project({ 'dist/index.js': 'export const a = 1;\n', 'dist/.env': `PILLBOX_KEY=${key}\n` });
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = await run(['scan', 'dist', '--format', format], cwd);
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).toContain('pillbox-private-file');
      // Random base64url: any 12-character fragment appearing by chance is negligible.
      expect(leakedFragments(r.stdout + r.stderr, key.slice(5), 12), format).toEqual([]);
    }
  });
});

describe('bin/pillbox.js', () => {
  it('runs the built CLI as a process', () => {
    const root = join(__dirname, '..');
    // Other builds may be rewriting dist/: build only under the build lock, and run under a
    // shared hold of it so no build removes dist/ mid-run.
    const lock = '/tmp/pillbox-build.lock';
    if (!existsSync(join(root, 'dist/cli.js'))) {
      execFileSync('flock', [lock, 'sh', '-c', 'test -f dist/cli.js || npm run build'], { cwd: root, stdio: 'ignore' });
    }
    const pillbox = (...args: string[]) =>
      spawnSync('flock', ['-s', lock, process.execPath, join(root, 'bin/pillbox.js'), 'scan', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const r = pillbox(incident.tgz, '--format', 'json');
    expect(r.status).toBe(1);
    expect(validateReport(JSON.parse(r.stdout))).toEqual([]);
    expect(r.stderr).toMatch(/^pillbox: FAIL: 1 finding/);
    const ok = pillbox(clean.tgz);
    expect(ok.stdout).toContain('No leaks found.');
    expect(ok.status).toBe(0);
  });
});
