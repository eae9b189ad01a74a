import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { gzipUncompressedSize } from '../src/gate/gzip-size.js';
import { createProgress, progressLine } from '../src/gate/progress.js';
import { gateScan } from '../src/gate/scan.js';
import { cleanEnv, cleanupTemp, sh, tempDir, write } from './gate-helpers.js';

// Progress on a terminal (files, bytes, time left), silence everywhere else.

afterAll(cleanupTemp);

function clock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

describe('progress', () => {
  it('says nothing when stderr is not a terminal', () => {
    let out = '';
    const p = createProgress({ write: (t) => (out += t), isTTY: false, now: clock(5000) });
    for (let i = 1; i <= 10; i++) p.update({ files: i, bytes: i * 1000 });
    p.done();
    expect(out).toBe('');
  });

  it('on a terminal: quiet for the first second, then one line rewritten in place, cleared at the end', () => {
    let t = 0;
    const writes: string[] = [];
    const p = createProgress({ write: (s) => writes.push(s), isTTY: true, expectedBytes: 10_000_000, now: () => t });
    t = 500;
    p.update({ files: 1, bytes: 1_000_000 });
    expect(writes).toEqual([]);
    t = 2000;
    p.update({ files: 2, bytes: 2_000_000 });
    t = 2050; // throttled
    p.update({ files: 3, bytes: 2_500_000 });
    t = 4000;
    p.update({ files: 4, bytes: 5_000_000 });
    p.done();
    expect(writes).toEqual([
      '\r\x1b[Kpillbox: scanning 2 files, 2 MB of 10 MB, about 8 s left',
      '\r\x1b[Kpillbox: scanning 4 files, 5 MB of 10 MB, about 4 s left',
      '\r\x1b[K',
    ]);
  });

  it('without a known total, shows the elapsed time instead of an estimate', () => {
    expect(progressLine({ files: 1234, bytes: 56_700_000 }, 12_400)).toBe('pillbox: scanning 1,234 files, 56.7 MB, 12 s');
  });

  it('is wired into the scan: a packed package on a terminal shows files, bytes and time left', async () => {
    const dir = write(tempDir('progress'), {
      'package.json': { name: 'p', version: '1.0.0' },
      ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`lib/m${i}.js`, `export const v${i} = ${i};\n`.repeat(200)])),
    });
    const run = async (isTTY: boolean) => {
      let err = '';
      const report = await gateScan([], { cwd: dir, env: cleanEnv(), config: { failOn: 'high', allow: [], forbid: [] }, isTTY, stderr: (t) => (err += t), now: clock(700) });
      return { report, err };
    };
    const tty = await run(true);
    expect(tty.report.targets[0].files).toBe(21);
    expect(tty.err).toMatch(/\r\x1b\[Kpillbox: scanning \d+ files, [\d.]+ kB of [\d.]+ kB, about \d+ s left/);
    expect(tty.err.endsWith('\r\x1b[K')).toBe(true);
    const piped = await run(false);
    expect(piped.err).not.toContain('scanning');
  });

  it('a .tgz target gets its total from the gzip trailer, so time left is shown too', async () => {
    const dir = write(tempDir('progress-tgz'), Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`package/lib/m${i}.js`, `export const v${i} = ${i};\n`.repeat(300)])));
    expect(sh('tar', ['-czf', 'app.tgz', 'package'], dir).code).toBe(0);
    const tgz = join(dir, 'app.tgz');
    expect(await gzipUncompressedSize(tgz)).toBe(gunzipSync(readFileSync(tgz)).length);
    expect(await gzipUncompressedSize(join(dir, 'package/lib/m0.js'))).toBeUndefined();
    let err = '';
    await gateScan(['app.tgz'], { cwd: dir, env: cleanEnv(), config: { failOn: 'high', allow: [], forbid: [] }, isTTY: true, stderr: (t) => (err += t), now: clock(700) });
    expect(err).toMatch(/pillbox: scanning \d+ files, [\d.]+ kB of [\d.]+ kB, about \d+ s left/);
  });
});
