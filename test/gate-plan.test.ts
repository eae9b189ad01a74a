import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/core/findings.js';
import { detectProjectManager, gateScript, managerFromUserAgent } from '../src/gate/managers.js';
import { cleanEnv, cleanupTemp, cli, tempDir, write } from './gate-helpers.js';

// Which manager packs, where the gate sits, and the guard against a packer that runs
// lifecycle scripts although pillbox asked it not to.

afterAll(cleanupTemp);

describe('package managers', () => {
  it('reads the manager running us from its user agent', () => {
    expect(managerFromUserAgent('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false')).toBe('npm');
    expect(managerFromUserAgent('pnpm/12.21.0 npm/? node/? linux x64')).toBe('pnpm');
    expect(managerFromUserAgent('yarn/4.18.1 npm/? node/v20.20.2 linux x64')).toBe('yarn');
    expect(managerFromUserAgent('yarn/1.22.22 npm/? node/v20.20.2 linux x64')).toBe('yarn-classic');
    expect(managerFromUserAgent('bun/1.4.5 npm/? node/v26.3.0 linux x64')).toBe('bun');
    expect(managerFromUserAgent(undefined)).toBeUndefined();
  });

  it('detects a project: packageManager field, then lockfiles up to the repository root, then the runner, then npm', () => {
    const repo = write(tempDir('pm'), { '.git/HEAD': 'ref: refs/heads/main\n', 'pnpm-lock.yaml': '', 'packages/a/package.json': { name: 'a' } });
    expect(detectProjectManager(join(repo, 'packages/a'))).toMatchObject({ manager: 'pnpm' });
    write(repo, { 'packages/a/package.json': { name: 'a', packageManager: 'yarn@1.22.22' } });
    expect(detectProjectManager(join(repo, 'packages/a'))).toMatchObject({ manager: 'yarn-classic', evidence: 'packageManager field in package.json' });
    const bare = write(tempDir('pm-bare'), { '.git/HEAD': '', 'package.json': { name: 'b' } });
    expect(detectProjectManager(bare, 'bun/1.4.5')).toMatchObject({ manager: 'bun' });
    expect(detectProjectManager(bare)).toMatchObject({ manager: 'npm' });
    write(bare, { 'yarn.lock': '# yarn lockfile v1\n' });
    expect(detectProjectManager(bare)).toMatchObject({ manager: 'yarn-classic' });
    write(bare, { 'yarn.lock': '__metadata:\n  version: 8\n' });
    expect(detectProjectManager(bare)).toMatchObject({ manager: 'yarn' });
  });

  it('gates in postpack, except on Yarn Berry (end of prepack)', () => {
    expect(['npm', 'pnpm', 'bun', 'yarn-classic'].map((m) => gateScript(m as 'npm'))).toEqual(['postpack', 'postpack', 'postpack', 'postpack']);
    expect(gateScript('yarn')).toBe('prepack');
  });
});

describe('a packer that runs lifecycle scripts anyway', () => {
  it('pillbox started inside its own pack refuses (exit 2) instead of recursing or passing', async () => {
    const r = await cli(['scan'], tempDir('nested'), { PILLBOX_GATE_PACKING: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to recurse');
  });

  it('the packer is told (PILLBOX_GATE_PACKING), and its failure is a pack-failed error, not a pass', async () => {
    const dir = write(tempDir('nested-pkg'), {
      'package.json': { name: 'n', version: '1.0.0' },
      // A stand-in for a pnpm that ignores --ignore-scripts: it would run our postpack; here it
      // records what that pillbox would see and fails as that pillbox does.
      'fake-pnpm.sh': '#!/bin/sh\necho "$PILLBOX_GATE_PACKING $*" > packer-saw.txt\nexit 2\n',
    });
    chmodSync(join(dir, 'fake-pnpm.sh'), 0o755);
    const env = cleanEnv({ npm_config_user_agent: 'pnpm/12.21.0 npm/? node/? linux x64', npm_execpath: join(dir, 'fake-pnpm.sh') });
    const r = await cli(['scan', '--format', 'json'], dir, env);
    expect(readFileSync(join(dir, 'packer-saw.txt'), 'utf8')).toMatch(/^1 pack --pack-destination \S+ --ignore-scripts\n$/);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.errors).toEqual([expect.objectContaining({ code: 'pack-failed', message: expect.stringContaining('pnpm pack failed') })]);
  });
});
