import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/core/findings.js';
import { BIN, cleanEnv, cleanupTemp, cli, tempDir, write } from './gate-helpers.js';

// `pillbox scan --workspaces`: each workspace package as it would be published.

afterAll(cleanupTemp);

const leakyMap = { version: 3, sources: ['../src/index.ts'], sourcesContent: ['export const a: number = 1;\n'], names: [], mappings: 'AAAA' };

function monorepo(layout: 'npm' | 'pnpm'): string {
  const root = layout === 'npm' ? { name: 'acme', private: true, workspaces: ['packages/*'] } : { name: 'acme', private: true };
  return write(tempDir(`ws-${layout}`), {
    'package.json': root,
    ...(layout === 'pnpm' ? { 'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n  - '!packages/skipped'\n" } : {}),
    'packages/a/package.json': { name: '@acme/a', version: '1.0.0', files: ['dist'] },
    'packages/a/dist/index.js': 'export const a = 1;\n',
    'packages/a/dist/index.js.map': leakyMap,
    'packages/b/package.json': { name: '@acme/b', version: '2.0.0', files: ['dist'] },
    'packages/b/dist/index.js': 'export const b = 2;\n',
    'packages/b/src/index.ts': 'export const b: number = 2;\n',
    'packages/internal/package.json': { name: '@acme/internal', version: '0.0.0', private: true },
    'packages/internal/index.js.map': leakyMap,
    'packages/skipped/package.json': { name: '@acme/skipped', version: '1.0.0' },
    'packages/skipped/x.js.map': leakyMap,
  });
}

async function scanWorkspaces(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await cli(['scan', '--workspaces', '--format', 'json'], dir, env);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

describe('--workspaces', () => {
  it('npm workspaces: every published package, as npm packs it, paths shown from the root', async () => {
    const { code, report, stderr } = await scanWorkspaces(monorepo('npm'), cleanEnv());
    expect(report.errors).toEqual([]);
    expect(code).toBe(1);
    expect(report.targets.map((t) => t.target)).toEqual(['@acme/a@1.0.0', '@acme/b@2.0.0', '@acme/skipped@1.0.0']);
    // packages/b/src is not in its "files": not shipped, not reported.
    expect(report.findings.map((f) => [f.code, f.path])).toEqual([
      ['source-map-with-content', 'packages/a/dist/index.js.map'],
      ['source-map-with-content', 'packages/skipped/x.js.map'],
    ]);
    expect(stderr).toContain('the root package (acme) is private: never published, not scanned');
    expect(stderr).toContain('packages/internal (@acme/internal) is private');
  });

  it('pnpm-workspace.yaml (with a negated glob), packed by pnpm itself when pnpm runs pillbox', async () => {
    const env = cleanEnv({ npm_config_user_agent: 'pnpm/12.21.0 npm/? node/? linux x64', npm_execpath: join(BIN, 'pnpm') });
    const { code, report, stderr } = await scanWorkspaces(monorepo('pnpm'), env);
    expect(report.errors).toEqual([]);
    expect(code).toBe(1);
    expect(report.targets.map((t) => t.target)).toEqual(['@acme/a@1.0.0', '@acme/b@2.0.0']);
    expect(report.findings.map((f) => f.path)).toEqual(['packages/a/acme-a-1.0.0.tgz!package/dist/index.js.map']);
    expect(stderr).toContain('packages/a: packed by pnpm');
  });

  it('is a wrong call with targets, or without workspaces', async () => {
    const withTarget = await cli(['scan', '--workspaces', 'dist'], monorepo('npm'), cleanEnv());
    expect(withTarget.code).toBe(2);
    expect(withTarget.stderr).toContain('give no targets with it');
    const single = write(tempDir('ws-none'), { 'package.json': { name: 'solo', version: '1.0.0' } });
    const none = await cli(['scan', '--workspaces'], single, cleanEnv());
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no workspaces declared');
  });
});
