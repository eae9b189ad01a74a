import { describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from '../src/core/key.js';
import { scan } from '../src/scan/engine.js';
import { buildExampleAsUser, npmBuild, plainLeakSearch } from './harden-helpers.js';

// examples/esbuild-cli as a user runs it: `npm run build` with a key in PILLBOX_KEY, then the
// example's own `node --test`. `pillbox` resolves through examples/link-pillbox.mjs (see
// examples/README.md), so the package must be built (npm test builds it first).

const repo = process.cwd();
const dir = join(repo, 'examples/esbuild-cli');

describe('examples/esbuild-cli', () => {
  it('builds, passes its own test, and ships no map', async () => {
    expect(existsSync(join(repo, 'dist/esbuild.js')), 'run `npm run build` first').toBe(true);
    const env = { ...process.env, PILLBOX_KEY: generateKey() };
    buildExampleAsUser(dir, env);
    expect(plainLeakSearch(join(dir, 'dist'))).toEqual([]);
    const report = await scan([join(dir, 'dist')], { cwd: dir });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
  });

  it('a production build with no key fails, says how to make one, and never reaches esbuild', () => {
    const env = { ...process.env };
    delete env.PILLBOX_KEY;
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    let message = '';
    try {
      npmBuild(dir, env);
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
    }
    expect(message).toMatch(/no key was given/);
    expect(message).toMatch(/pillbox keygen/);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});
