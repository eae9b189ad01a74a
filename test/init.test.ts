import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { npmPackFiles } from '../src/gate/published.js';
import { cleanEnv, cleanupTemp, cli, read, snapshot, tempDir, write } from './gate-helpers.js';

// `pillbox init` on real folders, checked with the real packer (npm pack --dry-run).

// Real package managers on a busy 2-core machine: generous limits (timings are never asserted).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

afterAll(cleanupTemp);

const env = cleanEnv();

async function packed(dir: string): Promise<string[]> {
  const listed = await npmPackFiles(dir, env);
  if ('error' in listed) throw new Error(listed.error);
  return listed.files.map((f) => f.path).sort();
}

function pkg(files: Record<string, string | object>, json: object = {}): string {
  return write(tempDir('init'), { 'package.json': { name: 'acme-cli', version: '1.0.0', ...json }, ...files });
}

describe('pillbox init: npm package without a files list', () => {
  it('wires postpack, writes the config, carries .gitignore into a new .npmignore, and keeps private files out', async () => {
    const dir = pkg({
      '.gitignore': 'node_modules\n.env\ncoverage/\n',
      '.env': 'TOKEN=do-not-ship\n',
      'coverage/lcov.info': 'TN:\n',
      'index.js': 'export const a = 1;\n',
    });
    const before = await packed(dir);
    expect(before).toEqual(['index.js', 'package.json']);

    const r = await cli(['init'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pillbox init: npm (no lockfile or packageManager field: the default)');
    expect(r.stdout).toContain('changed package.json: scripts.postpack = "pillbox scan"');
    expect(r.stdout).toContain('changed pillbox.config.mjs: created');
    expect(r.stdout).toMatch(/changed \.npmignore: created .*carried over/);
    expect(r.stdout).toContain('changed .gitignore: added .pillbox/maps/');
    expect(r.stdout).toContain('note: add pillbox to devDependencies');

    expect(JSON.parse(read(dir, 'package.json')).scripts).toEqual({ postpack: 'pillbox scan' });
    expect(read(dir, '.npmignore')).toContain('.env');
    expect(read(dir, '.gitignore')).toMatch(/^\.pillbox\/maps\/$/m);
    // The probes it wrote to check the rules are gone.
    expect(existsSync(join(dir, '.pillbox'))).toBe(false);

    // Manifests and hidden maps written later stay out of the package; .env still does too.
    write(dir, { '.pillbox/manifests/npm/1.0.0.json': '{"pillbox":"manifest/v1"}', '.pillbox/maps/index.js.map': '{}' });
    expect(await packed(dir)).toEqual(['index.js', 'package.json']);

    // The config it wrote loads, with the documented defaults.
    const config = await loadConfig({ cwd: dir });
    expect(config).toMatchObject({ failOn: 'high', allow: [], forbid: [], source: 'pillbox.config.mjs' });

    // Idempotent: nothing changes the second time.
    const once = snapshot(dir);
    const again = await cli(['init'], dir, env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to change');
    expect(again.stdout).not.toContain('changed ');
    expect(snapshot(dir)).toEqual(once);
  });

  it('appends to an existing .npmignore instead of replacing it', async () => {
    const dir = pkg({ '.npmignore': 'test/\n', 'index.js': 'export {};\n', 'test/a.js': '' });
    const r = await cli(['init'], dir, env);
    expect(r.code).toBe(0);
    expect(read(dir, '.npmignore')).toMatch(/^test\/\n\n# pillbox: .*\n\/\.pillbox\/\n\/pillbox\.config\.\*\n$/);
    expect(await packed(dir)).toEqual(['index.js', 'package.json']);
  });
});

describe('pillbox init: files list', () => {
  it('leaves a files list that already excludes pillbox alone (no .npmignore)', async () => {
    const dir = pkg({ 'dist/index.js': 'export {};\n', 'src/index.ts': 'export {};\n' }, { files: ['dist'] });
    const r = await cli(['init'], dir, env);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, '.npmignore'))).toBe(false);
    expect(JSON.parse(read(dir, 'package.json')).files).toEqual(['dist']);
    write(dir, { '.pillbox/manifests/npm/1.0.0.json': '{}' });
    expect(await packed(dir)).toEqual(['dist/index.js', 'package.json']);
  });

  it('adds negations to a files list that would ship pillbox files', async () => {
    const dir = pkg({ 'index.js': 'export {};\n', '.gitignore': 'node_modules\n' }, { files: ['*', '.*'] });
    const r = await cli(['init'], dir, env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(read(dir, 'package.json')).files).toEqual(['*', '.*', '!.pillbox', '!pillbox.config.*']);
    write(dir, { '.pillbox/manifests/npm/1.0.0.json': '{}', '.pillbox/maps/a.js.map': '{}' });
    const files = await packed(dir);
    expect(files.filter((f) => f.startsWith('.pillbox') || f.startsWith('pillbox.config'))).toEqual([]);
    expect(files).toContain('index.js');
  });
});

describe('pillbox init: refusals change nothing', () => {
  it('refuses without a package.json', async () => {
    const dir = tempDir('init-empty');
    const r = await cli(['init'], dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused, nothing changed: no package\.json/);
    expect(snapshot(dir)).toEqual({});
  });

  it('refuses to overwrite an existing postpack script, and says how to chain it', async () => {
    const dir = pkg({ 'index.js': '' }, { scripts: { postpack: 'rimraf dist' } });
    const before = snapshot(dir);
    const r = await cli(['init'], dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scripts.postpack already runs "rimraf dist"');
    expect(r.stderr).toContain('"postpack": "pillbox scan && rimraf dist"');
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a private package (never published)', async () => {
    const dir = pkg({}, { private: true, workspaces: ['packages/*'] });
    const before = snapshot(dir);
    const r = await cli(['init'], dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"private": true');
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('pillbox init: other package managers', () => {
  it('Yarn Berry: the gate ends prepack, and an existing prepack is chained by hand, not overwritten', async () => {
    const dir = pkg({ '.yarnrc.yml': 'nodeLinker: node-modules\n', 'yarn.lock': '__metadata:\n  version: 8\n' }, { scripts: { prepack: 'tsc -p .' } });
    const refused = await cli(['init'], dir, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"prepack": "tsc -p . && pillbox scan"');

    write(dir, { 'package.json': { name: 'acme-cli', version: '1.0.0', files: ['lib'], scripts: { prepack: 'tsc -p . && pillbox scan' } } });
    const r = await cli(['init'], dir, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pillbox init: Yarn (Berry) (found yarn.lock)');
    expect(r.stdout).not.toContain('scripts.prepack =');
    expect(JSON.parse(read(dir, 'package.json')).scripts).toEqual({ prepack: 'tsc -p . && pillbox scan' });
  });

  it('pnpm (packageManager field): postpack', async () => {
    const dir = pkg({ 'index.js': '' }, { packageManager: 'pnpm@9.15.0', files: ['index.js'] });
    const r = await cli(['init'], dir, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pillbox init: pnpm (packageManager field in package.json)');
    expect(r.stdout).toContain('a failure stops pnpm publish');
    expect(JSON.parse(read(dir, 'package.json')).scripts).toEqual({ postpack: 'pillbox scan' });
  });
});
