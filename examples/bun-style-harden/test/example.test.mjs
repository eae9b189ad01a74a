// The example's own test, run after `npm run build` (with PILLBOX_KEY set, as for the build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openManifest, parseKey } from 'pillbox';

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);
const files = readdirSync(dist);
const cli = (args, env = {}) => execFileSync(process.execPath, [fileURLToPath(new URL('cli.js', dist)), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('the CLI works after hardening', () => {
  assert.equal(cli(['tools']), 'bash(command: string, timeout?: number)\nedit_file(path: string, old_text: string, new_text: string)\ngrep(pattern: string, glob?: string)\n');
  assert.doesNotMatch(cli(['tools'], { CODER_SHELL_ACCESS: '0' }), /bash/);
  assert.match(cli(['flags']), /coder_plan_mode: on \(the agent proposes a plan before editing\)/);
});

test('the map the bundler wrote (with no comment pointing at it) is gone', () => {
  assert.deepEqual(files, ['cli.js']);
});

test('pillbox scan passes on what would be published', () => {
  const bin = fileURLToPath(new URL('node_modules/.bin/pillbox', root));
  execFileSync(bin, ['scan', 'dist'], { cwd: fileURLToPath(root), encoding: 'utf8' });
});

test('the keyed decoys are in the bundle', () => {
  const manifest = openManifest(parseKey(process.env.PILLBOX_KEY), JSON.parse(readFileSync(new URL('.pillbox/manifests/npm/2.1.88.json', root), 'utf8')));
  const placed = new Set(manifest.placements.map((p) => p.decoyId));
  const names = manifest.decoys.filter((d) => placed.has(d.id)).map((d) => d.name);
  const text = readFileSync(new URL('cli.js', dist), 'utf8');
  assert.ok(names.length >= 4, `only ${names.length} decoys placed`);
  for (const name of names) assert.ok(text.includes(name), name);
});
