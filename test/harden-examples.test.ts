import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from '../src/core/key.js';
import { scan } from '../src/scan/engine.js';
import { buildExampleAsUser, plainLeakSearch } from './harden-helpers.js';

// The examples as a user runs them: `npm run build` with a key in PILLBOX_KEY, then the
// example's own `node --test`. `pillbox` resolves through examples/link-pillbox.mjs (see
// examples/README.md), so the package must be built (npm test builds it first).

const EXAMPLES = ['rollup-lib', 'vite-app', 'bun-style-harden'];
const repo = process.cwd();

describe('examples', () => {
  it('the package is built (pillbox/<bundler> points into dist/)', () => {
    expect(existsSync(join(repo, 'dist/rollup.js')), 'run `npm run build` first').toBe(true);
    execFileSync(process.execPath, [join(repo, 'examples/link-pillbox.mjs')]);
  });

  it.each(EXAMPLES)('%s builds, passes its own test, and ships no map', async (name) => {
    const dir = join(repo, 'examples', name);
    buildExampleAsUser(dir, { ...process.env, PILLBOX_KEY: generateKey() });
    expect(plainLeakSearch(join(dir, 'dist'))).toEqual([]);
    const report = await scan([join(dir, 'dist')], { cwd: dir });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
  });

  it('a production build with decoys and no key fails with a clear message', () => {
    const dir = join(repo, 'examples/rollup-lib');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.PILLBOX_KEY;
    let message = '';
    try {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, env, stdio: 'pipe', encoding: 'utf8' });
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
    }
    expect(message).toMatch(/no key was given/);
    expect(message).toMatch(/pillbox keygen/);
  });
});
