// The example's own test, run after `npm run build` (with PILLBOX_KEY set, as for the build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { openManifest, parseKey } from 'pillbox';

const dist = new URL('../dist/', import.meta.url);
const files = readdirSync(dist);
const text = files.map((f) => readFileSync(new URL(f, dist), 'utf8')).join('\n');
const cli = (...args) => execFileSync(process.execPath, [new URL('cli.js', dist).pathname, ...args], { encoding: 'utf8' });

test('the library and its CLI work', async () => {
  const { createAgent } = await import(new URL('index.js', dist));
  const agent = createAgent({ flags: { agent_write_access: true } });
  assert.equal(agent.tools.has('write_file'), true);
  assert.deepEqual(await agent.planTask('read README.md then test'), [
    { tool: 'read_file', args: { path: 'readme.md' } },
    { tool: 'run_tests', args: {} },
  ]);
  assert.match(cli('tools'), /read_file \(needs path\)/);
  assert.doesNotMatch(cli('tools'), /write_file/);
  assert.match(cli('tools', '--flag=agent_write_access=true'), /write_file/);
  assert.match(cli('flags'), /agent_auto_compact=true/);
});

test('no source map and no reference to one ships', () => {
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
  assert.doesNotMatch(text, /[#@] sourceMappingURL=/);
});

test('the keyed decoys are in the bundle', () => {
  const key = parseKey(process.env.PILLBOX_KEY);
  const envelope = JSON.parse(readFileSync(new URL('../.pillbox/manifests/npm/1.4.0.json', import.meta.url), 'utf8'));
  const manifest = openManifest(key, envelope);
  const placed = new Set(manifest.placements.map((p) => p.decoyId));
  const names = manifest.decoys.filter((d) => placed.has(d.id)).map((d) => d.name);
  assert.ok(names.length >= 8, `only ${names.length} decoys placed`);
  for (const name of names) assert.ok(text.includes(name), name);
});
