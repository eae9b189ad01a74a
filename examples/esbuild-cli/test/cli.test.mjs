// The example's own test, run after `npm run build` (with PILLBOX_KEY set, as for the build).
// It also builds two variants into a temporary directory through build.mjs: a development
// build to compare behaviour with, and a production build that would keep its maps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openManifest, parseKey } from 'pillbox';
import { build } from '../build.mjs';

const example = fileURLToPath(new URL('..', import.meta.url));
const dist = join(example, 'dist');
const work = mkdtempSync(join(tmpdir(), 'agent-cli-example-'));
const dev = join(work, 'dev');
const quiet = { manifestDir: join(work, 'manifests'), logLevel: 'silent' };

function cli(dir, args, env = {}) {
  return execFileSync(process.execPath, [join(dir, 'cli.js'), ...args], { cwd: example, encoding: 'utf8', env: { ...process.env, ...env } });
}

const texts = (dir) => readdirSync(dir).map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));

before(() => build({ ...quiet, production: false, outdir: dev }));
after(() => rmSync(work, { recursive: true, force: true }));

test('the production CLI behaves exactly like the development one', () => {
  const runs = [
    [['tools']],
    [['schema', 'search_text']],
    [['run', 'list_directory', 'src']],
    [['run', 'search_text', 'src/tools.ts', 'description']],
    [['flags'], { AGENT_FLAG_AGENT_PARALLEL_TOOLS: '1' }],
  ];
  for (const [args, env] of runs) assert.equal(cli(dist, args, env), cli(dev, args, env), args.join(' '));
  assert.match(cli(dist, ['tools']), /^read_file\s+Read a text file/m);
  assert.match(cli(dist, ['flags'], { AGENT_FLAG_AGENT_PARALLEL_TOOLS: '1' }), /agent_parallel_tools=on/);
});

test('development keeps its maps; production ships no map and no reference to one', () => {
  assert.ok(texts(dev).some((f) => f.name.endsWith('.map')));
  const shipped = texts(dist);
  assert.ok(shipped.length >= 2, 'cli.js and the lazily loaded runner chunk');
  for (const { name, text } of shipped) {
    assert.ok(!name.endsWith('.map'), name);
    assert.doesNotMatch(text, /[#@] ?sourceMappingURL=/, name);
  }
  assert.ok(shipped.find((f) => f.name === 'cli.js').text.startsWith('#!/usr/bin/env node\n'), 'the hashbang stays first');
});

test('the keyed decoys are in the bundle, recorded in a sealed manifest', () => {
  const path = join(example, '.pillbox/manifests/npm/1.4.0.json');
  const envelope = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(envelope.pillbox, 'manifest/v1');
  const manifest = openManifest(parseKey(process.env.PILLBOX_KEY), envelope);
  const names = new Map(manifest.decoys.map((d) => [d.id, d.name]));
  const bundle = texts(dist).map((f) => f.text).join('\n');
  assert.ok(manifest.placements.length > 0);
  for (const p of manifest.placements) assert.ok(bundle.includes(names.get(p.decoyId)), `decoy ${p.decoyId} in ${p.file}`);
  assert.ok(!bundle.includes(process.env.PILLBOX_KEY));
});

test('pillbox scan finds nothing in dist/', () => {
  const bin = join(dirname(createRequire(import.meta.url).resolve('pillbox/package.json')), 'bin', 'pillbox.js');
  const result = spawnSync(process.execPath, [bin, 'scan', 'dist'], { cwd: example, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('the build fails if a production build would ship a forbidden name in a map', async () => {
  const leaky = join(work, 'leaky');
  await assert.rejects(build({ ...quiet, production: true, sourcemaps: 'keep', outdir: leaky }), (error) => {
    const text = error.errors.map((e) => e.text).join('\n');
    assert.match(text, /forbidden-string/);
    assert.match(text, /forbid\[0\]/);
    assert.doesNotMatch(text + error.message, /kestrel-internal/);
    return true;
  });
  assert.deepEqual(readdirSync(leaky), [], 'nothing is left behind');
});
