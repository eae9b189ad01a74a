// The example's own test, run after `npm run build` (with PILLBOX_KEY set, as for the build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { openManifest, parseKey } from 'pillbox';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);
const assets = readdirSync(new URL('assets/', dist));
const text = assets.map((f) => readFileSync(new URL(`assets/${f}`, dist), 'utf8')).join('\n');
const entry = /src="\/(assets\/[^"]+\.js)"/.exec(readFileSync(new URL('index.html', dist), 'utf8'))[1];

test('the built console renders its summary', () => {
  const out = execFileSync(process.execPath, [new URL(entry, dist).pathname], { encoding: 'utf8' });
  assert.match(out, /3 tools: search_docs\(query\), open_ticket\(title, body\), summarize_thread\(threadId\)/);
  assert.match(out, /tickets hidden; streaming replies; console_thread_summaries on/);
});

test('no map ships, nothing points at one, and the worker is covered too', () => {
  assert.ok(assets.some((f) => /^worker-.*\.js$/.test(f)));
  assert.deepEqual(assets.filter((f) => f.endsWith('.map')), []);
  assert.doesNotMatch(text, /[#@] sourceMappingURL=/);
});

test('the maps are kept privately in .pillbox/maps, mirroring dist/', () => {
  for (const f of assets.filter((name) => name.endsWith('.js'))) {
    assert.ok(existsSync(new URL(`.pillbox/maps/dist/assets/${f}.map`, root)), f);
  }
});

test('the keyed decoys are in the bundle', () => {
  const manifest = openManifest(parseKey(process.env.PILLBOX_KEY), JSON.parse(readFileSync(new URL('.pillbox/manifests/web/0.9.2.json', root), 'utf8')));
  const placed = new Set(manifest.placements.map((p) => p.decoyId));
  const names = manifest.decoys.filter((d) => placed.has(d.id)).map((d) => d.name);
  assert.ok(names.length >= 4, `only ${names.length} decoys placed`);
  for (const name of names) assert.ok(text.includes(name), name);
});
