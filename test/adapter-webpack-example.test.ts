import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from '../src/core/key.js';
import { scan } from '../src/scan/engine.js';
import { buildExampleAsUser, npmBuild, listFiles, plainLeakSearch } from './harden-helpers.js';

// examples/webpack-app as a user runs it: `npm run build` with a key in PILLBOX_KEY, then the
// example's own `node --test`. `pillbox` resolves through examples/link-pillbox.mjs (see
// examples/README.md), so the package must be built (npm test builds it first).

const repo = process.cwd();
const dir = join(repo, 'examples/webpack-app');

describe('examples/webpack-app', () => {
  it('builds, passes its own test, ships no map, and keeps exactly one hidden map per shipped file', async () => {
    expect(existsSync(join(repo, 'dist/webpack.cjs')), 'run `npm run build` first').toBe(true);
    const log = buildExampleAsUser(dir, { ...process.env, PILLBOX_KEY: generateKey() });
    expect(log).toMatch(/pillbox hidden: 3 maps removed, 3 moved to the hidden dir, 3 comments removed; \d+ decoys planted/);
    const shipped = listFiles(join(dir, 'dist'));
    expect(listFiles(join(dir, '.pillbox/maps/dist'))).toEqual(shipped.map((f) => f + '.map'));
    expect(plainLeakSearch(join(dir, 'dist'))).toEqual([]);
    const report = await scan([join(dir, 'dist')], { cwd: dir });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.code} ${f.path}`)).toEqual([]);
  });

  it('a production build with no key fails with a clear message', () => {
    const env = { ...process.env };
    delete env.PILLBOX_KEY;
    let message = '';
    try {
      npmBuild(dir, env);
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
    }
    expect(message).toMatch(/^pillbox \(webpack\): decoys are on but no key was given/);
    expect(message).toMatch(/pillbox keygen/);
  });
});
