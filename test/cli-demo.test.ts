import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, parseKey } from '../src/core/key.js';
// @ts-expect-error: plain ESM fixture generator without types
import { CODENAME } from '../fixtures/incident/app.mjs';

// `npm run demo` must keep working and keep telling the truth. It runs once here, with real
// builds: three examples (`pillbox harden` after an esbuild CLI build, which the detect step
// copies; the esbuild plugin stripping maps; the Vite plugin hiding them) instead of all five,
// to stay within this file's time budget. The rollup and webpack examples' builds are tested
// in harden-examples and adapter-webpack-example.
// The key comes from a file so that the test can look for it in everything the demo printed.

const root = join(__dirname, '..');
const lock = '/tmp/pillbox-build.lock';
const EXAMPLES = ['bun-style-harden', 'esbuild-cli', 'vite-app'];
const work = mkdtempSync(join(tmpdir(), 'pillbox-demo-test-'));
const key = generateKey();
let out = { status: -1 as number | null, stdout: '', stderr: '' };

beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli.js'))) {
    execFileSync('flock', [lock, 'sh', '-c', 'test -f dist/cli.js || npm run build'], { cwd: root, stdio: 'ignore' });
  }
  writeFileSync(join(work, 'demo.key'), key + '\n');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', PILLBOX_DEMO_EXAMPLES: EXAMPLES.join(',') };
  delete env.FORCE_COLOR;
  delete env.PILLBOX_KEY;
  // A shared lock: nobody rebuilds dist/ while the demo's builds import it.
  const r = spawnSync('flock', ['-s', lock, process.execPath, join(root, 'scripts/demo.mjs'), '--key-file', join(work, 'demo.key')], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  out = { status: r.status, stdout: r.stdout, stderr: r.stderr };
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run demo (scripts/demo.mjs)', () => {
  it('passes every check, with nothing on stderr', () => {
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/\n {2}(\d+) of \1 checks as expected/);
    expect(out.status).toBe(0);
  });

  it('builds, packs and scans each example clean, saying what was stripped and planted', () => {
    // The build table: maps and comments gone, decoys planted in all three tiers.
    expect(out.stdout).toMatch(/\n {2}bun-style-harden +esbuild CLI, pillbox harden +1 stripped +none +(\d+) = [1-9]\d* \+ [1-9]\d* \+ [1-9]\d*, in 1 file\n/);
    expect(out.stdout).toMatch(/\n {2}esbuild-cli +esbuild JS API +not built +none +(\d+) = [1-9]\d* \+ [1-9]\d* \+ [1-9]\d*, in [1-9]\d* files?\n/);
    expect(out.stdout).toMatch(/\n {2}vite-app +Vite 8 +[1-9]\d* hidden +[1-9]\d* removed +(\d+) = [1-9]\d* \+ [1-9]\d* \+ [1-9]\d*, in [1-9]\d* files?\n/);
    // The tarballs npm pack made, scanned clean, and the summary agreeing.
    expect(out.stdout).toMatch(/\n {2}pillbox-example-bun-style-harden-2\.1\.88\.tgz +2 +[\d.]+ k?B +clean \(exit 0\)\n/);
    expect(out.stdout).toMatch(/\n {2}agent-cli-example-1\.4\.0\.tgz +\d+ +[\d.]+ k?B +clean \(exit 0\)\n/);
    expect(out.stdout).toMatch(/\n {2}pillbox-example-vite-app-0\.9\.2\.tgz +\d+ +[\d.]+ k?B +clean \(exit 0\)\n/);
    for (const name of EXAMPLES) {
      expect(out.stdout).toMatch(new RegExp(`\\n {2}✓ +${name}: scan of its tarball +clean, exit 0 +clean \\(exit 0\\) +[1-9]\\d* decoys planted`));
    }
    // Only the chosen examples were built, and the demo says so.
    expect(out.stdout).toContain('PILLBOX_DEMO_EXAMPLES: only bun-style-harden, vite-app, esbuild-cli');
    expect(out.stdout).not.toMatch(/rollup-lib|webpack-app/);
  });

  it('blocks the incident reproduction with its exposure, naming the forbid rule but not the string', () => {
    expect(out.stdout).toMatch(/source-map-with-content {2}build\/incident-pack\/acme-agent-cli-2\.1\.88\.tgz!package\/dist\/cli\.js\.map/);
    expect(out.stdout).toMatch(/forbidden-string .*\n.*forbid\[0\]/);
    expect(out.stdout).toMatch(/Exposure: 1 map exposes 27 first-party files, [\d,]+ lines/);
    expect(out.stdout).toContain('exit 1: the release is blocked');
    expect(out.stdout).toMatch(/✓ +incident reproduction: scan +leak, exit 1 +leak, exit 1 +1 map exposes 27 first-party files/);
    expect(out.stdout).toMatch(/✓ +its clean twin: scan +clean, exit 0 +clean, exit 0/);
    expect(out.stdout + out.stderr).not.toContain(`${CODENAME}_undercover_mode`);
  });

  it('attributes the copied bundle to release 2.1.88, not 2.1.87, and finds nothing in a bundle without decoys', () => {
    expect(out.stdout).toMatch(/release decoys: from release 2\.1\.88 of channel npm +(\d+) of \1 +[\d.e-]+ +significant\n/);
    expect(out.stdout).toMatch(/release decoys: from release 2\.1\.87 of channel npm +0 of \d+ +1 +not significant\n/);
    expect(out.stdout).toMatch(/controls \(made alike, never shipped\) +0 of [1-9]\d*/);
    expect(out.stdout).toMatch(/Renaming does not hide them: [a-z]+[A-Z]\w* in the copy\n {2}is the decoy [a-z]+_[a-z_]+ /);
    expect(out.stdout).toMatch(/✓ +copied bundle: detect +release 2\.1\.88, exit 1 +release 2\.1\.88, exit 1 +not 2\.1\.87/);
    expect(out.stdout).toMatch(/pillbox detect: no significant match .*\(exit 0\)/);
    expect(out.stdout).toMatch(/✓ +a bundle without decoys: detect +no match, exit 0 +no match, exit 0/);
  });

  it('never prints the demo key, not even in part', () => {
    const printed = out.stdout + out.stderr;
    const body = key.slice('pbk1_'.length);
    expect(printed).not.toContain('pbk1_');
    const hex = parseKey(key).toString('hex');
    for (let i = 0; i + 10 <= body.length; i++) expect(printed).not.toContain(body.slice(i, i + 10));
    for (let i = 0; i + 16 <= hex.length; i++) expect(printed).not.toContain(hex.slice(i, i + 16));
  });
});
