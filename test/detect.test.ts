import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decoy } from '../src/core/decoy-types.js';
import { KEY_PREFIX, parseKey } from '../src/core/key.js';
import { main } from '../src/cli/main.js';
import { detect, type DetectReport } from '../src/detect/detect.js';
import { loadManifests } from '../src/detect/manifests.js';
import { compileTargets } from '../src/detect/patterns.js';
import { leakedFragments, validateSarif } from './format-helpers.js';
import { bundleApp, haystack, mkdirp, plantRelease, realText, tempDir, TRANSFORMS, type PlantedRelease } from './detect-helpers.js';

// detect end to end: decoys planted by the real engine in a real esbuild build, found again in
// copies, in haystacks of real code and prose after every change a copier or a model makes,
// attributed to the right release; clean real text gives nothing; every input kind; every way
// to fail closed. The key never appears in any output.

// A fixed test key (derived, not written out), so the planted decoys are the same every run.
const KEY_TEXT = KEY_PREFIX + createHash('sha256').update('pillbox detect test key').digest().toString('base64url');
const KEY = parseKey(KEY_TEXT);
const OTHER_KEY_TEXT = KEY_PREFIX + createHash('sha256').update('another key').digest().toString('base64url');

let dir: string;
let manifestDir: string;
let npm1: PlantedRelease;
let npm2: PlantedRelease;
let ent1: PlantedRelease;
let filler: Buffer[];
const outputs: string[] = [];

async function cli(args: string[], opts: { stdin?: NodeJS.ReadableStream; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['detect', ...args], {
    cwd: dir,
    env: opts.env ?? { PILLBOX_KEY: KEY_TEXT },
    stdin: opts.stdin ?? Readable.from([]),
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    isTTY: false,
  });
  outputs.push(out, err);
  return { code, out, err };
}

function scope(report: DetectReport, tier: string, channel?: string, release?: string) {
  const s = report.scopes.find((x) => x.tier === tier && x.channel === channel && x.release === release);
  if (!s) throw new Error(`no scope ${tier} ${channel} ${release}`);
  return s;
}

function foundIds(report: DetectReport): Set<string> {
  return new Set(report.scopes.flatMap((s) => s.hits.map((h) => h.id)));
}

/** The attribution every copy of npm 1.0.0 must get. */
function expectNpm100(report: DetectReport, placed: Decoy[]) {
  expect(report.errors).toEqual([]);
  expect(report.controlHits).toEqual([]);
  const ids = foundIds(report);
  for (const d of placed) expect(ids, `${d.id} (${d.tier})`).toContain(d.id);
  expect(scope(report, 'product').significant).toBe(true);
  expect(scope(report, 'channel', 'npm').significant).toBe(true);
  expect(scope(report, 'release', 'npm', '1.0.0').significant).toBe(true);
  expect(scope(report, 'release', 'npm', '1.1.0').found).toBe(0);
  expect(scope(report, 'release', 'enterprise', '1.0.0').found).toBe(0);
  expect(scope(report, 'channel', 'enterprise').found).toBe(0);
}

async function detectFile(name: string, data: Buffer | string): Promise<DetectReport> {
  writeFileSync(join(dir, name), data);
  return detect({ inputs: [name], key: KEY, manifestDir, cwd: dir });
}

beforeAll(async () => {
  dir = tempDir();
  manifestDir = join(dir, '.pillbox/manifests');
  const code = await bundleApp();
  npm1 = await plantRelease(code, KEY, 'npm', '1.0.0', manifestDir);
  npm2 = await plantRelease(code, KEY, 'npm', '1.1.0', manifestDir);
  ent1 = await plantRelease(code, KEY, 'enterprise', '1.0.0', manifestDir);
  filler = realText(1 << 20);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('copies of a real build', () => {
  it('plants every tier in every release, with product decoys shared and release decoys distinct', () => {
    for (const r of [npm1, npm2, ent1]) {
      for (const tier of ['product', 'channel', 'release'] as const) expect(r.placed.some((d) => d.tier === tier), `${r.channel}/${r.release} ${tier}`).toBe(true);
    }
    const names = (r: PlantedRelease, tier: string) => r.manifest.decoys.filter((d) => d.tier === tier && !d.control).map((d) => d.name);
    expect(names(npm2, 'product')).toEqual(names(npm1, 'product'));
    expect(names(ent1, 'product')).toEqual(names(npm1, 'product'));
    expect(names(npm2, 'channel')).toEqual(names(npm1, 'channel'));
    expect(names(npm2, 'release').filter((n) => names(npm1, 'release').includes(n))).toEqual([]);
  });

  it('finds every placed decoy in a verbatim copy and names the release', async () => {
    const report = await detectFile('copy-1.0.0.js', npm1.code);
    expectNpm100(report, npm1.placed);
    const second = await detectFile('copy-1.1.0.js', npm2.code);
    expect(scope(second, 'release', 'npm', '1.1.0').significant).toBe(true);
    expect(scope(second, 'release', 'npm', '1.0.0').found).toBe(0);
  });

  it('finds them after the copier re-minifies the bundle', async () => {
    const reminified = await transform(npm1.code, { minify: true, treeShaking: true, format: 'esm' });
    const report = await detectFile('reminified.js', reminified.code);
    expect(scope(report, 'release', 'npm', '1.0.0').significant).toBe(true);
    expect(scope(report, 'product').significant).toBe(true);
  });
});

describe('haystacks of real text with the decoys changed as copiers and models change them', () => {
  it.each(Object.keys(TRANSFORMS))('%s: every decoy found and attributed to npm 1.0.0', async (label) => {
    const transform = TRANSFORMS[label];
    const hay = haystack(filler, npm1.placed.map((d) => transform(d.name)), label.length);
    const report = await detectFile(`hay-${label.replace(/\W/g, '')}.txt`, hay);
    expectNpm100(report, npm1.placed);
  });

  it('finds a renamed tool by its schema (its parameter names together)', async () => {
    const loaded = loadManifests({ dir: manifestDir, key: KEY });
    const compiled = compileTargets(loaded.scopes);
    const placedIds = new Set(npm1.placed.map((d) => d.id));
    const tool = compiled.targets.find((t) => placedIds.has(t.decoy.id) && t.schema && t.decoy.kind === 'tool');
    expect(tool, 'a placed tool with a distinctive schema').toBeDefined();
    const decoy = tool!.decoy as Decoy & { kind: 'tool' };
    // Renamed and re-described, parameters kept (in camelCase, as a model might rewrite them).
    const properties = Object.fromEntries(decoy.parameters.map((p) => [TRANSFORMS.camelCase(p.name), { type: p.type, description: 'kept' }]));
    const renamed = JSON.stringify({ name: 'totally_different_tool', description: 'Does something else.', input_schema: { type: 'object', properties } }, null, 2);
    const report = await detectFile('renamed.txt', haystack(filler, [renamed]));
    const hit = report.scopes.flatMap((s) => s.hits).find((h) => h.id === decoy.id);
    expect(hit?.locations.map((l) => l.match)).toContain('schema');
    expect(report.scopes.flatMap((s) => s.hits).filter((h) => h.id !== decoy.id)).toEqual([]);
  });

  it('counts one copied blob once, however often it repeats', async () => {
    const decoy = npm1.placed.find((d) => d.tier === 'release')!;
    const blob = `case "${decoy.name}": return 0;\n`;
    const report = await detectFile('repeated.txt', Buffer.concat([...filler.slice(0, 20), Buffer.from(blob.repeat(500))]));
    const s = scope(report, 'release', 'npm', '1.0.0');
    expect(s.found).toBe(1);
    expect(s.hits[0].occurrences).toBe(500);
    expect(s.hits[0].locations.length).toBeLessThanOrEqual(20);
    expect(s.significant).toBe(false);
  });
});

describe('controls and the correction', () => {
  it('lists a control found in the input with a warning, and the bound grows', async () => {
    const control = npm1.manifest.decoys.find((d) => d.control && d.tier === 'release')!;
    const clean = await detectFile('with-copy.js', npm1.code);
    const report = await detectFile('with-control.js', `${npm1.code}\n// ${TRANSFORMS['kebab-case'](control.name)}\n`);
    expect(report.controlHits.map((h) => h.id)).toEqual([control.id]);
    expect(report.warnings.join(' ')).toMatch(/1 control decoy was found in the input.*not trustworthy/);
    expect(report.search.controlRate).toBeGreaterThan(clean.search.controlRate);
    const text = (await cli(['with-control.js'])).out;
    expect(text).toContain('CONTROLS FOUND');
    const sarif = JSON.parse((await cli(['with-control.js', '--format', 'sarif'])).out);
    expect(sarif.runs[0].results.some((r: { ruleId: string; level: string }) => r.ruleId === 'decoy-control' && r.level === 'warning')).toBe(true);
  });

  it('multiplies each bound by the number of scopes tested', async () => {
    const report = await detectFile('copy-bonf.js', npm1.code);
    expect(report.scopesTested).toBe(6); // product, 2 channels, 3 releases
    for (const s of report.scopes) expect(s.adjusted).toBeCloseTo(Math.min(1, s.bound * 6), 30);
    const narrowed = await detect({ inputs: ['copy-bonf.js'], key: KEY, manifestDir, cwd: dir, channels: ['npm'], releases: ['1.0.0'] });
    expect(narrowed.scopesTested).toBe(3);
  });

  it('skips manifests of another key beside ours, with a warning', async () => {
    const mixed = join(dir, 'mixed');
    for (const [channel, release] of [['npm', '1.0.0'], ['npm', '1.1.0']]) {
      mkdirp(join(mixed, channel));
      writeFileSync(join(mixed, channel, `${release}.json`), readFileSync(join(manifestDir, channel, `${release}.json`)));
    }
    const foreign = join(dir, 'foreign-manifests');
    await plantRelease(npm1.code, parseKey(OTHER_KEY_TEXT), 'beta', '9.9.9', foreign);
    mkdirp(join(mixed, 'beta'));
    writeFileSync(join(mixed, 'beta', '9.9.9.json'), readFileSync(join(foreign, 'beta', '9.9.9.json')));
    writeFileSync(join(dir, 'copy.js'), npm1.code);
    const r = await cli(['copy.js', '--manifests', 'mixed']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/warning: mixed\/beta\/9\.9\.9\.json was sealed with another key \(id [0-9a-f]{16}\); ignored/);
  });
});

describe('clean real text', () => {
  it('gives no significant verdict and no control hits on tens of MB of real code and prose', async () => {
    const clean = realText(24 << 20, 1 << 20);
    const names = clean.map((_, i) => `clean/${String(i).padStart(5, '0')}.txt`);
    mkdirp(join(dir, 'clean'));
    clean.forEach((b, i) => writeFileSync(join(dir, names[i]), b));
    const report = await detect({ inputs: ['clean'], key: KEY, manifestDir, cwd: dir });
    expect(report.search.bytes).toBeGreaterThan(16 << 20);
    expect(report.errors).toEqual([]);
    expect(report.controlHits).toEqual([]);
    expect(report.scopes.filter((s) => s.significant)).toEqual([]);
    expect(report.scopes.flatMap((s) => s.hits)).toEqual([]);
    expect(report.significant).toBe(false);
    // The controls searched here are this corpus's own rule-of-three measurement.
    expect(report.search.controlsSearched).toBeGreaterThan(20);
  });
});

describe('inputs', () => {
  it('reads stdin', async () => {
    const r = await cli(['-', '--format', 'json'], { stdin: Readable.from([Buffer.from(npm1.code)]) });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as DetectReport;
    expect(scope(report, 'release', 'npm', '1.0.0').hits[0].locations[0].path).toBe('<stdin>');
  });

  it('reads JSON Lines transcripts, escapes decoded, locations by record', async () => {
    const lines = npm1.placed.map((d, i) =>
      JSON.stringify({ role: 'assistant', turn: i, content: [{ type: 'tool_use', input: JSON.stringify({ note: `calling ${d.name}\n`, name: d.name }) }] }),
    );
    const text = ['{"role":"user","content":"hello"}', ...lines].join('\n') + '\n';
    writeFileSync(join(dir, 'transcript.jsonl'), text);
    const r = await cli(['transcript.jsonl', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as DetectReport;
    expectNpm100(report, npm1.placed);
    const hit = report.scopes.flatMap((s) => s.hits).find((h) => h.id === npm1.placed[0].id)!;
    expect(hit.locations[0].record).toBe(2);
  });

  it('reads .tgz archives (nested ones too), .gz files and directories', async () => {
    const pkg = mkdirp(join(dir, 'pkgsrc/package/dist'));
    writeFileSync(join(pkg, 'cli.js'), npm1.code);
    writeFileSync(join(dir, 'pkgsrc/package/package.json'), '{"name":"copy","version":"1.0.0"}');
    execFileSync('tar', ['czf', join(dir, 'copy.tgz'), '-C', join(dir, 'pkgsrc'), 'package']);
    const tgz = await cli(['copy.tgz', '--format', 'json']);
    expect(tgz.code).toBe(1);
    const report = JSON.parse(tgz.out) as DetectReport;
    expectNpm100(report, npm1.placed);
    expect(scope(report, 'product').hits[0].locations[0].path).toBe('copy.tgz!package/dist/cli.js');
    // A package tarball inside a dataset tarball, beside a gzipped transcript.
    mkdirp(join(dir, 'dataset/data'));
    writeFileSync(join(dir, 'dataset/data/copy-1.0.0.tgz'), readFileSync(join(dir, 'copy.tgz')));
    const noted = npm1.placed.find((d) => d.tier === 'release')!;
    writeFileSync(join(dir, 'dataset/data/notes.txt.gz'), gzipSync(`see ${noted.name.toUpperCase()}\n`));
    execFileSync('tar', ['czf', join(dir, 'dataset.tgz'), '-C', join(dir, 'dataset'), 'data']);
    const nested = await cli(['dataset.tgz', '--format', 'json']);
    expect(nested.code).toBe(1);
    const nestedReport = JSON.parse(nested.out) as DetectReport;
    expectNpm100(nestedReport, npm1.placed);
    const paths = nestedReport.scopes.flatMap((x) => x.hits.flatMap((h) => h.locations.map((l) => l.path)));
    expect(paths).toContain('dataset.tgz!data/copy-1.0.0.tgz!package/dist/cli.js');
    expect(paths).toContain('dataset.tgz!data/notes.txt.gz');
    expect(nestedReport.inputs[0].files).toBe(3);
    writeFileSync(join(dir, 'copy.js.gz'), gzipSync(npm1.code));
    const gz = await cli(['copy.js.gz', '--format', 'json']);
    expect(gz.code).toBe(1);
    expect(scope(JSON.parse(gz.out) as DetectReport, 'product').hits[0].locations[0].path).toBe('copy.js.gz');
    const folder = await cli(['pkgsrc']);
    expect(folder.code).toBe(1);
    expect(folder.out).toContain('pkgsrc/package/dist/cli.js:');
    expect(folder.out).toMatch(/SIGNIFICANT {2}release decoys: from release 1\.0\.0 of channel npm/);
  });

  it('narrows scopes with --channel and --release, and writes SARIF', async () => {
    writeFileSync(join(dir, 'copy-ent.js'), ent1.code);
    const r = await cli(['copy-ent.js', '--channel', 'enterprise', '--format', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.out);
    expect(validateSarif(sarif)).toEqual([]);
    const results = sarif.runs[0].results as Array<{ ruleId: string; level: string; properties: { channel?: string } }>;
    expect(results.some((x) => x.ruleId === 'decoy-release' && x.level === 'error')).toBe(true);
    expect(results.every((x) => x.properties.channel === undefined || x.properties.channel === 'enterprise')).toBe(true);
    const none = await cli(['copy-ent.js', '--release', '1.1.0', '--channel', 'npm']);
    expect(none.code).toBe(1); // product decoys still there
    expect(none.out).toContain('none found  release decoys: from release 1.1.0 of channel npm');
  });

  it('exits 0 on clean input', async () => {
    writeFileSync(join(dir, 'clean.js'), filler.slice(0, 50).join('\n'));
    const r = await cli(['clean.js']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no significant match');
  });
});

describe('failing closed', () => {
  it('exits 2 on a missing file, and still reports what it read', async () => {
    writeFileSync(join(dir, 'copy.js'), npm1.code);
    const r = await cli(['copy.js', 'missing.js']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('missing.js: no such file or directory');
  });

  it('exits 2 on a corrupt or truncated tarball', async () => {
    writeFileSync(join(dir, 'junk.tgz'), Buffer.from('this is not gzip data at all'));
    const junk = await cli(['junk.tgz']);
    expect(junk.code).toBe(2);
    expect(junk.out).toMatch(/junk\.tgz: not a readable tarball/);
    const whole = readFileSync(join(dir, 'copy.tgz'));
    writeFileSync(join(dir, 'cut.tgz'), whole.subarray(0, Math.floor(whole.length / 2)));
    const cut = await cli(['cut.tgz']);
    expect(cut.code).toBe(2);
    expect(cut.out).toMatch(/cut\.tgz: not a readable tarball/);
    mkdirp(join(dir, 'outer'));
    writeFileSync(join(dir, 'outer/bad.tgz'), Buffer.from('not gzip either'));
    execFileSync('tar', ['czf', join(dir, 'outer.tgz'), '-C', join(dir, 'outer'), 'bad.tgz']);
    const nested = await cli(['outer.tgz']);
    expect(nested.code).toBe(2);
    expect(nested.out).toMatch(/outer\.tgz!bad\.tgz: not a readable tarball/);
  });

  it('exits 2 without a key, with a malformed key, or with another key', async () => {
    writeFileSync(join(dir, 'copy.js'), npm1.code);
    const none = await cli(['copy.js'], { env: {} });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no key.*pillbox keygen/);
    const bad = await cli(['copy.js'], { env: { PILLBOX_KEY: 'pbk1_short' } });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('PILLBOX_KEY is malformed');
    const other = await cli(['copy.js'], { env: { PILLBOX_KEY: OTHER_KEY_TEXT } });
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/sealed with another key \(id [0-9a-f]{16}\), not this one/);
    writeFileSync(join(dir, 'key.txt'), KEY_TEXT + '\n');
    const fromFile = await cli(['copy.js', '--key-file', 'key.txt'], { env: {} });
    expect(fromFile.code).toBe(1);
  });

  it('exits 2 on a tampered manifest, and when no manifest matches', async () => {
    const tamperedDir = join(dir, 'tampered');
    const src = join(manifestDir, 'npm', '1.0.0.json');
    const envelope = JSON.parse(readFileSync(src, 'utf8'));
    const data: string = envelope.data;
    envelope.data = data.slice(0, 40) + (data[40] === 'A' ? 'B' : 'A') + data.slice(41);
    mkdirp(join(tamperedDir, 'npm'));
    writeFileSync(join(tamperedDir, 'npm', '1.0.0.json'), JSON.stringify(envelope));
    const r = await cli(['copy.js', '--manifests', 'tampered']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/failed authentication/);
    const nomatch = await cli(['copy.js', '--channel', 'beta']);
    expect(nomatch.code).toBe(2);
    expect(nomatch.err).toContain('no manifest matches --channel beta');
    const nodir = await cli(['copy.js', '--manifests', 'nowhere']);
    expect(nodir.code).toBe(2);
    expect(nodir.err).toContain('no manifests');
  });

  it('never prints the key, in any output above', () => {
    const body = KEY_TEXT.slice(KEY_PREFIX.length);
    expect(outputs.length).toBeGreaterThan(10);
    for (const text of outputs) {
      expect(leakedFragments(text, body, 8)).toEqual([]);
      expect(leakedFragments(text, KEY.toString('hex'), 12)).toEqual([]);
    }
  });
});
