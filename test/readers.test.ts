import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/codes.js';
import { codes, scanTarget, tempDir } from './readers-helpers.js';

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
    ]);
    expect(entries.every((e) => e.path === e.packagePath)).toBe(true);
    expect(entries[0].bytes?.toString()).toBe('console.log(1);\n');
    expect(reader.summary).toMatchObject({ target: 'pkg', kind: 'directory', files: 5 });
  });

  it('reports a missing path as not-found and an empty directory as empty-target', async () => {
    expect(codes(await scanTarget('no/such/dir', root))).toEqual(['not-found']);
    mkdirSync(join(root, 'empty/sub'), { recursive: true });
    const empty = await scanTarget('empty', root);
    expect(codes(empty)).toEqual(['empty-target']);
    expect(empty.entries).toEqual([]);
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

describe('tarball reader', () => {
  it('streams an npm pack tarball, stripping package/', async () => {
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', root], {
      cwd: join(root, 'pkg'),
      stdio: 'pipe',
    });
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
