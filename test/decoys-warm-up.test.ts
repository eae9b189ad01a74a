import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { plantDecoys } from '../src/decoys/index.js';
import { warmUpDecoys } from '../src/decoys/warm-up.js';
import { bundleApp } from './detect-helpers.js';

// The warm-up the esbuild plugin runs while esbuild builds: it must change nothing a build
// produces, and write nothing anywhere.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pillbox-warm-'));
  dirs.push(d);
  return d;
};

it('changes nothing a build produces, and writes nothing', async () => {
  const code = await bundleApp();
  const key = Buffer.alloc(32, 9);
  const plant = async () => {
    const manifestDir = temp();
    const r = await plantDecoys([{ fileName: 'app.js', code }], { key, channel: 'npm', release: '1.0.0', manifestDir, onWarning: () => undefined });
    return { code: r.chunks[0].code, names: r.decoyNames, manifest: readFileSync(r.manifestPath, 'utf8').length };
  };
  const before = await plant();
  expect(before.names.length).toBeGreaterThan(0);

  const cwd = temp();
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    await Promise.all([warmUpDecoys(), warmUpDecoys()]);
  } finally {
    process.chdir(previous);
  }
  expect(readdirSync(cwd)).toEqual([]);
  expect(await plant()).toEqual(before);
});
