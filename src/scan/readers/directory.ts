import type { Stats } from 'node:fs';
import { lstat, opendir, readlink, realpath } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import type { ScanEntry, TargetReader } from '../types.js';
import { diskEntry, makeReader, overFileLimit, type ReaderContext } from './common.js';
import { describeFsError, scanError } from './errors.js';

// Walks a directory with opendir + lstat rather than a walker library: every failure must
// become a ScanError (walkers tend to swallow them), and links need the rules below.
//
// - Nothing is skipped silently except `.git/` folders (never published, often huge).
//   `node_modules/` inside a scanned directory is scanned: it is what ships.
// - Symlinks are never followed. One whose target lies inside the root is skipped (the
//   target is scanned at its own path); one pointing outside is an `unsafe-entry` error;
//   a dangling or looping one is `unreadable`.
// - Directories are tracked by device and inode, so bind-mount loops end too.
// - Entries come in a stable order (sorted names, depth first).

const SKIPPED_DIRS = new Set(['.git']);

export function openDirectory(target: string, rootReal: string, ctx: ReaderContext): TargetReader {
  const visited = new Set<string>();
  let filesSeen = 0;
  // Display paths start with the target as given (`dist/x.js.map` for `pillbox scan dist`), so
  // findings from several directory targets stay apart; packagePath stays relative to the root.
  const prefix = posix.normalize(target).replace(/\/+$/, '');
  const shownPath = (rel: string) => (prefix === '.' || prefix === '' ? rel : `${prefix}/${rel}`);

  const error = (rel: string, code: 'unreadable' | 'unsafe-entry', message: string) => {
    const shown = rel === '' ? target : shownPath(rel);
    ctx.errors.push(scanError(shown, code, `${shown}: ${message}`));
  };

  async function* walk(dirAbs: string, rel: string, stats: Stats): AsyncGenerator<ScanEntry> {
    const id = `${stats.dev}:${stats.ino}`;
    if (visited.has(id)) return error(rel, 'unreadable', 'directory already visited (a mount loop); not walked again');
    visited.add(id);

    let names: string[];
    try {
      names = [];
      for await (const dirent of await opendir(dirAbs)) names.push(dirent.name);
    } catch (err) {
      return error(rel, 'unreadable', `cannot list directory: ${describeFsError(err)}`);
    }
    names.sort();

    for (const name of names) {
      const childAbs = join(dirAbs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let child: Stats;
      try {
        child = await lstat(childAbs);
      } catch (err) {
        error(childRel, 'unreadable', `cannot stat: ${describeFsError(err)}`);
        continue;
      }
      if (child.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) yield* walk(childAbs, childRel, child);
      } else if (child.isFile()) {
        filesSeen += 1;
        if (!overFileLimit(ctx, shownPath(childRel), child.size)) yield diskEntry(ctx, childAbs, shownPath(childRel), childRel, child.size);
      } else if (child.isSymbolicLink()) {
        await checkLink(childAbs, childRel);
      } else {
        error(childRel, 'unreadable', `not a regular file (${specialKind(child)}); not read`);
      }
    }
  }

  async function checkLink(linkAbs: string, rel: string): Promise<void> {
    const text = await readlink(linkAbs).catch(() => '?');
    let real: string;
    try {
      real = await realpath(linkAbs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'dangling symlink' : code === 'ELOOP' ? 'symlink loop' : 'unresolvable symlink';
      return error(rel, 'unreadable', `${why} (-> ${text}): ${describeFsError(err)}`);
    }
    if (real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) return;
    error(rel, 'unsafe-entry', `symlink points outside the scanned directory (-> ${text}); not followed`);
  }

  return makeReader(ctx, async function* () {
    let rootStats: Stats;
    try {
      rootStats = await lstat(rootReal);
    } catch (err) {
      return error('', 'unreadable', `cannot stat: ${describeFsError(err)}`);
    }
    yield* walk(rootReal, '', rootStats);
    if (filesSeen === 0 && ctx.errors.length === 0) {
      ctx.errors.push(scanError(target, 'empty-target', `${target}: the directory holds no files; nothing was scanned`));
    }
  });
}

function specialKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'an unknown type';
}
