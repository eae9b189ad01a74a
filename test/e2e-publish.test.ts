import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, cleanupTemp, installPillbox, NO_REGISTRY, packThisPillbox, read, run, tempDir, write } from './gate-helpers.js';

// End to end, as a user would: a real package installs this pillbox, runs `pillbox init`, and
// `npm publish --dry-run` is then gated by what is actually packed. Steps run in order.

// Real package managers on a busy 2-core machine: generous limits (timings are never asserted).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

afterAll(cleanupTemp);

const CODENAME = 'kestrel-undercover';
let dir: string;
const env = cleanEnv();
const publish = () => run('npm', ['publish', '--dry-run', '--fetch-retries=0', `--registry=${NO_REGISTRY}`], dir, env);

beforeAll(() => {
  dir = write(tempDir('e2e'), {
    'package.json': { name: 'acme-agent', version: '1.0.0', license: 'MIT', type: 'module', bin: { 'acme-agent': 'dist/cli.js' }, files: ['dist'] },
    '.gitignore': 'node_modules\n.env\n',
    '.env': 'ACME_TOKEN=never-ship-this\n',
    // The codename sits in a branch the production build removes: it survives only in the
    // map's sourcesContent (the incident's shape).
    'src/cli.ts': [
      'export function run(argv: string[]): string {',
      `  if (process.env.USER_TYPE === 'internal') return '${CODENAME}: ' + argv.join(' ');`,
      "  return 'hello ' + argv.join(' ');",
      '}',
      'console.log(run(process.argv.slice(2)));',
      '',
    ].join('\n'),
  });
  installPillbox(dir, packThisPillbox());
});

describe('pillbox init, then npm publish --dry-run', () => {
  it('init wires the gate', async () => {
    const r = await run(join(dir, 'node_modules', '.bin', 'pillbox'), ['init'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changed package.json: scripts.postpack = "pillbox scan"');
    expect(JSON.parse(read(dir, 'package.json')).scripts.postpack).toBe('pillbox scan');
  });

  it('a source map in the build output stops the publish, and the report names it', async () => {
    buildSync({
      entryPoints: [join(dir, 'src/cli.ts')],
      outfile: join(dir, 'dist/cli.js'),
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      sourcemap: 'external',
      define: { 'process.env.USER_TYPE': '"external"' },
    });
    expect(readFileSync(join(dir, 'dist/cli.js'), 'utf8')).not.toContain(CODENAME);
    expect(readFileSync(join(dir, 'dist/cli.js.map'), 'utf8')).toContain(CODENAME);
    const r = await publish();
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/source-map-with-content +dist\/cli\.js\.map/);
    expect(r.stdout + r.stderr).not.toContain('+ acme-agent@1.0.0');
  });

  it('renamed to .json, the map is still found by its content', async () => {
    renameSync(join(dir, 'dist/cli.js.map'), join(dir, 'dist/cli.js.json'));
    const r = await publish();
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/source-map-with-content +dist\/cli\.js\.json/);
  });

  it('a forbidden codename found only in the map is reported by its rule, never printed', async () => {
    const config = read(dir, 'pillbox.config.mjs');
    expect(config).toContain('forbid: [');
    writeFileSync(join(dir, 'pillbox.config.mjs'), config.replace('forbid: [', `forbid: [\n    ${JSON.stringify(CODENAME)},`));
    const r = await publish();
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/forbidden-string +dist\/cli\.js\.json/);
    expect(r.stdout).toContain('forbid[0]');
    for (const part of [CODENAME, 'kestrel', 'undercover']) {
      expect(r.stdout).not.toContain(part);
      expect(r.stderr).not.toContain(part);
    }
  });

  it('without the map the dry run passes, and neither the config nor .env is packed', async () => {
    rmSync(join(dir, 'dist/cli.js.json'));
    const r = await publish();
    expect(r.stdout).toMatch(/PASS/);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain('+ acme-agent@1.0.0');
    const contents = r.stderr.slice(r.stderr.indexOf('Tarball Contents'), r.stderr.indexOf('Tarball Details'));
    expect(contents).toContain('dist/cli.js');
    expect(contents).not.toMatch(/pillbox\.config|\.env|src\/cli\.ts/);
  });
});
