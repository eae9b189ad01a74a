import { posix } from 'node:path';

// Archive entry names are untrusted: they are checked as text and never resolved against the
// file system. A name is unsafe if extracting it could write outside the extraction root.

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/** Normalises `./a//b` to `a/b` (and `./` to ''); rejects absolute names and any `..` segment. */
export function checkEntryName(raw: string): NameCheck {
  if (raw.includes('\0')) return { ok: false, reason: 'the name holds a NUL byte' };
  if (/^([/\\]|[a-zA-Z]:)/.test(raw)) return { ok: false, reason: 'the name is an absolute path' };
  // Any `..` is refused, even `a/../b`: npm strips the first folder before extracting, so
  // `package/../x` would land outside the package. Backslashes count: Windows extracts them.
  if (raw.split(/[/\\]/).includes('..')) return { ok: false, reason: 'the name climbs out with ".."' };
  // '' is the archive root itself (`./` from `tar -C dir .`); callers decide what that means.
  const name = raw.split('/').filter((s) => s !== '' && s !== '.').join('/');
  return { ok: true, name };
}

/**
 * Where a link entry points, as a name relative to the archive root, or null if it leaves
 * `root` (the package folder the entry sits in, or the archive root). Symlink targets are
 * relative to the link's folder; hardlink targets to the archive root.
 */
export function linkTarget(name: string, linkname: string, kind: 'symlink' | 'link', root: string): string | null {
  if (/^([/\\]|[a-zA-Z]:)/.test(linkname)) return null;
  const base = kind === 'symlink' ? posix.dirname(name) : '.';
  const resolved = posix.normalize(posix.join(base, linkname.replace(/\\/g, '/')));
  if (resolved === '..' || resolved.startsWith('../')) return null;
  if (root !== '' && resolved !== root && !resolved.startsWith(root + '/')) return null;
  return resolved;
}

/**
 * npm tarballs keep everything under one folder (`package/`) that installing strips. The
 * folder is taken from the first entry, since a stream cannot look ahead: entries outside it
 * keep their full name.
 */
export class RootFolder {
  private root: string | undefined;

  /** Call with every safe entry, in stream order: its raw and normalised names. */
  observe(raw: string, name: string, isDirectory: boolean): void {
    if (this.root !== undefined) return;
    // `tar -C dir .` writes `./` first and `./x` after: the archive root is the package root.
    if (name === '' || raw.startsWith('./')) {
      this.root = '';
      return;
    }
    const slash = name.indexOf('/');
    this.root = slash > 0 ? name.slice(0, slash) : isDirectory ? name : '';
  }

  /** The root folder (`package`), or '' when the first entry was a top-level file. */
  get folder(): string {
    return this.root ?? '';
  }

  packagePath(name: string): string {
    const root = this.folder;
    return root !== '' && name.startsWith(root + '/') ? name.slice(root.length + 1) : name;
  }

  /** The folder a link in `name` must stay inside. */
  linkRoot(name: string): string {
    const root = this.folder;
    return root !== '' && name.startsWith(root + '/') ? root : '';
  }
}
