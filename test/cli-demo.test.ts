import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM fixture generator without types
import { CODENAME } from '../fixtures/incident/app.mjs';

// `npm run demo` must keep working: it builds the incident-shaped and clean packages with the
// real esbuild and npm pack, and scans both with the built CLI.

describe('scripts/demo.mjs', () => {
  it('blocks the incident package and passes the clean one, never printing the forbidden flag', () => {
    const root = join(__dirname, '..');
    const lock = '/tmp/pillbox-build.lock';
    if (!existsSync(join(root, 'dist/cli.js'))) {
      execFileSync('flock', [lock, 'sh', '-c', 'test -f dist/cli.js || npm run build'], { cwd: root, stdio: 'ignore' });
    }
    const r = spawnSync('flock', ['-s', lock, process.execPath, join(root, 'scripts/demo.mjs')], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1. The incident');
    expect(r.stdout).toMatch(/source-map-with-content {2}build\/incident-pack\/acme-agent-cli-2\.1\.88\.tgz!package\/dist\/cli\.js\.map/);
    expect(r.stdout).toMatch(/forbidden-string .*\n.*forbid\[0\]/);
    expect(r.stdout).toContain('2. The same app built without source maps');
    expect(r.stdout).toContain('No leaks found.');
    expect(r.stdout).toContain('incident package: exit 1');
    expect(r.stdout).toContain('clean package:    exit 0');
    expect(r.stdout).not.toContain(`${CODENAME}_undercover_mode`);
  });
});
