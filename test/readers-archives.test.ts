import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../src/scan/readers/index.js';
import { codes, drain, scanTarget, tempDir } from './readers-helpers.js';

// Bad and unusual archives, made by the real tools: GNU tar, node-tar, tar-stream's packer,
// node's gzip. Corruption is made by slicing or flipping bytes of real archives.

let root: string;
let cleanup: () => void;
const at = (rel: string) => join(root, rel);

/** A tarball built entry by entry with tar-stream's packer (for names no sane tool writes). */
async function craft(file: string, entries: Array<{ header: tarStream.Header | Record<string, unknown>; body?: string }>, gzip = true) {
  const pack = tarStream.pack();
  const source = pack as unknown as Readable;
  const done = gzip ? pipeline(source, createGzip(), createWriteStream(at(file))) : pipeline(source, createWriteStream(at(file)));
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(header as tarStream.Header, body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
}

beforeAll(async () => {
  ({ dir: root, cleanup } = tempDir('archives'));
  const longDir = 'package/' + 'a-very-long-folder-name-'.repeat(5) + '/';
  mkdirSync(at('src/' + longDir), { recursive: true });
  writeFileSync(at('src/package/index.js'), 'module.exports = 1;\n');
  writeFileSync(at('src/' + longDir + 'deeply-nested-file-with-a-long-name.js.map'), '{"version":3}');
  linkSync(at('src/package/index.js'), at('src/package/hard.js'));
  symlinkSync('index.js', at('src/package/soft.js'));
  for (const format of ['gnu', 'posix']) {
    execFileSync('tar', ['-czf', at(`${format}.tgz`), `--format=${format}`, '-C', at('src'), 'package']);
  }
});
afterAll(() => cleanup());

describe('GNU tar archives', () => {
  for (const format of ['gnu', 'posix']) {
    it(`reads ${format} long names in full and does not follow links`, async () => {
      const d = await scanTarget(`${format}.tgz`, root);
      expect(d.errors).toEqual([]);
      const paths = d.entries.map((e) => e.packagePath).sort();
      const long = paths.find((p) => p.endsWith('deeply-nested-file-with-a-long-name.js.map'));
      expect(long).toBe('a-very-long-folder-name-'.repeat(5) + '/deeply-nested-file-with-a-long-name.js.map');
      expect(`${format}.tgz!package/${long}`.length).toBeGreaterThan(100);
      expect(d.entries.find((e) => e.packagePath === long)?.path).toBe(`${format}.tgz!package/${long}`);
      // GNU tar stores the second name of a hardlink as a link entry, the symlink as a symlink:
      // neither is read, their target is read once as itself.
      expect(paths.filter((p) => !p.includes('/'))).toEqual([expect.stringMatching(/^(index|hard)\.js$/)]);
    });
  }

  it('reads `tar -C dir .` archives (./ root entry) with full paths', async () => {
    execFileSync('tar', ['-czf', at('dot.tgz'), '-C', at('src/package'), '.']);
    const d = await scanTarget('dot.tgz', root);
    expect(d.errors).toEqual([]);
    // index.js and hard.js are one inode: whichever GNU tar met first holds the bytes.
    const top = d.entries.find((e) => /^(index|hard)\.js$/.test(e.packagePath));
    expect(top?.path).toBe(`dot.tgz!${top?.packagePath}`);
    expect(d.entries.find((e) => e.packagePath.endsWith('long-name.js.map'))?.packagePath).toMatch(/^a-very-long-folder/);
  });

  it('refuses tarballs under compressions it does not read instead of scanning them as one file', async () => {
    execFileSync('tar', ['-cJf', at('pkg.tar.xz'), '-C', at('src'), 'package']);
    const d = await scanTarget('pkg.tar.xz', root);
    expect(codes(d)).toEqual(['not-an-archive']);
    expect(d.errors[0].message).toContain('xz');
  });

  it('reports links that leave the package as unsafe-entry, naming link and target', async () => {
    mkdirSync(at('esc/package'), { recursive: true });
    writeFileSync(at('esc/package/ok.js'), '1');
    symlinkSync('../../../etc/passwd', at('esc/package/passwd'));
    symlinkSync('/etc/shadow', at('esc/package/shadow'));
    symlinkSync('../package/ok.js', at('esc/package/fine.js'));
    execFileSync('tar', ['-cf', at('esc.tar'), '-C', at('esc'), 'package']);
    const d = await scanTarget('esc.tar', root);
    expect(d.entries.map((e) => e.packagePath)).toEqual(['ok.js']);
    expect(d.errors.map((e) => [e.code, e.path]).sort()).toEqual([
      ['unsafe-entry', 'esc.tar!package/passwd'],
      ['unsafe-entry', 'esc.tar!package/shadow'],
    ]);
    expect(d.errors.find((e) => e.path.endsWith('passwd'))?.message).toContain('-> ../../../etc/passwd');
  });
});

describe('crafted entries (tar-stream packer)', () => {
  it('never resolves ../x, /etc/x or package/../x and keeps reading the rest', async () => {
    await craft('evil.tgz', [
      { header: { name: 'package/package.json' }, body: '{}' },
      { header: { name: '../x' }, body: 'escape' },
      { header: { name: '/etc/x' }, body: 'absolute' },
      { header: { name: 'package/../../y' }, body: 'escape' },
      { header: { name: 'package/link', type: 'symlink', linkname: '../../etc/passwd' } },
      { header: { name: 'package/hard', type: 'link', linkname: '../outside' } },
      { header: { name: 'package/inner', type: 'symlink', linkname: 'package.json' } },
      { header: { name: 'package/dist/a.js' }, body: 'a' },
    ]);
    const d = await scanTarget('evil.tgz', root);
    expect(d.entries.map((e) => e.packagePath)).toEqual(['package.json', 'dist/a.js']);
    expect(d.errors.map((e) => `${e.code} ${e.path}`)).toEqual([
      'unsafe-entry evil.tgz!../x',
      'unsafe-entry evil.tgz!/etc/x',
      'unsafe-entry evil.tgz!package/../../y',
      'unsafe-entry evil.tgz!package/link',
      'unsafe-entry evil.tgz!package/hard',
    ]);
  });

  it('keeps full paths for entries outside the first entry\'s root folder', async () => {
    await craft('mixed.tar', [
      { header: { name: 'dist/a.js' }, body: 'a' },
      { header: { name: 'lib/b.js' }, body: 'b' },
    ], false);
    const d = await scanTarget('mixed.tar', root);
    expect(d.entries.map((e) => e.packagePath)).toEqual(['a.js', 'lib/b.js']);
  });

  it('refuses an entry over maxFileBytes and reads the others', async () => {
    await craft('big.tgz', [
      { header: { name: 'package/big.js' }, body: 'x'.repeat(5000) },
      { header: { name: 'package/small.js' }, body: 'ok' },
    ]);
    const d = await scanTarget('big.tgz', root, { maxFileBytes: 4096 });
    expect(d.entries.map((e) => e.packagePath)).toEqual(['small.js']);
    expect(d.errors).toMatchObject([{ code: 'too-large', path: 'big.tgz!package/big.js' }]);
  });

  it('reports an archive with no files as empty-target', async () => {
    await craft('dirs.tgz', [{ header: { name: 'package/', type: 'directory' } }]);
    expect(codes(await scanTarget('dirs.tgz', root))).toEqual(['empty-target']);
  });
});

describe('corrupt, truncated and fake archives', () => {
  let good: Buffer;
  beforeAll(async () => {
    mkdirSync(at('big/package'), { recursive: true });
    // Incompressible content, so that cuts and flips land in the deflate data of real entries.
    for (let i = 0; i < 4; i++) writeFileSync(at(`big/package/f${i}.bin`), Buffer.from(Array.from({ length: 40_000 }, (_, j) => (j * 7919 + i * 104729) % 251)));
    await tar.create({ gzip: true, cwd: at('big'), file: at('good.tgz') }, ['package']);
    good = readFileSync(at('good.tgz'));
  });

  it('reads the intact archive', async () => {
    const d = await scanTarget('good.tgz', root);
    expect(d.errors).toEqual([]);
    expect(d.entries).toHaveLength(4);
  });

  it('reports truncated gzip as corrupt-archive', async () => {
    writeFileSync(at('cut.tgz'), good.subarray(0, Math.floor(good.length * 0.6)));
    const d = await scanTarget('cut.tgz', root);
    expect(codes(d)).toEqual(['corrupt-archive']);
    expect(d.errors[0].message).toMatch(/gzip data is corrupt or truncated/);
    // Whatever was yielded before the cut was whole; the entry cut in half failed to read.
    expect(d.entries.filter((e) => !e.failed).every((e) => e.bytes?.length === e.size)).toBe(true);
  });

  it('reports flipped gzip bytes as corrupt-archive', async () => {
    const bad = Buffer.from(good);
    for (let i = 200; i < bad.length - 100; i += 997) bad[i] ^= 0xff;
    writeFileSync(at('flip.tgz'), bad);
    expect(codes(await scanTarget('flip.tgz', root))).toEqual(['corrupt-archive']);
  });

  it('reports a corrupt gzip header as corrupt-archive', async () => {
    const bad = Buffer.from(good);
    bad[3] = 0xe0; // reserved flag bits
    writeFileSync(at('header.tgz'), bad);
    expect(codes(await scanTarget('header.tgz', root))).toEqual(['corrupt-archive']);
  });

  it('reports a truncated plain tar as corrupt-archive', async () => {
    await tar.create({ cwd: at('big'), file: at('plain.tar') }, ['package']);
    const plain = readFileSync(at('plain.tar'));
    writeFileSync(at('cut.tar'), plain.subarray(0, 512 * 50 + 17));
    const d = await scanTarget('cut.tar', root);
    expect(codes(d)).toEqual(['corrupt-archive']);
    expect(d.errors[0].message).toContain('truncated');
  });

  it('tells a file named as an archive that is not one', async () => {
    writeFileSync(at('text.tgz'), 'hello, not an archive\n');
    writeFileSync(at('empty.tar'), '');
    writeFileSync(at('json.tar.gz'), gzipSync('{"version":3,"sources":[]}'));
    for (const name of ['text.tgz', 'empty.tar', 'json.tar.gz']) {
      const d = await scanTarget(name, root);
      expect(codes(d), name).toEqual(['not-an-archive']);
      expect(d.reader.summary.kind).toBe('tarball');
    }
  });

  it('goes by content, not name: a gzipped map is a file, a tar named .bin is a tarball', async () => {
    writeFileSync(at('cli.js.map.gz'), gzipSync('{"version":3,"sources":[]}'));
    const map = await scanTarget('cli.js.map.gz', root);
    expect(map.reader.summary.kind).toBe('file');
    expect(map.entries.map((e) => e.packagePath)).toEqual(['cli.js.map.gz']);
    writeFileSync(at('release.bin'), good);
    const bin = await scanTarget('release.bin', root);
    expect(bin.reader.summary.kind).toBe('tarball');
    expect(bin.entries).toHaveLength(4);
  });
});

describe('gzip bombs', () => {
  /** A tar with one entry of `size` zero bytes, gzipped while streaming (never held whole). */
  async function bomb(file: string, size: number): Promise<void> {
    const pack = tarStream.pack();
    const done = pipeline(pack as unknown as Readable, createGzip({ level: 9 }), createWriteStream(at(file)));
    const body = pack.entry({ name: 'package/zeros.bin', size });
    const chunk = Buffer.alloc(1024 * 1024);
    await pipeline(
      Readable.from((function* () {
        for (let left = size; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
      })()),
      body as unknown as NodeJS.WritableStream,
    );
    pack.finalize();
    await done;
  }

  it('stops at maxArchiveBytes', async () => {
    await bomb('bomb-small.tgz', 48 * 1024 * 1024);
    const d = await scanTarget('bomb-small.tgz', root, { maxArchiveBytes: 8 * 1024 * 1024, maxCompressionRatio: 1e9 });
    expect(codes(d)).toEqual(['too-large']);
    expect(d.errors[0].message).toContain('maxArchiveBytes');
  });

  it('stops on the compression ratio with default limits', async () => {
    await bomb('bomb.tgz', 96 * 1024 * 1024);
    const reader = await openTarget('bomb.tgz', { cwd: root });
    const d = await drain(reader, false);
    expect(codes(d)).toEqual(['too-large']);
    expect(d.errors[0].message).toContain('maxCompressionRatio');
    // The lone entry was cut off by the guard: it was never delivered whole.
    expect(d.entries.every((e) => e.failed === 'ReadFailure')).toBe(true);
  });
});

describe('stream discipline', () => {
  it('skips unread entries without stalling and stops cleanly on an early break', async () => {
    const reader = await openTarget('good.tgz', { cwd: root });
    const seen: string[] = [];
    for await (const entry of reader.entries()) {
      seen.push(entry.packagePath);
      if (seen.length === 3) break;
    }
    expect(seen).toHaveLength(3);
    expect(reader.errors).toEqual([]);
  });

  it('delivers the right bytes for entries read after unread ones', async () => {
    const reader = await openTarget('good.tgz', { cwd: root });
    let index = 0;
    let checked = 0;
    for await (const entry of reader.entries()) {
      if (index++ % 2 === 1) {
        expect((await entry.read()).equals(readFileSync(at(`big/package/${entry.packagePath}`)))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(2);
    expect(reader.errors).toEqual([]);
  });

  it('refuses read() once the next entry was requested, and a second iteration', async () => {
    const reader = await openTarget('good.tgz', { cwd: root });
    const held = [];
    for await (const entry of reader.entries()) held.push(entry);
    expect(held).toHaveLength(4);
    await expect(held[0].read()).rejects.toThrow(/after the next archive entry/);
    expect(() => reader.entries()).toThrow(/only once/);
  });
});
