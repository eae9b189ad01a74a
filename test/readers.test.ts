import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/codes.js';
import { openPackedPackage, openPackList, openTarget, ReadFailure, resolveLimits } from '../src/scan/readers/index.js';
import { codes, drain, scanTarget, tempDir } from './readers-helpers.js';

// Directory, single-file and tarball readers against archives made by real tools:
// node-tar (what npm uses), GNU tar and `npm pack`.

let root: string;
let cleanup: () => void;

function write(rel: string, content: string | Buffer): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, content);
}

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('readers'));
  write('pkg/package.json', JSON.stringify({ name: 'demo-pkg', version: '1.2.3', files: ['dist'] }));
  write('pkg/dist/cli.js', 'console.log(1);\n');
  write('pkg/dist/cli.js.map', '{"version":3,"sources":["../src/cli.ts"],"mappings":""}');
  write('pkg/dist/sub/deep.js', 'x');
  write('pkg/node_modules/dep/index.js', 'module.exports = 1;');
  write('pkg/.git/HEAD', 'ref: refs/heads/main');
  write('pkg/src/secret.ts', 'export const x = 1;');
  // One real tarball, shared by the packed-package and tarball tests.
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', root], {
    cwd: join(root, 'pkg'),
    stdio: 'pipe',
  });
});
afterAll(() => cleanup());

describe('directory reader', () => {
  it('walks every file, node_modules included, .git excluded, in a stable order', async () => {
    const { entries, errors, reader } = await scanTarget('pkg', root);
    expect(errors).toEqual([]);
    expect(entries.map((e) => e.packagePath)).toEqual([
      'dist/cli.js',
      'dist/cli.js.map',
      'dist/sub/deep.js',
      'node_modules/dep/index.js',
      'package.json',
      'src/secret.ts',
    ]);
    // Display paths start with the target as given; packagePath is relative to it.
    expect(entries.every((e) => e.path === `pkg/${e.packagePath}`)).toBe(true);
    expect(entries[0].bytes?.toString()).toBe('console.log(1);\n');
    expect(reader.summary).toMatchObject({ target: 'pkg', kind: 'directory', files: 6 });
  });

  it('reports a missing path as not-found and an empty directory as empty-target', async () => {
    expect(codes(await scanTarget('no/such/dir', root))).toEqual(['not-found']);
    mkdirSync(join(root, 'empty/sub'), { recursive: true });
    const empty = await scanTarget('empty', root);
    expect(codes(empty)).toEqual(['empty-target']);
    expect(empty.entries).toEqual([]);
  });
});

describe('directory reader: links and special files', () => {
  it('never follows links: outside is unsafe-entry, inside is skipped, loops and dangling ones are unreadable', async () => {
    write('links/real/a.js', 'a');
    write('outside/secret.js', 'secret');
    symlinkSync('../../outside', join(root, 'links/real/out-dir'));
    symlinkSync('/etc/hostname', join(root, 'links/abs'));
    symlinkSync('real/a.js', join(root, 'links/alias.js'));
    symlinkSync('..', join(root, 'links/real/up')); // a loop back to the root
    symlinkSync('loop-b', join(root, 'links/loop-a'));
    symlinkSync('loop-a', join(root, 'links/loop-b'));
    symlinkSync('missing.js', join(root, 'links/dangling'));
    const d = await scanTarget('links', root);
    expect(d.entries.map((e) => e.packagePath)).toEqual(['real/a.js']);
    expect(d.errors.map((e) => `${e.code} ${e.path}`)).toEqual([
      'unsafe-entry links/abs',
      'unreadable links/dangling',
      'unreadable links/loop-a',
      'unreadable links/loop-b',
      'unsafe-entry links/real/out-dir',
    ]);
    const outDir = d.errors.find((e) => e.path === 'links/real/out-dir');
    expect(outDir?.message).toContain('-> ../../outside');
    expect(d.errors.find((e) => e.path === 'links/loop-a')?.message).toContain('symlink loop');
  });

  it('reports a FIFO as unreadable instead of hanging on it', async () => {
    write('fifo/a.js', 'a');
    execFileSync('mkfifo', [join(root, 'fifo/pipe')]);
    const d = await scanTarget('fifo', root);
    expect(d.entries.map((e) => e.packagePath)).toEqual(['a.js']);
    expect(d.errors).toMatchObject([{ code: 'unreadable', path: 'fifo/pipe', message: expect.stringContaining('FIFO') }]);
  });

  it('refuses files over maxFileBytes', async () => {
    write('sizes/big.js', 'x'.repeat(2000));
    write('sizes/small.js', 'y');
    const d = await scanTarget('sizes', root, { maxFileBytes: 1000 });
    expect(d.entries.map((e) => e.packagePath)).toEqual(['small.js']);
    expect(d.errors).toMatchObject([{ code: 'too-large', path: 'sizes/big.js' }]);
  });

  it('turns a file that vanished before read() into an unreadable error and a ReadFailure', async () => {
    write('vanish/a.js', 'a');
    write('vanish/b.js', 'b');
    const reader = await openTarget('vanish', { cwd: root });
    const failures: unknown[] = [];
    for await (const entry of reader.entries()) {
      if (entry.packagePath === 'a.js') rmSync(join(root, 'vanish/a.js'));
      await entry.read().catch((err: unknown) => failures.push(err));
    }
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(ReadFailure);
    expect(reader.errors).toMatchObject([{ code: 'unreadable', path: 'vanish/a.js' }]);
    expect((failures[0] as ReadFailure).scanError).toBe(reader.errors[0]);
    expect(reader.summary.files).toBe(2);
  });
});

describe('single file reader', () => {
  it('reads one file named by its basename', async () => {
    const { entries, errors, reader } = await scanTarget('pkg/dist/cli.js.map', root);
    expect(errors).toEqual([]);
    expect(entries.map((e) => [e.path, e.packagePath])).toEqual([['pkg/dist/cli.js.map', 'cli.js.map']]);
    expect(reader.summary.kind).toBe('file');
  });
});

describe('packed-package reader', () => {
  it('reads exactly what npm pack would publish', async () => {
    const reader = await openPackedPackage(join(root, 'pkg'));
    const { entries, errors } = await drain(reader);
    expect(errors).toEqual([]);
    expect(reader.summary).toMatchObject({ target: 'demo-pkg@1.2.3', kind: 'package', files: 4 });
    // The same list the real tarball holds (GNU tar lists it).
    const listed = execFileSync('tar', ['-tzf', join(root, 'demo-pkg-1.2.3.tgz')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((p) => p.replace(/^package\//, ''));
    expect(entries.map((e) => e.packagePath).sort()).toEqual(listed.sort());
    expect(entries.find((e) => e.packagePath === 'dist/cli.js')?.bytes?.toString()).toBe('console.log(1);\n');
  });

  it('refuses a pack list entry that leaves the package', async () => {
    const reader = openPackList(join(root, 'pkg'), { name: 'demo-pkg', version: '1.2.3', files: ['package.json', '../outside/secret.js'] }, resolveLimits({}));
    const { entries, errors } = await drain(reader);
    expect(entries.map((e) => e.packagePath)).toEqual(['package.json']);
    expect(errors).toMatchObject([{ code: 'unsafe-entry', path: '../outside/secret.js' }]);
  });

  it('reports pack-failed with npm\'s reason when npm cannot pack', async () => {
    write('broken/package.json', '{ "name": "broken", ');
    const reader = await openPackedPackage(join(root, 'broken'));
    const { entries, errors } = await drain(reader);
    expect(entries).toEqual([]);
    expect(errors).toMatchObject([{ code: 'pack-failed' }]);
    expect(errors[0].message).toMatch(/JSON|parse/i);
  });
});

describe('tarball reader', () => {
  it('streams an npm pack tarball, stripping package/', async () => {
    const { entries, errors, reader } = await scanTarget('demo-pkg-1.2.3.tgz', root);
    expect(errors).toEqual([]);
    expect(reader.summary.kind).toBe('tarball');
    const byPath = Object.fromEntries(entries.map((e) => [e.packagePath, e]));
    expect(Object.keys(byPath).sort()).toEqual(['dist/cli.js', 'dist/cli.js.map', 'dist/sub/deep.js', 'package.json']);
    expect(byPath['dist/cli.js.map'].path).toBe('demo-pkg-1.2.3.tgz!package/dist/cli.js.map');
    expect(byPath['dist/cli.js'].bytes?.toString()).toBe('console.log(1);\n');
  });

  it('reads a node-tar archive with no single root folder using full paths', async () => {
    await tar.create({ cwd: join(root, 'pkg'), file: join(root, 'flat.tar') }, ['package.json', 'dist']);
    const { entries, errors } = await scanTarget('flat.tar', root);
    expect(errors).toEqual([]);
    expect(entries.map((e) => e.packagePath)).toContain('package.json');
    expect(entries.map((e) => e.path)).toContain('flat.tar!package.json');
  });

  it('uses only codes from ERROR_CODES', async () => {
    writeFileSync(join(root, 'fake.tgz'), 'not an archive at all');
    const d = await scanTarget('fake.tgz', root);
    expect(codes(d)).toEqual(['not-an-archive']);
    for (const c of codes(d)) expect(Object.keys(ERROR_CODES)).toContain(c);
  });
});
