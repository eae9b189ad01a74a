// The example's own test, run after `npm run build` (with PILLBOX_KEY set, as for the build).
// It also makes a development build in a temporary directory, to compare behaviour with.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openManifest, parseKey } from 'pillbox';

const require = createRequire(import.meta.url);
const webpack = require('webpack');
const createConfig = require('../webpack.config.js');

const example = fileURLToPath(new URL('..', import.meta.url));
const dist = join(example, 'dist');
const work = mkdtempSync(join(tmpdir(), 'webpack-app-example-'));
const dev = join(work, 'dev');

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function call(dir, request) {
  return execFileSync(process.execPath, [join(dir, 'server.js'), JSON.stringify(request)], { encoding: 'utf8' });
}

before(
  () =>
    new Promise((resolve, reject) => {
      const config = createConfig({ outDir: dev, manifestDir: join(work, 'manifests') }, { mode: 'development' });
      webpack(config, (error, stats) => (error || stats.hasErrors() ? reject(error ?? new Error(stats.toString('errors-only'))) : resolve()));
    }),
);
after(() => rmSync(work, { recursive: true, force: true }));

test('the production build behaves exactly like the development one (worker and lazy chunk included)', () => {
  const requests = [
    { type: 'list_tools' },
    { type: 'list_tools', flags: { agent_write_access: true } },
    { type: 'call_tool', name: 'summarise_text', input: { text: 'Plans first. Then tools. Then tests.', sentences: 1 } },
    { type: 'call_tool', name: 'summarise_text', input: { text: 'Plans first. Then tools. Then tests.', sentences: 1 }, flags: { agent_long_summaries: true } },
    { type: 'call_tool', name: 'checksum_text', input: { text: 'read_file' } },
  ];
  for (const r of requests) assert.equal(call(dist, r), call(dev, r), JSON.stringify(r));
  assert.equal(call(dist, requests[2]), '{"result":"Plans first."}\n');
  assert.match(call(dist, requests[4]), /^\{"result":"[0-9a-f]{8}"\}\n$/);
});

test('dist/ holds no map and no reference to one; every map is in .pillbox/maps, named after its file', () => {
  const shipped = files(dist);
  assert.ok(shipped.filter((f) => f.startsWith('chunks/')).length >= 2, 'the lazy chunk and the worker');
  for (const f of shipped) {
    assert.ok(!f.endsWith('.map'), f);
    assert.doesNotMatch(readFileSync(join(dist, f), 'utf8'), /[#@] ?sourceMappingURL=/, f);
  }
  // (Maps of earlier builds stay there too, until you upload and remove them.)
  const hidden = join(example, '.pillbox/maps/dist');
  const maps = shipped.map((f) => f + '.map');
  for (const m of maps) assert.ok(files(hidden).includes(m), `${m} is in .pillbox/maps/dist`);
  // The private maps are complete: every source file is recoverable from them.
  const contents = maps.flatMap((f) => JSON.parse(readFileSync(join(hidden, f), 'utf8')).sourcesContent);
  for (const src of readdirSync(join(example, 'src'))) {
    assert.ok(contents.includes(readFileSync(join(example, 'src', src), 'utf8')), `src/${src} is in a hidden map`);
  }
});

test('the keyed decoys are in the bundle, recorded in a sealed manifest', () => {
  const envelope = JSON.parse(readFileSync(join(example, '.pillbox/manifests/npm/2.0.0.json'), 'utf8'));
  const manifest = openManifest(parseKey(process.env.PILLBOX_KEY), envelope);
  const names = new Map(manifest.decoys.map((d) => [d.id, d.name]));
  const bundle = files(dist).map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
  assert.ok(manifest.placements.length > 0);
  for (const p of manifest.placements) assert.ok(bundle.includes(names.get(p.decoyId)), `decoy ${p.decoyId}`);
});

test('pillbox scan finds nothing in dist/', () => {
  const bin = join(dirname(require.resolve('pillbox/package.json')), 'bin', 'pillbox.js');
  const result = spawnSync(process.execPath, [bin, 'scan', 'dist'], { cwd: example, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
